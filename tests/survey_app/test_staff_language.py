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


def choose_page_language(client, home: str, code: str, back: str) -> None:
    page = client.get(home)
    chosen = client.post("/account/language", data={"csrf_token": csrf_token(page.text), "language": code,
                                                    "next": back})
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith(back)


def menu_codes(page) -> set[str]:
    return set(re.findall(r'<button[^>]*name="language" value="([^"]+)"', page.text))


def test_staff_language_menu_lists_the_fully_translated_languages(app, staff):
    offered = menu_codes(staff.get("/staff/"))
    assert {"en", "es", "ar", "zh-Hans", "vi"} <= offered
    # Haitian Creole has the survey's buttons but not the staff pages: staff would read half English.
    assert "ht" not in offered
    status = app.extensions["catalog_status"]
    assert all(status[code].staff_translated == status[code].staff_total for code in offered)


def test_staff_language_is_the_users_own_setting(app, staff):
    choose_page_language(staff, "/staff/", "ar", f"/staff/reports/{SLUG}/MN")
    assert db.session.scalar(select(User.page_language).where(User.email == "staff@example.org")) == "ar"
    staff.get(f"/s/{SLUG}?lang=es")
    report = staff.get(f"/staff/reports/{SLUG}/MN")
    assert html_tag(report) == '<html lang="ar" dir="rtl">'
    assert "أهم المواضيع" in report.text and "Top issues" not in report.text
    # The survey keeps the family's language.
    assert 'lang="es"' in html_tag(staff.get(f"/s/{SLUG}"))


@pytest.mark.parametrize("path", ["/staff/", f"/staff/reports/{SLUG}/MN", f"/staff/reports/{SLUG}"])
def test_staff_language_spanish_stays_after_a_survey_link_in_arabic(staff, path):
    choose_page_language(staff, "/staff/", "es", path)
    opened = staff.get(f"/s/{SLUG}?lang=ar")
    assert 'lang="ar" dir="rtl"' in html_tag(opened)
    page = staff.get(path)
    assert html_tag(page) == '<html lang="es" dir="ltr">'
    assert "Idioma de estas páginas" in page.text and "Language of these pages" not in page.text
    assert "Área del personal" in page.text or "temas principales" in page.text.lower()
    assert 'lang="ar"' in html_tag(staff.get(f"/s/{SLUG}"))


def test_staff_language_partner_keeps_spanish_after_a_survey_link_in_arabic(partner_client):
    choose_page_language(partner_client, "/partner/", "es", "/partner/")
    partner_client.get(f"/s/{SLUG}?lang=ar")
    portal = partner_client.get("/partner/")
    assert html_tag(portal) == '<html lang="es" dir="ltr">'
    assert "Sus enlaces de la encuesta" in portal.text and "Your survey links" not in portal.text
    assert db.session.scalar(select(User.page_language).where(User.email == "mira@example.org")) == "es"


def test_staff_language_partner_in_arabic_reads_right_to_left(partner_client):
    choose_page_language(partner_client, "/partner/", "ar", "/partner/")
    partner_client.get(f"/s/{SLUG}?lang=es")
    portal = partner_client.get("/partner/")
    assert html_tag(portal) == '<html lang="ar" dir="rtl">'
    assert "روابط الاستبيان الخاصة بك" in portal.text and "Your survey links" not in portal.text


def test_staff_language_outside_the_menu_is_refused(app, staff):
    home = staff.get("/staff/")
    reply = staff.post("/account/language", data={"csrf_token": csrf_token(home.text), "language": "ht"})
    assert reply.status_code == 400
    assert html_tag(staff.get("/staff/")) == '<html lang="en" dir="ltr">'
