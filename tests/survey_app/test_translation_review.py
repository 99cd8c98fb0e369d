"""Partners' native speakers review translations in the browser; staff accept changes."""
from __future__ import annotations

import io

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from survey_app import storage
from survey_app.extensions import db
from survey_app.models import AuditEvent, Partner, Survey, TranslationReview, User
from tests.conftest import csrf_token

PASSWORD = "a long enough password"
PAGE = "/review/family-voices/kea"
SCALE_QUESTION = {"kind": "survey", "context": "survey:school_communication:label",
                  "english": "How well does your school talk with you in a language you understand?"}
VERY_WELL = {"kind": "survey", "context": "choices:rating5:5", "english": "Very well"}
ANSWER_THIS = {"kind": "interface", "context": "", "english": "Answer this question."}


def logged_in(app, email: str, role: str, partner: Partner | None = None, language: str | None = None):
    storage.create_user(email, PASSWORD, role, partner, language)
    client = app.test_client()
    page = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_token(page.text), "email": email, "password": PASSWORD})
    return client


@pytest.fixture
def translator(app):
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    return logged_in(app, "kriolu@example.org", "translator", mira, "kea")


@pytest.fixture
def staff(app):
    return logged_in(app, "staff@example.org", "staff")


def post(client, page_url: str, action: str, text: dict, proposal: list[str] | None = None):
    page = client.get(page_url + "?show=all")
    data = {"csrf_token": csrf_token(page.text), "action": action, **text}
    if proposal is not None:
        data["proposal"] = proposal
    return client.post(page_url, data=data)


def review(text: dict) -> TranslationReview | None:
    db.session.expire_all()
    return db.session.scalar(select(TranslationReview).where(
        TranslationReview.language == "kea", TranslationReview.context == text["context"],
        TranslationReview.english == text["english"]))


def newest_definition() -> dict:
    db.session.expire_all()
    return db.session.scalar(select(Survey).where(Survey.slug == "family-voices")).versions[-1].definition


def test_translation_review_translator_sees_english_translation_and_glossary(translator):
    page = translator.get(PAGE + "?show=all")
    assert page.status_code == 200
    assert '<html lang="en" dir="ltr">' in page.text  # the page is English; each translation is marked kea
    assert '<textarea class="textarea" id="' in page.text and 'lang="kea" dir="ltr">Kantu dretu' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert SCALE_QUESTION["english"] in page.text
    assert "Kantu dretu ki bu skola ta papia ku bo na un língua ki bu ta intende?" in page.text
    assert "Jardin-infantil means preschool to parents from Cabo Verde." in page.text  # the glossary's note
    assert "Answer this question." in page.text  # interface strings too
    assert translator.get("/login", follow_redirects=False).status_code == 200
    assert "0 of " in translator.get("/review/").text


def test_translation_review_translator_approves_and_proposes(app, translator):
    reply = post(translator, PAGE, "approve", SCALE_QUESTION)
    assert reply.status_code == 302
    approved = review(SCALE_QUESTION)
    assert approved.status == "approved" and approved.reviewed_by.email == "kriolu@example.org"
    assert approved.reviewed_at is not None
    assert approved.translation == ["Kantu dretu ki bu skola ta papia ku bo na un língua ki bu ta intende?"]

    post(translator, PAGE, "propose", VERY_WELL, ["Dretu dimás"])
    proposed = review(VERY_WELL)
    assert proposed.status == "proposed" and proposed.proposal == ["Dretu dimás"]
    assert "Change proposed by <bdi>kriolu@example.org</bdi>" in translator.get(PAGE).text
    # Only texts still to review are listed by default: the approved one is gone.
    assert SCALE_QUESTION["english"] not in translator.get(PAGE).text


def test_translation_review_empty_proposal_is_refused_keeping_what_was_typed(app):
    russian = logged_in(app, "russkiy@example.org", "translator", language="ru")
    page_url = "/review/family-voices/ru"
    answer_only = {"kind": "interface", "context": "",
                   "english": "Answer only if you chose this answer in question %(number)d:"}
    reply = post(russian, page_url, "propose", answer_only, ["Первая форма %(number)d:", "", "Третья форма %(number)d:"])
    assert reply.status_code == 400
    assert "Write the proposed translation in every box." in reply.text
    assert "Первая форма %(number)d:</textarea>" in reply.text and "Третья форма %(number)d:</textarea>" in reply.text
    assert db.session.scalar(select(TranslationReview)) is None


