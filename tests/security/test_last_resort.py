"""When even the error page fails, the answer is still a plain 500 with the security headers."""
from __future__ import annotations

from survey_app import storage
from survey_app.extensions import db
from tests.conftest import csrf_token

PASSWORD = "a long enough password"


def test_last_resort_error_page_keeps_the_security_headers(app, client):
    storage.create_user("staff@example.org", PASSWORD, "staff")
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": "staff@example.org",
                                "password": PASSWORD})
    # The tables are gone: the view fails, and so does the error page, which looks up the logged-in user.
    db.drop_all()
    app.testing = False  # errors are answered as in production, not raised into the test
    reply = client.get("/staff/")
    assert reply.status_code == 500
    assert "default-src 'self'" in reply.headers["Content-Security-Policy"]
    assert reply.headers["X-Frame-Options"] == "DENY" and reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Cache-Control"] == "no-store"
    assert "Sorry, something went wrong" in reply.text
