"""The benchmarks' floor (bench/floor.py) does the work it stands for: docs/benchmarks.md concludes
from it that an aim cannot be reached, so a floor that skipped a read or a write would mislead."""
from __future__ import annotations

import base64
import importlib
import json

import pytest
from sqlalchemy import func, select, text

from survey_app.extensions import db
from survey_app.models import Draft
from survey_app.storage import answer_rows
from tests.conftest import FULL_ANSWERS, csrf_token

LAST = len(FULL_ANSWERS)
UNSIGNED = b"captured-token"


def _captured_page(answer, path: str) -> dict:
    """The page as the survey answered it, as bench/web.py captures it, but for its token: in its
    place one nobody signed, so the floor must put in one of its own."""
    body = answer.data.replace(csrf_token(answer.text).encode(), UNSIGNED)
    return {"method": "GET", "path": path, "status": answer.status_code,
            "headers": [(name, value) for name, value in answer.headers
                        if name.lower() not in {"set-cookie", "content-length", "date"}],
            "signs_cookie": "Set-Cookie" in answer.headers, "writes": False,
            "body": base64.b64encode(body).decode("ascii")}


@pytest.fixture
def reached(app, respondent):
    """A respondent on the last page, its answers to earlier pages saved: the page as the survey showed it."""
    respondent.start()
    for answers in FULL_ANSWERS[:-1]:
        respondent.answer(**answers)
    assert respondent.path == f"/s/family-voices/{LAST}"
    return respondent


@pytest.fixture
def floor(app, reached, database_url, tmp_path, monkeypatch):
    """bench/floor.py answering what the survey answered to the respondent's last page, GET and POST."""
    path = reached.path
    shown = reached.page
    posted = {"csrf_token": csrf_token(shown.text), "action": "next", **FULL_ANSWERS[-1]}
    pages = tmp_path / "pages.json"
    # The last page's POST is answered as the survey answers a stored response: on to the thank-you page.
    pages.write_text(json.dumps([_captured_page(shown, path),
                                 {"method": "POST", "path": path, "status": 302, "signs_cookie": True, "writes": True,
                                  "headers": [("Location", "/s/family-voices/thanks")], "body": ""}]))
    for name, value in {"BENCH_MIRROR_PAGES": str(pages), "BENCH_MIRROR_DATABASE_URL": database_url,
                        "SECRET_KEY": app.config["SECRET_KEY"], "RATELIMIT_STORAGE_URI": "memory://",
                        "RATELIMIT_PUBLIC": "1000 per minute"}.items():
        monkeypatch.setenv(name, value)
    from bench import floor as module, mirror
    importlib.reload(mirror)
    module = importlib.reload(module)
    with db.engine.begin() as connection:
        for statement in module.CREATE_TABLES:
            connection.execute(text(statement))
    module.app.config["PROPAGATE_EXCEPTIONS"] = True  # what the floor refused, raised here
    client = module.app.test_client()
    client.set_cookie("session", reached.client.get_cookie("session").value)
    yield module, client, path, posted
    for engine in {module.ENGINE, module.READS}:
        engine.dispose()


def test_a_page_is_the_surveys_bytes_with_a_token_signed_for_this_respondent(floor, reached):
    module, client, path, posted = floor
    shown = client.get(path)
    assert shown.status_code == 200
    token = csrf_token(shown.text)
    assert token != UNSIGNED.decode()
    assert shown.text.replace(token, "") == reached.page.text.replace(csrf_token(reached.page.text), "")
    assert client.post(path, data={**posted, "csrf_token": token}).status_code == 302


def test_a_page_reads_the_draft(floor):
    module, client, path, _posted = floor
    db.session.execute(Draft.__table__.delete())
    db.session.commit()
    with pytest.raises(RuntimeError, match="without a draft"):
        client.get(path)


def test_every_post_counts_against_the_rate_limit(floor):
    module, client, path, posted = floor
    module.LIMIT = module.parse("1 per minute")
    with pytest.raises(RuntimeError, match="bad token"):
        client.post(path, data={**posted, "csrf_token": "forged"})
    with pytest.raises(RuntimeError, match="rate limit"):
        client.post(path, data=posted)


def test_the_last_page_checks_the_token_and_stores_the_response(floor):
    module, client, path, posted = floor
    with pytest.raises(RuntimeError, match="bad token"):
        client.post(path, data={**posted, "csrf_token": "forged"})
    draft = db.session.scalars(select(Draft)).one()
    draft_id, expected = draft.id, len(answer_rows({**draft.answers, **FULL_ANSWERS[-1]}))
    db.session.rollback()

    sent = client.post(path, data=posted)

    assert sent.status_code == 302 and sent.headers["Location"].endswith("/thanks")
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    with db.engine.connect() as connection:
        assert connection.execute(text(f"SELECT id FROM {module.RESPONSES_TABLE}")).scalars().all() == [draft_id]
        assert connection.execute(text(f"SELECT count(*) FROM {module.ANSWERS_TABLE}")).scalar() == expected > 0
