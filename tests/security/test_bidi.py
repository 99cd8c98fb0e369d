"""Text that people typed is isolated on staff pages: a right-to-left override (U+202E) in a
comment, a name or a logged email reorders nothing around it."""
from __future__ import annotations

from cryptography.fernet import Fernet

from survey_app import storage
from tests.conftest import FULL_ANSWERS, csrf_token

PASSWORD = "a long enough password"
OVERRIDE = "\u202e"


def logged_in_admin(app):
    storage.create_user("admin@example.org", PASSWORD, "admin")
    admin = app.test_client()
    page = admin.get("/login")
    admin.post("/login", data={"csrf_token": csrf_token(page.text), "email": "admin@example.org",
                               "password": PASSWORD})
    return admin


def test_bidi_comment_and_contact_name_are_isolated(app, respondent):
    app.config["CONTACT_KEY"] = Fernet.generate_key().decode()
    respondent.start()
    for answers in FULL_ANSWERS[:-1]:
        respondent.answer(**answers)
    respondent.answer(**{**FULL_ANSWERS[-1], "one_change": f"{OVERRIDE}sloohcs retteb"})
    page = respondent.client.get("/s/family-voices/contact")
    respondent.client.post("/s/family-voices/contact", data={
        "csrf_token": csrf_token(page.text), "agree": "y", "name": f"{OVERRIDE}anaD", "email": "f@example.org"})
    admin = logged_in_admin(app)
    assert f"<bdi>{OVERRIDE}sloohcs retteb</bdi>" in admin.get("/staff/comments/family-voices/MN").text
    assert f"<bdi>{OVERRIDE}anaD</bdi>" in admin.get("/staff/contacts").text


def test_bidi_audit_log_values_are_isolated(app, client):
    admin = logged_in_admin(app)
    token = csrf_token(client.get("/login").text)
    client.post("/login", data={"csrf_token": token, "email": f"x{OVERRIDE}@example.org", "password": "wrong"})
    html = admin.get("/staff/audit").text
    assert "<bdi>admin@example.org</bdi>" in html
    failed = html.split("login_failed", 1)[1].split("</tr>", 1)[0]
    assert failed.count("<bdi>") >= 1 and failed.count("<bdi>") == failed.count("</bdi>")
