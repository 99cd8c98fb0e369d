"""Staff see how complete each language is and switch languages per survey."""
from __future__ import annotations

from survey_app.extensions import db
from survey_app.models import Survey
from tests.conftest import csrf_token


def test_staff_languages_page_shows_completeness_and_review(staff_client):
    page = staff_client.get("/staff/surveys/family-voices/languages")
    assert page.status_code == 200
    assert "Soomaali" in page.text and "99 / 99" in page.text
    assert "draft, needs review by a native speaker" in page.text


def test_staff_languages_switching_off_hides_language_from_families(app, staff_client):
    page = staff_client.get("/staff/surveys/family-voices/languages")
    reply = staff_client.post("/staff/surveys/family-voices/languages",
                              data={"csrf_token": csrf_token(page.text), "languages": ["es", "ar"]})
    assert reply.status_code == 302
    survey = db.session.query(Survey).filter_by(slug="family-voices").one()
    assert survey.languages == ["ar", "en", "es"]
    public = staff_client.get("/s/family-voices?lang=so")
    assert '<html lang="en"' in public.text  # Somali is switched off: English, not an error
    assert ">Soomaali</a>" not in public.text and ">العربية</a>" in public.text


def test_staff_languages_incomplete_language_cannot_be_switched_on(app, staff_client, monkeypatch):
    monkeypatch.setitem(app.extensions["catalog_status"], "pl",
                        app.extensions["catalog_status"]["pl"].__class__(
                            app.extensions["catalog_status"]["pl"].language, 3, 78, (), "draft"))
    page = staff_client.get("/staff/surveys/family-voices/languages")
    reply = staff_client.post("/staff/surveys/family-voices/languages",
                              data={"csrf_token": csrf_token(page.text), "languages": ["pl", "es"]})
    assert reply.status_code == 200
    assert "not fully translated yet" in reply.text and "Polish" in reply.text
    assert db.session.query(Survey).filter_by(slug="family-voices").one().languages is None


def test_staff_languages_needs_staff_login(client):
    assert client.get("/staff/surveys/family-voices/languages").status_code == 302
