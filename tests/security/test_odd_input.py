"""Odd values in query parameters are refused or ignored, never a server error."""
from __future__ import annotations

import pytest

from survey_app import storage
from tests.conftest import csrf_token

PASSWORD = "a long enough password"


@pytest.fixture
def staff(app, client):
    storage.create_user("staff@example.org", PASSWORD, "staff")
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": "staff@example.org",
                                "password": PASSWORD})
    return client


@pytest.mark.parametrize("before", [str(10**40), "-5", str(2**31), "0"])
def test_odd_input_audit_log_before_is_bounded(staff, before):
    reply = staff.get(f"/staff/audit?before={before}")
    assert reply.status_code == 200


@pytest.mark.parametrize("page", ["²", "٣", str(10**40), "-1", "1e9"])
def test_odd_input_comment_page_number(staff, page):
    assert staff.get(f"/staff/comments/family-voices/MN?page={page}").status_code in (200, 404)


@pytest.mark.parametrize("target", ["/%0D%0AX:1", "/%0AX:1", "/%09x", "/%5Cevil.example", "/%5C%5Cevil.example"])
def test_odd_input_next_after_log_in_stays_on_this_site(app, client, target):
    storage.create_user("staff@example.org", PASSWORD, "staff")
    page = client.get(f"/login?next={target}")
    reply = client.post(f"/login?next={target}", data={"csrf_token": csrf_token(page.text),
                                                        "email": "staff@example.org", "password": PASSWORD})
    assert reply.status_code == 302 and reply.location == "/staff/"


@pytest.mark.parametrize("token", ["%C3%A9", "%E2%80%AE" + "0" * 29, "%F0%9F%98%80"])
def test_odd_input_calendar_feed_with_a_non_ascii_key_is_not_found(client, token):
    reply = client.get(f"/partner/calendar/MN/{token}.ics")
    assert reply.status_code == 404


@pytest.mark.parametrize("path, allowed", [("/s/family-voices", {"GET", "HEAD", "OPTIONS"}),
                                           ("/login", {"GET", "HEAD", "OPTIONS", "POST"})])
def test_odd_input_a_method_a_page_does_not_take_is_told_which_it_does(client, path, allowed):
    reply = client.open(path, method="DELETE")
    assert reply.status_code == 405
    assert set(reply.headers["Allow"].split(", ")) == allowed
    assert "Something was wrong with that request" in reply.text
