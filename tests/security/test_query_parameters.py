"""Query parameters named like a route's own arguments are just query parameters: the
language menu builds its links from the route, so `?endpoint=` or `?slug=` cannot break a page."""
from __future__ import annotations

from survey_app import storage
from tests.conftest import Respondent, csrf_token

PASSWORD = "a long enough password"
COLLIDING = ["endpoint=x", "_method=POST", "slug=x", "number=x", "state=x", "partner_id=x", "values=x",
             "_external=1", "_anchor=x", "_scheme=javascript"]


def log_in(client, email: str) -> None:
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD})


def test_query_parameters_named_like_route_arguments_are_harmless_on_public_pages(app):
    respondent = Respondent(app.test_client())
    respondent.start()
    paths = ["/s/family-voices", "/privacy", "/login", "/s/family-voices/results", respondent.path]
    failures = [(path, query) for path in paths for query in COLLIDING
                if respondent.client.get(f"{path}?{query}").status_code >= 500]
    assert failures == []


def test_query_parameters_named_like_route_arguments_are_harmless_on_staff_pages(app, client):
    storage.create_user("admin@example.org", PASSWORD, "admin")
    log_in(client, "admin@example.org")
    paths = ["/staff/", "/staff/surveys", "/staff/surveys/family-voices", "/staff/audit", "/staff/comments"]
    failures = [(path, query) for path in paths for query in COLLIDING
                if client.get(f"{path}?{query}").status_code >= 500]
    assert failures == []
    # The staff language menu comes back to the same page, filters included.
    assert 'name="next" value="/staff/?state=MN"' in client.get("/staff/?state=MN").text
