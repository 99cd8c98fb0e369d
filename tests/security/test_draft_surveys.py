"""A survey still in draft is not visible on the partner portal in any form."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app import storage
from survey_app.extensions import db
from survey_app.models import Partner, Survey
from tests.conftest import csrf_token

PASSWORD = "a long enough password"
SLUG = "family-voices"


@pytest.fixture
def partner_browser(app):
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.create_user("mira@example.org", PASSWORD, "partner", mira)
    browser = app.test_client()
    page = browser.get("/login")
    browser.post("/login", data={"csrf_token": csrf_token(page.text), "email": "mira@example.org",
                                 "password": PASSWORD})
    return browser


@pytest.mark.parametrize("path", [f"/partner/overview/{SLUG}", f"/partner/responses/{SLUG}",
                                  f"/partner/responses/{SLUG}/download.csv",
                                  f"/partner/responses/{SLUG}/download.xlsx", f"/partner/surveys/{SLUG}/kiosk"])
@pytest.mark.parametrize("status, expected", [("draft", 404), ("open", 200), ("closed", 200)])
def test_draft_surveys_are_not_on_the_partner_portal(app, partner_browser, path, status, expected):
    storage.set_survey_status(db.session.scalar(select(Survey).where(Survey.slug == SLUG)), status)
    assert partner_browser.get(path).status_code == expected
