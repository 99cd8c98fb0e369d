"""Partner users share tracked links, QR codes and printable flyers for open surveys."""
from __future__ import annotations

import re
import struct

import pytest
from sqlalchemy import select

from survey_app import qr, storage, surveys
from survey_app.extensions import db
from survey_app.models import Partner, Survey
from tests.conftest import csrf_token

PASSWORD = "a long enough password"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def partner(code: str) -> Partner:
    return db.session.scalar(select(Partner).where(Partner.code == code))


@pytest.fixture
def mira_client(app, client):
    storage.create_user("mira@example.org", PASSWORD, "partner", partner("mira"))
    storage.create_user("nyic@example.org", PASSWORD, "partner", partner("nyic"))
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": "mira@example.org", "password": PASSWORD})
    return client


@pytest.fixture
def offered(app):
    with app.test_request_context():
        survey = surveys.find_survey("family-voices")
        return surveys.offered_languages(survey, surveys.newest_version("family-voices"))


def tracked_refs(html: str) -> set[str]:
    return set(re.findall(r"/s/family-voices\?ref=([^&\"<]+)", html))


def close_survey() -> None:
    survey = db.session.scalar(select(Survey).where(Survey.slug == "family-voices"))
    survey.status = "closed"
    db.session.commit()


def test_partner_distribute_home_lists_own_link_for_every_offered_language(mira_client, offered):
    page = mira_client.get("/partner/")
    assert page.status_code == 200
    assert len(offered) > 1
    for code in offered:
        assert f"http://localhost/s/family-voices?ref=mira&amp;lang={code}</code>" in page.text
        assert f"/partner/surveys/family-voices/qr/{code}.svg" in page.text
        assert f"/partner/surveys/family-voices/qr/{code}.png" in page.text
        assert f"/partner/surveys/family-voices/flyer/{code}\"" in page.text
    assert "العربية" in page.text
    assert tracked_refs(page.text) == {"mira"}


def test_partner_distribute_home_hides_closed_surveys(mira_client):
    close_survey()
    page = mira_client.get("/partner/")
    assert "ref=mira" not in page.text
    assert "No survey is open at the moment." in page.text


def test_partner_distribute_svg_is_a_qr_image(mira_client):
    reply = mira_client.get("/partner/surveys/family-voices/qr/es.svg")
    assert reply.status_code == 200
    assert reply.mimetype == "image/svg+xml"
    assert reply.data.startswith((b"<?xml", b"<svg"))
    assert b"<svg" in reply.data and b"viewBox=" in reply.data and b"<path" in reply.data


def test_partner_distribute_png_is_a_sensible_image(mira_client):
    reply = mira_client.get("/partner/surveys/family-voices/qr/en.png")
    assert reply.status_code == 200
    assert reply.mimetype == "image/png"
    assert reply.data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", reply.data[16:24])  # the IHDR chunk comes first
    assert width == height and 200 <= width <= 1000


def test_partner_distribute_qr_encodes_own_link(app, mira_client):
    expected = qr.qr_svg("http://localhost/s/family-voices?ref=mira&lang=es")
    assert mira_client.get("/partner/surveys/family-voices/qr/es.svg").data == expected
    assert mira_client.get("/partner/surveys/family-voices/qr/es.png").data == qr.qr_png(
        "http://localhost/s/family-voices?ref=mira&lang=es", 10)


def test_partner_distribute_flyer_in_english(mira_client):
    page = mira_client.get("/partner/surveys/family-voices/flyer/en")
    assert page.status_code == 200
    assert '<html lang="en" dir="ltr">' in page.text
    assert "<h1 class=\"flyer-title\">Family Voices</h1>" in page.text
    assert "Your voice matters for children learning English at school." in page.text
    assert "Scan the code or open the link to answer." in page.text
    assert 'src="/partner/surveys/family-voices/qr/en.svg"' in page.text
    assert "http://localhost/s/family-voices?ref=mira&amp;lang=en" in page.text
    assert "<bdi>Massachusetts Immigrant and Refugee Advocacy Coalition (MIRA)</bdi>" in page.text
    assert "print.css" in page.text and "style=" not in page.text and "<script" not in page.text


