"""A partner opens the portal and downloads a flyer; staff open a state report. Every staff and
partner page is checked with axe-core, on a phone and a desktop, in test_browser_staff_layout.py."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import url_for

from tests.browser.conftest import URL_VALUES

pytestmark = pytest.mark.browser


def test_partner_opens_portal_and_downloads_flyer(phone, logged_in, screenshots, live_server):
    logged_in(phone, "partner")
    assert urlsplit(phone.url).path == "/partner/"
    screenshots.take(phone, "portal")

    flyer_link = phone.locator("a[href*='/flyer/es']")
    if flyer_link.count() == 0:
        pytest.skip("the partner portal has no flyer link yet")
    with phone.expect_navigation():
        flyer_link.first.click()
    assert phone.evaluate("[...document.images].length > 0 && [...document.images].every(i => i.naturalWidth > 0)"), \
        "the flyer's QR code did not load"
    screenshots.take(phone, "flyer-es")
    pdf = phone.pdf(format="Letter", print_background=True)
    assert pdf.startswith(b"%PDF")
    (screenshots.folder / "flyer-es.pdf").write_bytes(pdf)

    phone.go_back()
    png_link = phone.locator("a[href*='/qr/es.png']")
    if png_link.count():
        with phone.expect_download() as download:
            png_link.first.click()
        saved = screenshots.folder / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(b"\x89PNG")


def test_staff_opens_state_report(phone, logged_in, screenshots, live_server):
    logged_in(phone, "staff")
    assert urlsplit(phone.url).path == "/staff/"
    screenshots.take(phone, "staff-home")
    rule = next((rule for rule in live_server.app.url_map.iter_rules()
                 if rule.endpoint.startswith("staff.") and "report" in rule.endpoint
                 and {"state", "state_code"} & rule.arguments and "GET" in rule.methods), None)
    if rule is None:
        pytest.skip("the staff state report is not built yet: app.url_map has no staff report route with a state")
    if not rule.arguments <= set(URL_VALUES) or "." in rule.rule.rsplit("/", 1)[-1]:
        pytest.skip(f"the state report's URL {rule.rule} has parts this test does not know")
    with live_server.app.test_request_context():
        path = url_for(rule.endpoint, **{name: URL_VALUES[name] for name in rule.arguments})
    answer = phone.goto(live_server.url(path))
    assert answer.status == 200
    assert phone.locator("h1").count() == 1
    assert phone.evaluate("[...document.images].every(i => i.naturalWidth > 0)"), "a chart did not load"
    screenshots.take(phone, "state-report-MN")
