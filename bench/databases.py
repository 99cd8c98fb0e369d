"""Fresh databases for a run: a temporary SQLite file, or a schema of its own on the local
PostgreSQL server, made ready with `flask --app wsgi init-db` and removed afterwards."""
from __future__ import annotations

import functools
import os
import subprocess
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import redis
from sqlalchemy import create_engine, text

from .serve import BIN, ROOT

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Production settings, as the README's deployment runs them, except one: every simulated
# respondent comes from 127.0.0.1, so the per-address limit on survey POSTs is raised out of
# reach. The limiter still runs on every request, so its cost is measured.
APP_ENV = {"SURVEY_ENV": "production", "SECRET_KEY": "bench", "RATELIMIT_PUBLIC": "1000000 per minute"}


def flask_command(*args: str) -> list[str]:
    return [str(BIN / "flask"), "--app", "wsgi", *args]


def flask(env: Mapping[str, str], *args: str, timeout: float = 900) -> str:
    finished = subprocess.run(flask_command(*args), cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                              text=True, timeout=timeout)
    if finished.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{finished.stdout}{finished.stderr}")
    return finished.stdout


# The README's deployment runs more than one worker and so keeps the rate-limit counters in Redis.
# This database number is the benchmarks' own: it is emptied before a run.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


@functools.cache
def rate_limit_storage() -> str:
    """Redis, as deployed; the workers' own memory when no Redis answers here."""
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.flushdb()
        client.close()
        return REDIS_URL
    except redis.RedisError:
        return "memory://"


def env_for(database_url: str) -> dict[str, str]:
    return {**APP_ENV, "DATABASE_URL": database_url, "RATELIMIT_STORAGE_URI": rate_limit_storage()}


@contextmanager
def sqlite(directory: Path) -> Iterator[str]:
    path = directory / f"bench-{uuid.uuid4().hex[:8]}.db"
    url = f"sqlite:///{path}"
    try:
        flask(env_for(url), "init-db")
        yield url
    finally:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)


@contextmanager
def postgres() -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    try:
        flask(env_for(url), "init-db")
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not available here"
        return False