def test_partner_distribute_flyer_in_arabic_is_right_to_left(mira_client):
    page = mira_client.get("/partner/surveys/family-voices/flyer/ar")
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "أصوات العائلات" in page.text  # the survey's title in Arabic
    assert 'src="/partner/surveys/family-voices/qr/ar.svg"' in page.text
    assert '<p class="flyer-link" dir="ltr">http://localhost/s/family-voices?ref=mira&amp;lang=ar</p>' in page.text
    # The controls around the flyer stay in the partner user's own language.
    assert '<nav class="screen-only" lang="en" dir="ltr">' in page.text
    assert "Back to your survey links" in page.text


@pytest.mark.parametrize("path", ["qr/xx.svg", "qr/xx.png", "flyer/xx", "qr/EN.svg"])
def test_partner_distribute_unknown_language_is_404(mira_client, path):
    assert mira_client.get(f"/partner/surveys/family-voices/{path}").status_code == 404


@pytest.mark.parametrize("path", ["qr/en.svg", "qr/en.png", "flyer/en"])
def test_partner_distribute_unknown_survey_is_404(mira_client, path):
    assert mira_client.get(f"/partner/surveys/no-such-survey/{path}").status_code == 404


@pytest.mark.parametrize("path", ["qr/en.svg", "qr/en.png", "flyer/en"])
def test_partner_distribute_closed_survey_is_404(mira_client, path):
    close_survey()
    assert mira_client.get(f"/partner/surveys/family-voices/{path}").status_code == 404


def test_partner_distribute_language_switched_off_is_404(mira_client):
    survey = db.session.scalar(select(Survey).where(Survey.slug == "family-voices"))
    storage.set_survey_languages(survey, ["es"])
    assert mira_client.get("/partner/surveys/family-voices/flyer/ar").status_code == 404
    assert mira_client.get("/partner/surveys/family-voices/flyer/es").status_code == 200
    assert "ref=mira&amp;lang=ar" not in mira_client.get("/partner/").text


@pytest.mark.parametrize("path", ["/partner/", "/partner/surveys/family-voices/qr/en.svg",
                                  "/partner/surveys/family-voices/qr/en.png",
                                  "/partner/surveys/family-voices/flyer/en"])
def test_partner_distribute_never_shows_another_partners_code(mira_client, path):
    # A `ref` in the address is ignored: the code always comes from the logged-in user.
    reply = mira_client.get(f"{path}?ref=nyic&partner=nyic&code=nyic")
    assert reply.status_code == 200
    if path == "/partner/":
        # The language menu keeps the page's own query; the links to share do not take it.
        assert tracked_refs(reply.text) == {"mira"}
    else:
        assert b"nyic" not in reply.data
    if path.endswith(".svg"):
        assert reply.data == qr.qr_svg("http://localhost/s/family-voices?ref=mira&lang=en")


@pytest.mark.parametrize("path", ["/partner/surveys/family-voices/qr/en.svg",
                                  "/partner/surveys/family-voices/qr/en.png",
                                  "/partner/surveys/family-voices/flyer/en"])
def test_partner_distribute_needs_a_partner_login(app, client, path):
    assert client.get(path).status_code == 302
    storage.create_user("staff@example.org", PASSWORD, "staff")
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": "staff@example.org",
                                "password": PASSWORD})
    assert client.get(path).status_code == 403


def test_partner_distribute_home_gives_each_language_a_card_with_a_copyable_link(mira_client, offered):
    page = mira_client.get("/partner/")
    cards = re.findall(r'<li class="link-card"[^>]*>(.*?)</li>', page.text, re.S)
    assert len(cards) == len(offered)
    assert "<table" not in page.text
    for code, card in zip(offered, cards, strict=True):
        link = f"http://localhost/s/family-voices?ref=mira&amp;lang={code}"
        assert f'data-copy="{link}"' in card
        assert f"/partner/surveys/family-voices/flyer/{code}\"" in card
    # The copy button is added by a script from this site, which the page's policy allows.
    script = re.search(r'<script src="(/static/[^"]+\.js(?:\?v=\w+)?)" defer></script>', page.text).group(1)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    served = mira_client.get(script)
    try:
        assert served.status_code == 200 and "navigator.clipboard" in served.text
    finally:
        served.close()
