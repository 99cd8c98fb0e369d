"""Pages that hold what someone typed, or lead to it, are never kept by a browser or proxy cache."""
from __future__ import annotations

from cryptography.fernet import Fernet

from tests.conftest import FULL_ANSWERS, csrf_token


def test_no_store_on_log_in_and_survey_start(client):
    for path in ("/login", "/s/family-voices"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    token = csrf_token(client.get("/login").text)
    failed = client.post("/login", data={"csrf_token": token, "email": "someone@example.org", "password": "x"})
    assert failed.headers["Cache-Control"] == "no-store"


def test_no_store_on_the_contact_page_that_shows_the_typed_phone_number(app, respondent):
    app.config["CONTACT_KEY"] = Fernet.generate_key().decode()
    respondent.start()
    for answers in FULL_ANSWERS:
        respondent.answer(**answers)
    page = respondent.client.get("/s/family-voices/contact")
    reply = respondent.client.post("/s/family-voices/contact", data={
        "csrf_token": csrf_token(page.text), "phone": "not a phone 555-0100", "email": "not an email"})
    assert page.headers["Cache-Control"] == "no-store"
    assert "555-0100" in reply.text and reply.headers["Cache-Control"] == "no-store"
