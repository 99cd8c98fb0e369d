"""A SQLite database of 1,000,000 stored responses, built once and kept under bench/results/cache/
(with one of 10,000 for the report at three sizes), and the same three sizes on PostgreSQL, built
once as databases of their own on the local server.

100,000 responses come from the app's own generator (`flask --app wsgi demo-responses`, seeded:
`analysis.synthetic` draws them, and each is stored with the survey's skip logic applied); the
other 900,000 are nine copies of those made in SQL, each copy's ids changed in the UUID's version
digit so no id repeats. The copies keep the answers' mix, so
every measurement that reads them sees the shape of a real campaign, ten times over.
The cache is keyed by the files that decide the database's content.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import time
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from .databases import POSTGRES_URL, env_for, flask
from .serve import ROOT

BASE_RESPONSES = 100_000
SMALL_RESPONSES = 10_000
COPIES = "012356789"  # UUID v4 ids always have "4" here, so copies never meet the originals
SEED = 1
KEYED_FILES = ("survey_app/models.py", "survey_app/demo.py", "analysis/synthetic.py", "surveys/family-voices.yaml",
               "bench/dataset.py")


def cache_key() -> str:
    digest = hashlib.sha256()
    paths = [ROOT / name for name in KEYED_FILES] + sorted((ROOT / "migrations" / "versions").glob("*.py"))
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _settle(path: Path) -> None:
    """Fold the write-ahead log into the file, so the file alone holds everything."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()


def _replicate(path: Path) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        indexes = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('responses', 'answers')").fetchall()
        connection.execute("BEGIN")
        # Building the indexes once at the end is several times faster than keeping them up to date.
        for name, _sql in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        last_response = connection.execute("SELECT max(rowid) FROM responses").fetchone()[0]
        last_answer = connection.execute("SELECT max(id) FROM answers").fetchone()[0]
        for digit in COPIES:
            connection.execute(
                "INSERT INTO responses (id, survey_version_id, partner_id, language, channel, submitted_at, "
                "entered_by_id) SELECT substr(id, 1, 14) || ? || substr(id, 16), survey_version_id, partner_id, "
                "language, channel, submitted_at, entered_by_id FROM responses WHERE rowid <= ?",
                (digit, last_response))
            connection.execute(
                "INSERT INTO answers (response_id, question, value) SELECT substr(response_id, 1, 14) || ? || "
                "substr(response_id, 16), question, value FROM answers WHERE id <= ? ORDER BY id",
                (digit, last_answer))
        for _name, sql in indexes:
            connection.execute(sql)
        connection.execute("COMMIT")
        connection.execute("ANALYZE")
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()


def databases(cache: Path, log: list[str]) -> tuple[Path, Path]:
    """(100,000-response database, 1,000,000-response database), built if not cached."""
    cache = cache.resolve()  # Flask-SQLAlchemy would take a relative SQLite path from instance/
    cache.mkdir(parents=True, exist_ok=True)
    key = cache_key()
    base, million = cache / f"responses-100k-{key}.db", cache / f"responses-1m-{key}.db"
    if base.exists() and million.exists():
        log.append(f"1,000,000-response database from the cache ({million.name})")
        return base, million
    for stale in [*cache.glob("responses-100k-*.db*"), *cache.glob("responses-1m-*.db*")]:
        stale.unlink()
    started = time.perf_counter()
    building = cache / "building.db"
    env = env_for(f"sqlite:///{building}")
    flask(env, "init-db")
    flask(env, "demo-responses", "--n", str(BASE_RESPONSES), "--seed", str(SEED), timeout=1800)
    _settle(building)
    shutil.copyfile(building, base)
    _replicate(building)
    _settle(building)
    os.replace(building, million)
    log.append(f"1,000,000-response database built in {time.perf_counter() - started:.0f} s "
               f"(`flask --app wsgi demo-responses --n {BASE_RESPONSES} --seed {SEED}`, then nine copies in SQL)")
    return base, million


def evict(path: Path) -> bool:
    """Drop the file from the operating system's page cache, so the next read comes from disk."""
    evicted = False
    for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if part.exists():
            descriptor = os.open(part, os.O_RDONLY)
            try:
                os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
                evicted = True
            finally:
                os.close(descriptor)
    return evicted


