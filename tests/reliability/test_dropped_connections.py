"""When the database server drops every connection (it restarted, or an operator ended them),
a respondent's next pages are shown and their answers kept, without an error page."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from survey_app import drafts
from survey_app.extensions import db
from tests.conftest import FULL_ANSWERS, POSTGRES_URL

DATABASE_SERVER = pytest.mark.skipif(not POSTGRES_URL, reason="SQLite is a file: no server can drop its connections")


def _drop_every_connection_of(app) -> int:
    """End, on the server, the connection each of the app's pools keeps: as a restart would."""
    with app.app_context():
        pids = set()
        for engine in db.engines.values():
            connection = engine.raw_connection()
            try:
                cursor = connection.cursor()
                cursor.execute("SELECT pg_backend_pid()")
                pids.add(cursor.fetchone()[0])
                cursor.close()
            finally:
                connection.close()
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            for pid in pids:
                assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()
    return len(pids)


@DATABASE_SERVER
def test_pages_carry_on_after_the_server_drops_the_connections(app, respondent):
    respondent.start()
    respondent.answer(**FULL_ANSWERS[0])
    assert respondent.path == "/s/family-voices/2"
    assert _drop_every_connection_of(app) == 2  # the transactions' pool and the page reads' pool

    shown = respondent.client.get("/s/family-voices/2")  # the page reads the draft
    assert shown.status_code == 200
    respondent.page = shown
    respondent.answer(**FULL_ANSWERS[1])  # the answers are saved in a transaction
    assert respondent.path == "/s/family-voices/3"

    assert _drop_every_connection_of(app) == 2
    assert respondent.client.get("/s/family-voices/3").status_code == 200
    assert respondent.client.get("/s/family-voices").status_code == 200  # the welcome page, with answers to come back to


def test_a_read_that_fails_for_another_reason_is_not_tried_again(app):
    with app.app_context():
        engine = db.engines.get("reads", db.engine)
        pool = engine.pool
        with pytest.raises(engine.dialect.loaded_dbapi.Error):
            drafts._read_one("SELECT no_such_column FROM drafts WHERE id = {}", "x")
        assert engine.pool is pool  # the pool was not emptied: the connections were fine
