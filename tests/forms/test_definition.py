"""The definition loader accepts the default survey and rejects broken ones with
a message that names the question and what is wrong."""
from __future__ import annotations

import copy
import re

import pytest
import yaml

from forms.loading import load_survey
from forms.survey import DefinitionError
from forms.text_coverage import missing_texts, translation_coverage
from forms.normalising import normalise

with open("surveys/family-voices.yaml", encoding="utf-8") as handle:
    FAMILY_VOICES = yaml.safe_load(handle)


def minimal(**changes) -> dict:
    raw = {
        "settings": {"form_id": "mini", "default_language": "en"},
        "survey": [
            {"type": "begin_group", "name": "p1", "label::en": "Page"},
            {"type": "select_one yn", "name": "q1", "label::en": "Question?"},
            {"type": "end_group"},
        ],
        "choices": [{"list_name": "yn", "name": "yes", "label::en": "Yes"}],
    }
    raw.update(changes)
    return raw


def test_definition_family_voices_has_the_questions_parents_need():
    survey = load_survey(normalise(copy.deepcopy(FAMILY_VOICES)))
    questions = survey.questions
    assert 10 <= len(questions) <= 14
    assert {"role", "state", "grade_bands", "home_languages", "top_issues", "school_communication",
            "interpreter_offered", "one_change"} <= set(questions)
    assert len(questions["top_issues"].choices) in range(14, 17)
    assert [c.name for c in questions["state"].choices] == ["CA", "IL", "MA", "MN", "NY", "TN", "WA", "other"]
    assert len(survey.pages) == 5


def test_definition_accepts_odk_language_columns():
    raw = minimal(survey=[{"type": "select_one yn", "name": "q1", "label::English (en)": "Question?",
                           "label::Español (es)": "¿Pregunta?"}])
    definition = normalise(raw)
    assert definition["survey"][0]["label"] == {"en": "Question?", "es": "¿Pregunta?"}
    assert translation_coverage(definition, "es") == (1, 2)


@pytest.mark.parametrize("change, message", [
    ({"settings": {"form_id": "Bad Id"}}, "form_id must be lower-case"),
    ({"survey": [{"type": "select_one nolist", "name": "q1", "label::en": "Q"}]}, "'q1'): the choice list 'nolist'"),
    ({"survey": [{"type": "geopoint", "name": "where", "label::en": "Q"}]}, "'where'): type 'geopoint' is not supported"),
    ({"survey": [{"type": "text", "name": "q1", "label::en": "Q"}, {"type": "text", "name": "q1", "label::en": "R"}]},
     "the name 'q1' is used twice"),
    ({"survey": [{"type": "text", "name": "q1"}]}, "'q1'): the question has no label in the default language"),
    ({"survey": [{"type": "text", "name": "2nd", "label::en": "Q"}]}, "the name must start with a letter"),
    ({"survey": [{"type": "text", "name": "q1", "label::en": "Q", "relevant": "${q1 = 'x'"}]},
     "'q1'): the relevant expression is not valid"),
    ({"survey": [{"type": "text", "name": "q1", "label::en": "Q", "relevant": "${later} = 'x'"},
                 {"type": "text", "name": "later", "label::en": "L"}]}, "refers to ${later}, which is not a question above"),
    ({"survey": [{"type": "text", "name": "q1", "label::en": "Q", "constraint": "__import__('os')"}]},
     "'q1'): the constraint expression is not valid"),
    ({"survey": [{"type": "text", "name": "q1", "label::en": "Q", "appearance": "minimal"}]},
     "'q1'): column 'appearance' is not supported"),
    ({"survey": [{"type": "begin_group", "name": "g"}, {"type": "text", "name": "q1", "label::en": "Q"}]},
     "group 'g' has no end_group"),
    ({"survey": [{"type": "end_group"}]}, "end_group without a begin_group"),
    ({"survey": [{"type": "text", "name": "q1", "label": "Q"}]}, "column 'label' needs a language"),
    ({"choices": [{"list_name": "yn", "name": "yes", "label::en": "Yes"}, {"list_name": "yn", "name": "yes", "label::en": "Y"}]},
     "choice 'yes' appears twice in list 'yn'"),
    ({"survey": []}, "The survey has no questions"),
])
def test_definition_rejects_broken_definition_with_clear_message(change, message):
    raw = minimal(**change)
    with pytest.raises(DefinitionError, match=message.replace("(", r"\(").replace(")", r"\)").replace("$", r"\$")):
        normalise(raw)


def test_definition_rejects_missing_parts():
    with pytest.raises(DefinitionError, match="settings, survey and choices"):
        normalise({"survey": []})


def test_definition_report_settings_name_select_questions():
    raw = minimal(settings={"form_id": "mini", "default_language": "en", "report_rank": "q1",
                            "report_group": "q1", "report_breakdowns": "q1 language channel"})
    survey = load_survey(normalise(raw))
    assert (survey.report_rank, survey.report_group, survey.report_breakdowns) == ("q1", "q1",
                                                                                     ("q1", "language", "channel"))


@pytest.mark.parametrize("setting, value, message", [
    ("report_rank", "q9", "settings: report_rank names 'q9', which is not a question of the survey."),
    ("report_group", "t1", "settings: report_group names 't1', a text question; it must name a select_one"),
    ("report_breakdowns", "q1 t1", "settings: report_breakdowns names 't1', which is a text question"),
])
def test_definition_refuses_report_settings_naming_other_questions(setting, value, message):
    raw = minimal(settings={"form_id": "mini", "default_language": "en", setting: value})
    raw["survey"].insert(2, {"type": "text", "name": "t1", "label::en": "Text"})
    with pytest.raises(DefinitionError, match=re.escape(message)):
        normalise(raw)


def test_definition_missing_texts_leave_out_the_title():
    raw = minimal(settings={"form_id": "mini", "default_language": "en", "form_title::en": "Mini"})
    raw["survey"][1]["label::so"] = "Su'aal?"
    definition = normalise(raw)
    # The page title (the group's label) is read too; the survey's title is not needed.
    assert [str(text) for text in missing_texts(definition, "so")] == [
        "survey sheet, row 2 (p1), column label::so", "choices sheet, row 2 (yes), column label::so"]
    assert translation_coverage(definition, "so") == (1, 3)
