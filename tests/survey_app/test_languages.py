"""Every family reads the whole survey in its own language."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from forms.normalising import normalise
from survey_app.i18n.locale import BY_CODE, LANGUAGES, normalise_code
from survey_app.i18n.translation_status import catalog_status, placeholders, survey_placeholder_problems
from tests.conftest import FULL_ANSWERS, Respondent, csrf_token

TRANSLATIONS = Path("translations")
with open("surveys/family-voices.yaml", encoding="utf-8") as handle:
    DEFINITION = normalise(yaml.safe_load(handle))
NON_ENGLISH = [language.code for language in LANGUAGES if language.code != "en"]
RTL = {"ar", "prs", "ur", "ckb"}
LANGUAGE_MENU = re.compile(r'<details class="languages">.*?</details>', re.DOTALL)


class TextNodes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code"):
            self.skip -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.skip:
            self.texts.append(text)


def text_nodes(html: str) -> list[str]:
    parser = TextNodes()
    parser.feed(LANGUAGE_MENU.sub("", html))
    return parser.texts


def english_strings(code: str) -> set[str]:
    """English texts whose translation in `code` differs from the English."""
    english: dict[str, str] = {}
    with (TRANSLATIONS / BY_CODE[code].folder / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        for message in read_po(handle):
            if message.id and isinstance(message.id, str) and message.context != "staff":
                english[message.id] = message.string
    texts = [DEFINITION["settings"]["title"], DEFINITION["settings"]["description"]]
    for row in DEFINITION["survey"]:
        texts.extend(value for key, value in row.items() if isinstance(value, dict))
    texts.extend(choice["label"] for items in DEFINITION["choices"].values() for choice in items)
    for text in texts:
        if text.get("en"):
            english[text["en"]] = text.get(code, "")
    return {source for source, translated in english.items() if translated != source and len(source) > 2}


def visit_every_page(client, code: str) -> list[str]:
    """Start, each page (with its errors), thank-you, privacy and an error page, in `code`."""
    pages = []
    respondent = Respondent(client)
    pages.append(respondent.open(f"?lang={code}").text)
    respondent.start()
    pages.append(respondent.answer().text)  # nothing chosen: required messages
    pages.append(respondent.answer(role="parent", state="other").text)  # the other-state message
    respondent.answer(role="parent", state="other", state_other="Oregon")
    pages.append(respondent.page.text)
    respondent.answer(grade_bands=["k5"], child_el="yes")
    pages.append(respondent.page.text)
    respondent.answer(home_languages=["so"])
    pages.append(respondent.answer(top_issues=["safety", "newcomers", "prek_access", "public_data"]).text)
    pages.append(respondent.answer(top_issues=["safety", "bogus"]).text)
    respondent.answer(top_issues=["safety"])
    pages.append(respondent.page.text)
    pages.append(respondent.answer(school_communication="3", interpreter_offered="always").text)
    pages.append(client.get("/privacy").text)
    pages.append(client.get("/s/no-such-survey").text)
    return pages


def visit_optional_pages(app, client, code: str) -> list[str]:
    """The pages families see only in some set-ups: contact opt-in, public results,
    a closed survey, and the too-many-tries page."""
    from cryptography.fernet import Fernet

    from survey_app.extensions import db
    from survey_app.models import Survey

    app.config["CONTACT_KEY"] = Fernet.generate_key().decode()
    survey = db.session.query(Survey).filter_by(slug="family-voices").one()
    survey.public_results = True
    db.session.commit()
    pages = []
    respondent = Respondent(client)
    respondent.start(f"?lang={code}")
    for answers in FULL_ANSWERS:
        respondent.answer(**answers)
    pages.append(respondent.page.text)  # thank-you page with the contact and results links
    contact = client.get("/s/family-voices/contact")
    pages.append(contact.text)
    pages.append(client.post("/s/family-voices/contact", data={"csrf_token": csrf_token(contact.text)}).text)
    pages.append(client.get("/s/family-voices/results", follow_redirects=True).text)
    pages.append(client.get("/s/family-voices/results/MN").text)
    app.config["RATELIMIT_PUBLIC"] = "1 per minute"
    again = Respondent(client)
    again.open()
    client.post("/s/family-voices/again", data={"csrf_token": csrf_token(again.page.text)})
    client.post("/s/family-voices/again", data={"csrf_token": csrf_token(again.page.text)})
    pages.append(client.post("/s/family-voices/again", data={"csrf_token": csrf_token(again.page.text)}).text)
    survey = db.session.query(Survey).filter_by(slug="family-voices").one()
    survey.status = "closed"
    db.session.commit()
    pages.append(client.get("/s/family-voices").text)
    return pages


def test_languages_every_language_is_offered(client):
    page = client.get("/s/family-voices")
    for language in LANGUAGES:
        assert f'lang="{language.code}"' in page.text, language.english_name
        assert f">{language.native_name}</a>" in page.text


@pytest.mark.parametrize("code", NON_ENGLISH)
def test_languages_no_english_leaks_into_a_translated_survey(app, client, code):
    english = english_strings(code)
    for html in visit_every_page(client, code) + visit_optional_pages(app, client, code):
        assert f'<html lang="{code}" dir="{"rtl" if code in RTL else "ltr"}">' in html
        leaked = [text for text in text_nodes(html) if text in english]
        assert not leaked, f"English text on a {code} page: {leaked}"


@pytest.mark.parametrize("code", NON_ENGLISH)
def test_languages_catalog_complete_with_same_placeholders(code):
    status = catalog_status(TRANSLATIONS, BY_CODE[code])
    assert status.translated == status.total
    assert status.broken == ()
    assert "draft" in status.review or "reviewed" in status.review
    assert survey_placeholder_problems(DEFINITION, code) == []


@pytest.mark.parametrize("text, found", [("Step %(position)d of %(total)d", ["%(position)d", "%(total)d"]),
                                         ("%(email)s", ["%(email)s"]), ("no placeholders", []),
                                         ("more than 100%%", ["%%"]), ("Share (%)", ["%"])])
def test_languages_placeholder_finder(text, found):
    assert placeholders(text) == sorted(found)


def test_languages_choice_sticks_for_the_visit_and_answers_stay_codes(app, client):
    from sqlalchemy import select

    from survey_app.extensions import db
    from survey_app.models import Answer, Response

    respondent = Respondent(client)
    respondent.start("?lang=so")
    assert '<html lang="so"' in respondent.page.text
    for answers in [{"role": "parent", "state": "MN"}, {"grade_bands": ["k5"]}, {"home_languages": ["so"]},
                    {"top_issues": ["safety"]}, {"school_communication": "4", "interpreter_offered": "never",
                                                 "one_change": "Turjubaan"}]:
        page = respondent.answer(**answers)
        assert '<html lang="so"' in page.text
    response = db.session.scalars(select(Response)).one()
    assert response.language == "so"
    values = set(db.session.scalars(select(Answer.value).where(Answer.response_id == response.id)))
    assert {"parent", "MN", "k5", "so", "safety", "4", "never", "Turjubaan"} == values


@pytest.mark.parametrize("header, expected", [
    ("es-MX,es;q=0.9,en;q=0.5", "es"), ("zh-TW,zh;q=0.8", "zh-Hant"), ("zh-CN", "zh-Hans"),
    ("ar-EG", "ar"), ("fa-AF", "prs"), ("hmn", "hmn"), ("de-DE,fr;q=0.8", "en"), ("", "en"),
])
def test_languages_browser_preference_is_followed(client, header, expected):
    page = client.get("/s/family-voices", headers={"Accept-Language": header})
    assert f'<html lang="{expected}"' in page.text


@pytest.mark.parametrize("value, expected", [("ZH-hant", "zh-Hant"), ("zh_Hans", "zh-Hans"), ("pt-BR", "pt"),
                                             ("xx", None), ("", None), (None, None)])
def test_languages_normalise_code(value, expected):
    assert normalise_code(value) == expected


def test_languages_rtl_pages_use_logical_css():
    css = Path("survey_app/static/site.css").read_text() + Path("survey_app/static/staff.css").read_text()
    assert not re.search(r"(margin|padding|border)-(left|right)|text-align:\s*(left|right)|float:", css)


def test_languages_free_text_keeps_its_own_direction(respondent):
    respondent.start("?lang=ar")
    respondent.answer(role="parent", state="CA")
    respondent.answer(grade_bands=["k5"])
    respondent.answer(home_languages=["ar"])
    page = respondent.answer(top_issues=["safety"])
    assert 'name="one_change"' in page.text and 'dir="auto"' in page.text