def test_translation_review_staff_accept_survey_change_as_new_version(app, translator, staff):
    before = db.session.scalar(select(Survey).where(Survey.slug == "family-voices")).versions[-1].version
    post(translator, PAGE, "propose", VERY_WELL, ["Dretu dimás"])
    reply = post(translator, PAGE, "accept", VERY_WELL)
    assert reply.status_code == 403  # a translator cannot accept

    post(staff, PAGE, "accept", VERY_WELL)
    survey = db.session.scalar(select(Survey).where(Survey.slug == "family-voices"))
    db.session.refresh(survey)
    assert survey.versions[-1].version == before + 1
    labels = {choice["name"]: choice["label"] for choice in newest_definition()["choices"]["rating5"]}
    assert labels["5"]["kea"] == "Dretu dimás" and labels["5"]["en"] == "Very well"
    accepted = review(VERY_WELL)
    assert accepted.status == "accepted" and accepted.accepted_by.email == "staff@example.org"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "translation_accepted")) is not None
    # The accepted text counts as reviewed in the new version.
    page = translator.get(PAGE + "?show=all").text
    assert "Reviewed by <bdi>kriolu@example.org</bdi>" in page


def test_translation_review_interface_change_is_exported_as_po(app, translator, staff):
    post(translator, PAGE, "propose", ANSWER_THIS, ["Responde es purgunta, favor."])
    assert translator.get("/review/catalogs/kea/messages.po").status_code == 403
    post(staff, PAGE, "accept", ANSWER_THIS)
    download = staff.get("/review/catalogs/kea/messages.po")
    assert download.status_code == 200
    assert "messages-kea.po" in download.headers["Content-Disposition"]
    catalog = read_po(io.BytesIO(download.data))
    assert catalog.get("Answer this question.").string == "Responde es purgunta, favor."
    assert catalog.get("Next").string  # the rest of the catalog is all there


def test_translation_review_language_turns_reviewed_when_every_text_is(app, translator, staff):
    from survey_app.review.progress import items

    user = db.session.scalar(select(User).where(User.email == "kriolu@example.org"))
    survey = db.session.scalar(select(Survey).where(Survey.slug == "family-voices"))
    with app.test_request_context():
        found = items(survey.versions[-1], "kea")
    last = found[-1].text
    for item in found[:-1]:  # every text but one, approved beforehand
        text = item.text
        storage.review_translation(user, "kea", text.kind, text.context, text.english[0], text.translation,
                                   survey=survey if text.kind == "survey" else None)
    languages = staff.get("/staff/surveys/family-voices/languages").text
    assert f"{len(found) - 1} of {len(found)} texts" in languages

    post(translator, PAGE, "approve", {"kind": last.kind, "context": last.context, "english": last.english[0]})
    assert "Every text of this language is reviewed." in translator.get(PAGE).text
    languages = staff.get("/staff/surveys/family-voices/languages").text
    assert f"{len(found)} of {len(found)} texts" not in languages
    assert ">reviewed</a>" in languages
    assert "0 of " in languages  # other languages are still to review


def test_translation_review_refuses_other_users_and_languages(app, translator):
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    partner = logged_in(app, "partner@example.org", "partner", mira)
    assert partner.get("/review/").status_code == 403
    assert partner.get(PAGE).status_code == 403
    assert post(translator, PAGE, "approve", SCALE_QUESTION).status_code == 302
    assert translator.get("/review/family-voices/es").status_code == 403  # not their language
    assert translator.get("/staff/").status_code == 403
    assert app.test_client().get(PAGE).status_code == 302  # anonymous: to the log-in page


def test_translation_review_create_user_command_makes_a_translator(app, runner):
    refused = runner.invoke(args=["create-user", "t@example.org", "--role", "translator"])
    assert refused.exit_code != 0 and "a translator needs --language" in refused.output
    unknown = runner.invoke(args=["create-user", "t@example.org", "--role", "translator", "--language", "xx"])
    assert unknown.exit_code != 0 and "--language must be one of" in unknown.output
    made = runner.invoke(args=["create-user", "t@example.org", "--role", "translator", "--language", "so",
                               "--partner", "mira"])
    assert made.exit_code == 0, made.output
    user = db.session.scalar(select(User).where(User.email == "t@example.org"))
    assert (user.role, user.language, user.partner.code) == ("translator", "so", "mira")


def test_translation_review_flags_a_translation_off_the_glossary(app, translator, staff):
    one_issue = {"kind": "survey", "context": "survey:top_issues:required_message",
                 "english": "Choose at least one issue."}
    flag = "approved word for: issue."
    assert flag not in translator.get(PAGE).text
    post(translator, PAGE, "propose", one_issue, ["Skodje pelu menus un kuza."])
    post(staff, PAGE, "accept", one_issue)
    assert flag in translator.get(PAGE + "?show=all").text


def test_translation_review_proposal_keeps_line_breaks_as_the_catalogs_do(translator):
    post(translator, PAGE, "propose", VERY_WELL, ["Mutu\r\ndretu "])
    assert review(VERY_WELL).proposal == ["Mutu\ndretu"]
