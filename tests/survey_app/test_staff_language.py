"""Staff and partner pages keep their user's own language, whatever a family's survey
link chose for the browser's survey pages."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import User
from tests.conftest import csrf_token
from tests.survey_app.report_fixtures import SLUG


def html_tag(page) -> str:
    return re.search(r"<html[^>]*>", page.text).group(0)


@pytest.mark.parametrize("path", ["/staff/", f"/staff/reports/{SLUG}/MN", f"/staff/reports/{SLUG}"])
def test_staff_language_ignores_the_survey_language_of_a_respondent_session(staff, path):
    opened = staff.get(f"/s/{SLUG}?lang=ar")
    assert 'lang="ar" dir="rtl"' in html_tag(opened)
    page = staff.get(path)
    assert html_tag(page) == '<html lang="en" dir="ltr">'
    assert "Staff" in page.text or "top issues" in page.text


def test_staff_language_ignores_lang_in_a_staff_link(staff):
    page = staff.get(f"/staff/reports/{SLUG}/MN?lang=es")
    assert html_tag(page) == '<html lang="en" dir="ltr">'


def test_staff_language_partner_portal_ignores_the_survey_language(partner_client):
    partner_client.get(f"/s/{SLUG}?lang=ar")
    page = partner_client.get("/partner/")
    assert html_tag(page) == '<html lang="en" dir="ltr">'


def test_staff_language_is_the_users_own_setting(app, staff):
    # As if the Arabic catalog had every staff page translated.
    app.extensions["staff_languages"] = ("en", "ar")
    home = staff.get("/staff/")
    assert 'name="language" value="ar"' in home.text
    chosen = staff.post("/account/language", data={"csrf_token": csrf_token(home.text), "language": "ar",
                                                   "next": f"/staff/reports/{SLUG}/MN"})
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith(f"/staff/reports/{SLUG}/MN")
    assert db.session.scalar(select(User.page_language).where(User.email == "staff@example.org")) == "ar"
    staff.get(f"/s/{SLUG}?lang=es")
    assert html_tag(staff.get(f"/staff/reports/{SLUG}/MN")) == '<html lang="ar" dir="rtl">'
    # The survey keeps the family's language.
    assert 'lang="es"' in html_tag(staff.get(f"/s/{SLUG}"))


def test_staff_language_outside_the_menu_is_refused(app, staff):
    home = staff.get("/staff/")
    reply = staff.post("/account/language", data={"csrf_token": csrf_token(home.text), "language": "ar"})
    assert reply.status_code == 400
    assert html_tag(staff.get("/staff/")) == '<html lang="en" dir="ltr">'
