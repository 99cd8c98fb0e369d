"""Plain-language lines beside each issue, and what each lever provides, in every survey
language: staff write the English, translators propose translations on the review pages, staff
accept them; families read the line on the results page in their language (or in English,
marked as English, where their language has none that is current)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from survey_app import policy, policy_texts, storage, surveys
from survey_app.cli.survey_files import DATA
from survey_app.extensions import db
from survey_app.models import Partner, PolicyLever, PolicyText
from survey_app.storage import read_partners_csv
from tests.conftest import csrf_token, log_in
from tests.survey_app.report_fixtures import SLUG

SPANISH_LINE = ("La escuela debe darle la información en un idioma que usted entienda, y un intérprete cuando lo "
                "necesite, sin costo.")
ENGLISH_LINE = ("Schools must give you information in a language you understand, and an interpreter when you need "
                "one, at no cost.")
REVIEW = f"/review/{SLUG}/es"


def load_lines() -> int:
    with (DATA / "issue_lines.csv").open(newline="", encoding="utf-8") as handle:
        return storage.load_issue_lines(csv.DictReader(handle))


@pytest.fixture
def lines(app, users):
    assert load_lines() == 16 * 19
    assert load_lines() == 0   # only once: later they are staff's to edit
    return app


@pytest.fixture
def published(app, staff, lines):
    page = staff.get(f"/staff/reports/{SLUG}")
    staff.post(f"/staff/reports/{SLUG}/public-results", data={"csrf_token": csrf_token(page.text),
                                                                 "public_results": "on"})
    app.config["REPORTS_REFRESH_IN_BACKGROUND"] = False
    return app.test_client()


@pytest.fixture
def translator(app, users):
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.create_user("espanol@example.org", "a long enough password", "translator", mira, "es")
    client = app.test_client()
    log_in(client, "espanol@example.org")
    return client


def review_post(client, action: str, context: str, english: str, proposal: list[str] | None = None):
    page = client.get(REVIEW + "?show=all")
    data = {"csrf_token": csrf_token(page.text), "action": action, "kind": "policy", "context": context,
            "english": english}
    if proposal is not None:
        data["proposal"] = proposal
    return client.post(REVIEW, data=data)


def issue_row(html: str, label: str) -> str:
    start = html.index(f'<th scope="row">{label}')
    return html[start:html.index("</tr>", start)]


def test_policy_texts_reference_file_has_every_issue_in_every_survey_language(lines):
    rows = read_partners_csv(Path(DATA / "issue_lines.csv"))
    issues = [choice.name for choice in policy.ranked_choices(surveys.parsed(surveys.newest_version(SLUG)))]
    assert {row["issue_code"] for row in rows} == set(issues)
    for issue in issues:
        assert {row["language"] for row in rows if row["issue_code"] == issue} >= {"en", "ar", "ksw", "es", "zh-Hans"}
    assert db.session.scalar(select(func.count()).select_from(PolicyText)) == 16 * 19


def test_policy_texts_results_page_shows_the_line_in_the_readers_language(published):
    html = published.get(f"/s/{SLUG}/results/MN?lang=es").text
    row = issue_row(html, "Intérpretes e información de la escuela en mi idioma")
    assert f'<span class="issue-line">{SPANISH_LINE}</span>' in row
    arabic = published.get(f"/s/{SLUG}/results/MN?lang=ar").text
    assert '<span class="issue-line">يجب أن تعطيك المدرسة المعلومات بلغة تفهمها' in arabic


def test_policy_texts_language_without_a_line_falls_back_to_marked_english(published):
    db.session.execute(delete(PolicyText).where(PolicyText.language == "ar",
                                                PolicyText.subject == "issue:language_access"))
    db.session.commit()
    html = published.get(f"/s/{SLUG}/results/MN?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in html
    assert f'<span class="issue-line" lang="en" dir="ltr">{ENGLISH_LINE}</span>' in html
    # Other issues keep their Arabic line.
    assert '<span class="issue-line">يجب أن تحافظ المدرسة على سلامة كل طفل' in html


def test_policy_texts_staff_change_the_english_and_old_translations_wait(published, staff):
    listing = staff.get("/staff/issue-lines").text
    assert ENGLISH_LINE in listing and "Draft" in listing and "Reviewed" not in listing
    page = staff.get("/staff/issue-lines/language_access")
    new = "Schools must give you papers in a language you understand."
    reply = staff.post("/staff/issue-lines/language_access",
                       data={"csrf_token": csrf_token(page.text), "line": f"  {new} "})
    assert reply.status_code == 302
    html = published.get(f"/s/{SLUG}/results/MN?lang=es").text
    assert f'<span class="issue-line" lang="en" dir="ltr">{new}</span>' in html
    assert SPANISH_LINE not in html
    assert "Out of date" in staff.get("/staff/issue-lines").text


def test_policy_texts_empty_english_is_refused_keeping_the_page(staff, lines):
    page = staff.get("/staff/issue-lines/language_access")
    reply = staff.post("/staff/issue-lines/language_access", data={"csrf_token": csrf_token(page.text), "line": " "})
    assert reply.status_code == 200 and "Write the sentence." in reply.text
    assert policy_texts.english_lines(["language_access"]) == {"language_access": ENGLISH_LINE}
    assert staff.get("/staff/issue-lines/no_such_issue").status_code == 404


def test_policy_texts_translator_proposes_and_staff_accept(published, staff, translator):
    page = translator.get(REVIEW + "?show=all").text
    assert "Policy: what families can ask for" in page and SPANISH_LINE in page
    better = "La escuela debe darle los papeles en un idioma que usted entienda y un intérprete gratis."
    assert review_post(translator, "propose", "issue:language_access", ENGLISH_LINE, [better]).status_code == 302
    # Proposed is not yet in use.
    assert SPANISH_LINE in published.get(f"/s/{SLUG}/results/MN?lang=es").text
    assert review_post(translator, "accept", "issue:language_access", ENGLISH_LINE).status_code == 403
    assert review_post(staff, "accept", "issue:language_access", ENGLISH_LINE).status_code == 302
    assert f'<span class="issue-line">{better}</span>' in published.get(f"/s/{SLUG}/results/MN?lang=es").text
    listing = staff.get("/staff/issue-lines").text
    section = listing[listing.index('id="issue-language_access"'):listing.index('id="issue-placement_notice"')]
    assert "Reviewed" in section and better in section
    # Approving a draft as it is marks it reviewed too.
    assert review_post(translator, "approve", "issue:safety", policy_texts.english_lines(["safety"])["safety"]
                       ).status_code == 302
    listing = staff.get("/staff/issue-lines").text
    section = listing[listing.index('id="issue-safety"'):]
    assert "Reviewed" in section


def test_policy_texts_lever_shown_in_the_page_language_once_translated(app, staff, translator, lines):
    assert storage.load_policy_levers(read_partners_csv(Path(DATA / "policy_levers.csv"))) == 17
    lever = db.session.scalar(select(PolicyLever).where(PolicyLever.issue == "language_access")
                              .order_by(PolicyLever.id))
    spanish = "Información a los padres en un formato y, en lo posible, en un idioma que entiendan"
    assert review_post(translator, "propose", f"lever:{lever.id}", lever.provides, [spanish]).status_code == 302
    assert review_post(staff, "accept", f"lever:{lever.id}", lever.provides).status_code == 302
    # A fact sheet in Spanish, and the report of a staff member who reads Spanish.
    sheet = staff.get(f"/staff/factsheets/{SLUG}/MN?language=es").text
    assert f'<bdi lang="es">{spanish}</bdi>' in sheet
    english = staff.get(f"/staff/reports/{SLUG}/MN").text
    assert f'<bdi lang="en">{lever.provides}</bdi>' in english
    app.extensions["staff_languages"] = ("en", "es")
    home = staff.get("/staff/")
    staff.post("/account/language", data={"csrf_token": csrf_token(home.text), "language": "es"})
    assert f'<bdi lang="es">{spanish}</bdi>' in staff.get(f"/staff/reports/{SLUG}/MN").text
    # When staff change the English, the translation no longer counts.
    storage.save_policy_text(f"lever:{lever.id}", "es", spanish, "an older English text", None)
    assert spanish not in staff.get(f"/staff/factsheets/{SLUG}/MN?language=es").text
