"""No answer is ever lost: parallel submissions under gunicorn, and a crash mid-load."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import create_engine, func, select

from survey_app.models import Answer, Response
from tests.reliability.conftest import Family, Server


def stored(database_url: str) -> tuple[set[str], int]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            ids = set(connection.scalars(select(Response.id)))
            answers = connection.scalar(select(func.count()).select_from(Answer))
            return ids, answers
    finally:
        engine.dispose()


def test_reliability_parallel_submissions_all_stored_once(server, database_url):
    families = [Family(server.url) for _ in range(24)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(Family.answer_all_but_last, families))
        statuses = list(pool.map(Family.submit_last, families))
    assert statuses == [302] * len(families)  # no 5xx, every one went to the thank-you page
    ids, answers = stored(database_url)
    assert ids == {family.id for family in families}
    assert answers == len(families) * 10  # 10 answer rows per complete response (two issues)


def test_reliability_crash_loses_no_acknowledged_submission(server_env, database_url):
    server = Server(server_env)
    server.start()
    families = [Family(server.url) for _ in range(30)]
    try:
        with ThreadPoolExecutor(max_workers=10) as pool:
            list(pool.map(Family.answer_all_but_last, families))
            first, rest = families[:15], families[15:]
            acknowledged = [f for f, status in zip(first, pool.map(Family.submit_last, first)) if status == 302]
            pending = [pool.submit(Family.submit_last, f) for f in rest]
            server.kill()  # SIGKILL while submissions are in flight
            outcomes = []
            for family, future in zip(rest, pending):
                try:
                    outcomes.append((family, future.result()))
                except OSError:
                    outcomes.append((family, None))
        acknowledged += [family for family, status in outcomes if status == 302]
        ids, _ = stored(database_url)
        assert {f.id for f in acknowledged} <= ids  # every success answer is stored

        server = Server(server_env)
        server.start()
        # The families whose request died retry; they still end with exactly one response each.
        for family, status in outcomes:
            if status != 302:
                family.base = server.url
                assert family.submit_last() == 302
        ids, _ = stored(database_url)
        assert ids == {family.id for family in families}
        assert len(ids) == len(families)
    finally:
        server.stop()
