"""Families read each survey's own words (how long it takes, what it is for, what happens with
the answers), with generic defaults; a language is offered when everything a respondent must
read is translated, and staff are told which texts keep a language from being offered."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from survey_app import storage
from survey_app.extensions import db
from survey_app.models import Partner
from tests.conftest import PASSWORD, Respondent, log_in

SCHOOL_MEALS = Path(__file__).resolve().parent.parent / "data" / "school-meals.yaml"
MEALS_ANSWERS = ({"school": "lincoln", "grade": "middle"}, {"eats_lunch": "no"}, {"meal_problems": ["cost"]})


def meals(**settings) -> dict:
    """School Meals with some settings changed; a value of None removes the setting."""
    raw = copy.deepcopy(yaml.safe_load(SCHOOL_MEALS.read_text(encoding="utf-8")))
    for key, value in settings.items():
        if value is None:
            raw["settings"].pop(key, None)
        else:
            raw["settings"][key] = value
    return raw


def finish(client, slug: str, pages) -> str:
    respondent = Respondent(client, slug)
    respondent.start()
    for answers in pages:
        respondent.answer(**answers)
    assert respondent.path == f"/s/{slug}/thanks"
    return respondent.page.text


def test_survey_words_start_and_thanks_in_the_survey_words(app, client):
    storage.load_survey(meals())
    start = client.get("/s/school-meals").text
    assert "It takes about 2 minutes." in start and "5 minutes" not in start
    assert "Tell us what you think of the meals at your child&#39;s school." in start
    assert "Toma unos 2 minutos." in client.get("/s/school-meals?lang=es").text
    thanks = finish(app.test_client(), "school-meals", MEALS_ANSWERS)
    assert "The school district&#39;s meal team will read what families say." in thanks
    assert "learning English" not in thanks


def test_survey_words_generic_defaults_when_the_survey_declares_none(app, client):
    plain = meals(duration=None, thanks=None, **{"duration::es": None, "duration::so": None, "thanks::en": None,
                                                  "duration::en": None})
    storage.load_survey(plain)
    start = client.get("/s/school-meals?lang=so").text
    assert "Waxay qaadanaysaa dhowr daqiiqo." in start
    thanks = finish(app.test_client(), "school-meals", MEALS_ANSWERS)
    assert "Your answers will be counted together with everyone else's answers." in thanks
    assert "Community groups in your state" not in thanks


def test_survey_words_family_voices_keeps_its_wording(app, client, respondent):
    assert "Toma unos 5 minutos." in client.get("/s/family-voices?lang=es").text
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.create_user("mira@example.org", PASSWORD, "partner", mira)
    partner = app.test_client()
    log_in(partner, "mira@example.org")
    flyer = partner.get("/partner/surveys/family-voices/flyer/es").text
    assert "Su voz es importante para los niños que están aprendiendo inglés en la escuela." in flyer
    assert "Escanee el código o abra el enlace para responder." in flyer and "Toma unos 5 minutos." in flyer
    paper = partner.get("/partner/surveys/family-voices/paper/en").text
    assert "It takes about 5 minutes." in paper


def test_survey_words_flyer_and_paper_of_another_survey(app):
    storage.load_survey(meals(), status="open")
    mira = db.session.scalar(select(Partner).where(Partner.code == "mira"))
    storage.create_user("mira@example.org", PASSWORD, "partner", mira)
    partner = app.test_client()
    log_in(partner, "mira@example.org")
    flyer = partner.get("/partner/surveys/school-meals/flyer/es").text
    assert "children learning English" not in flyer and "Su voz es importante" not in flyer
    assert "Toma unos 2 minutos." in flyer and "No tiene que dar su nombre." in flyer
    # The title and purpose are written in English only: the Spanish flyer shows them in English.
    assert "School Meals" in flyer and "Tell us what you think of the meals" in flyer
    paper = partner.get("/partner/surveys/school-meals/paper/so").text
    assert "Waxay qaadanaysaa qiyaastii 2 daqiiqo." in paper


def test_survey_words_languages_offered_despite_an_untranslated_title(app, client):
    storage.load_survey(meals())
    start = client.get("/s/school-meals").text
    assert 'lang="es"' in start and 'lang="so"' in start
    spanish = client.get("/s/school-meals?lang=es").text
    assert '<html lang="es"' in spanish and "School Meals" in spanish


def without_somali_grade_label() -> dict:
    raw = meals()
    grade = next(row for row in raw["survey"] if row.get("name") == "grade")
    del grade["label::so"]
    return raw


def test_survey_words_load_survey_says_which_languages_are_offered(app, runner, tmp_path):
    path = tmp_path / "meals.yaml"
    path.write_text(yaml.safe_dump(without_somali_grade_label(), allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["load-survey", str(path)])
    assert result.exit_code == 0, result.output
    assert "es (Spanish): families will be offered it." in result.output
    assert "so (Somali): not offered: 1 texts families must read are not translated:" in result.output
    assert "survey sheet, row 4 (grade), column label::so" in result.output


def test_survey_words_staff_page_names_the_missing_texts(app, client):
    storage.load_survey(without_somali_grade_label())
    storage.create_user("staff@example.org", PASSWORD, "staff")
    log_in(client, "staff@example.org")
    page = client.get("/staff/surveys/school-meals").text
    assert "Offered to families" in page
    assert "No: 1 text families must read is not translated:" in page
    assert "survey sheet, row 4 (grade), column label::so" in page
    start = client.get("/s/school-meals").text
    assert 'lang="es"' in start and 'lang="so"' not in start


@pytest.mark.parametrize("setting, value, message", [
    ("report_rank", "nothing_here", "report_rank names 'nothing_here', which is not a question of the survey"),
    ("report_rank", "lunch_change", "report_rank names 'lunch_change', a text question"),
    ("report_group", "meal_problems", "report_group names 'meal_problems', a select_multiple question"),
    ("report_breakdowns", "grade lunch_change", "report_breakdowns names 'lunch_change'"),
])
def test_survey_words_report_settings_are_checked_on_load(app, runner, tmp_path, setting, value, message):
    path = tmp_path / "meals.yaml"
    path.write_text(yaml.safe_dump(meals(**{setting: value}), allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["load-survey", str(path)])
    assert result.exit_code != 0 and message in result.output
