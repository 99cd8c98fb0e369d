"""Text that people typed is isolated on staff pages: a right-to-left override (U+202E) in a
comment, a name or a value in the audit log reorders nothing around it."""
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


def test_bidi_audit_log_values_are_isolated(app):
    admin = logged_in_admin(app)
    page = admin.get("/staff/partners/new")
    admin.post("/staff/partners/new", data={"csrf_token": csrf_token(page.text), "code": "bidi",
                                            "name": f"{OVERRIDE}puorg ytinummoc", "state_code": "MN"})
    html = admin.get("/staff/audit").text
    assert "<bdi>admin@example.org</bdi>" in html
    assert OVERRIDE in html
    # Every override sits inside an isolating element, so it reorders nothing outside it.
    for before in html.split(OVERRIDE)[:-1]:
        assert before.rfind("<bdi>") > before.rfind("</bdi>")