def counts(path: Path) -> tuple[int, int]:
    """(responses, answer rows)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        responses = connection.execute("SELECT count(*) FROM responses").fetchone()[0]
        answers = connection.execute("SELECT count(*) FROM answers").fetchone()[0]
    connection.close()
    return responses, answers


def small_database(cache: Path, log: list[str]) -> Path:
    """A database of 10,000 responses, built if not cached."""
    cache = cache.resolve()
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"responses-10k-{cache_key()}.db"
    if path.exists():
        return path
    for stale in cache.glob("responses-10k-*.db*"):
        stale.unlink()
    building = cache / "building-10k.db"
    env = env_for(f"sqlite:///{building}")
    flask(env, "init-db")
    flask(env, "demo-responses", "--n", str(SMALL_RESPONSES), "--seed", str(SEED), timeout=1800)
    _settle(building)
    os.replace(building, path)
    log.append(f"10,000-response database built (`flask --app wsgi demo-responses --n {SMALL_RESPONSES} "
               f"--seed {SEED}`)")
    return path


# The copies of `_replicate`, in PostgreSQL's SQL.
_PG_REPLICATE = """
CREATE TEMPORARY TABLE base_responses AS SELECT * FROM responses;
CREATE TEMPORARY TABLE base_answers AS SELECT response_id, question, value FROM answers ORDER BY id;
INSERT INTO responses (id, survey_version_id, partner_id, language, channel, submitted_at, entered_by_id)
    SELECT substr(id, 1, 14) || digit || substr(id, 16), survey_version_id, partner_id, language, channel,
           submitted_at, entered_by_id
    FROM base_responses CROSS JOIN unnest(string_to_array(:copies, NULL)) AS digit;
INSERT INTO answers (response_id, question, value)
    SELECT substr(response_id, 1, 14) || digit || substr(response_id, 16), question, value
    FROM unnest(string_to_array(:copies, NULL)) AS digit CROSS JOIN base_answers;
"""


def postgres_databases(log: list[str]) -> list[str]:
    """URLs of databases of 10,000, 100,000 and 1,000,000 responses on the PostgreSQL server of
    `BENCH_POSTGRES_URL`, built if missing: the first two by the app's generator, the third from
    the second and nine copies, as for SQLite. They are named by the cache key and kept."""
    key = cache_key()
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    names = [f"bench_reports_{size}_{key}" for size in ("10k", "100k", "1m")]
    urls = [make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False) for name in names]
    try:
        with admin.connect() as connection:
            present = set(connection.scalars(text("SELECT datname FROM pg_database")))
            for stale in sorted(present - set(names)):
                if re.fullmatch(r"bench_reports_(10k|100k|1m)_[0-9a-f]{12}", stale):
                    connection.execute(text(f'DROP DATABASE "{stale}"'))
            for name, url, responses in zip(names[:2], urls[:2], (SMALL_RESPONSES, BASE_RESPONSES), strict=True):
                if name in present:
                    continue
                started = time.perf_counter()
                connection.execute(text(f'CREATE DATABASE "{name}"'))
                flask(env_for(url), "init-db")
                flask(env_for(url), "demo-responses", "--n", str(responses), "--seed", str(SEED), timeout=3600)
                log.append(f"PostgreSQL database of {responses:,} responses built in "
                           f"{time.perf_counter() - started:.0f} s")
            if names[2] not in present:
                started = time.perf_counter()
                connection.execute(text(f'CREATE DATABASE "{names[2]}" TEMPLATE "{names[1]}"'))
                million = create_engine(urls[2])
                with million.begin() as copying:
                    for statement in _PG_REPLICATE.split(";"):
                        if statement.strip():
                            copying.execute(text(statement), {"copies": COPIES})
                    copying.execute(text("ANALYZE"))
                million.dispose()
                log.append(f"PostgreSQL database of 1,000,000 responses built in "
                           f"{time.perf_counter() - started:.0f} s (the 100,000 and nine copies)")
    finally:
        admin.dispose()
    return urls
