"""Calculations, defaults, conditions in `required` and choice filters, as the one skip-logic pass
(`forms.relevance`) and the definition see them."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from forms.builder import default_answers
from forms.loading import load_survey
from forms.survey import DefinitionError, Survey
from forms.text_coverage import missing_texts, translation_coverage
from forms.normalising import normalise
from forms.expressions import parse
from forms.navigation import shown_pages, shown_questions
from forms.relevance import counted_answers, is_required, offered_choices


def survey(*rows: dict[str, Any], choices: list[dict[str, Any]] | None = None) -> Survey:
    return load_survey(normalise({"settings": {"form_id": "logic"}, "survey": list(rows),
                                       "choices": choices or YES_NO}))


YES_NO = [{"list_name": "yes_no", "name": "yes", "label::en": "Yes"},
          {"list_name": "yes_no", "name": "no", "label::en": "No"}]
PLACES = [*YES_NO,
          {"list_name": "state", "name": "mn", "label::en": "Minnesota"},
          {"list_name": "state", "name": "ca", "label::en": "California"},
          {"list_name": "county", "name": "hennepin", "label::en": "Hennepin", "state": "mn"},
          {"list_name": "county", "name": "ramsey", "label::en": "Ramsey", "state": "mn"},
          {"list_name": "county", "name": "alameda", "label::en": "Alameda", "state": "ca"}]
CASCADE = survey(
    {"type": "begin_group", "name": "where"},
    {"type": "select_one state", "name": "state", "label::en": "State?"},
    {"type": "select_multiple county", "name": "counties", "label::en": "Counties?", "choice_filter": "state=${state}"},
    {"type": "select_one county", "name": "home", "label::en": "Home?", "choice_filter": "selected(${counties}, name)"},
    {"type": "end_group"},
    choices=PLACES)


def test_logic_choice_filter_offers_the_choices_of_the_earlier_answer():
    names = [choice.name for choice in offered_choices(CASCADE.questions["counties"], {"state": "mn"})]
    assert names == ["hennepin", "ramsey"]
    home = offered_choices(CASCADE.questions["home"], {"state": "mn", "counties": ["ramsey"]})
    assert [choice.name for choice in home] == ["ramsey"]
    assert offered_choices(CASCADE.questions["counties"], {}) == ()


def test_logic_choice_filter_on_an_answer_of_the_same_page_puts_the_question_on_the_next_page():
    assert [[q.name for q in page.questions] for page in CASCADE.pages] == [["state"], ["counties"], ["home"]]
    assert {page.name for page in CASCADE.pages} == {"where"}


@pytest.mark.parametrize(("answers", "counted"), [
    ({"state": "mn", "counties": ["hennepin", "ramsey"], "home": "ramsey"},
     {"state": "mn", "counties": ["hennepin", "ramsey"], "home": "ramsey"}),
    # The state changed after the counties were chosen: the counties it does not have are dropped,
    # and so is a home county that is no longer among them, as with an answer that no longer applies.
    ({"state": "ca", "counties": ["hennepin", "alameda"], "home": "hennepin"},
     {"state": "ca", "counties": ["alameda"]}),
    ({"state": "ca", "counties": ["hennepin"], "home": "hennepin"}, {"state": "ca"}),
])
def test_logic_answer_the_filter_no_longer_offers_does_not_count(answers, counted):
    assert counted_answers(CASCADE, answers) == counted


COUNTS = survey(
    {"type": "integer", "name": "adults", "label::en": "Adults?"},
    {"type": "integer", "name": "children", "label::en": "Children?"},
    {"type": "calculate", "name": "people", "calculation": "${adults} + ${children}"},
    {"type": "calculate", "name": "crowded", "calculation": "if(${people} > 4, 'yes', 'no')",
     "relevant": "${adults} > 0"},
    {"type": "begin_group", "name": "more"},
    {"type": "text", "name": "why", "label::en": "Why ${people}?", "relevant": "${crowded} = 'yes'",
     "required": "${children} > 2"},
    {"type": "end_group"})


@pytest.mark.parametrize(("answers", "counted"), [
    ({"adults": 2, "children": 3, "why": "Family"},
     {"adults": 2, "children": 3, "people": "5", "crowded": "yes", "why": "Family"}),
    ({"adults": 2, "children": 1, "why": "stale"}, {"adults": 2, "children": 1, "people": "3", "crowded": "no"}),
    # A missing number gives no value (not NaN), and a calculation that does not apply gives none.
    ({"adults": 0}, {"adults": 0}),
    # Whatever a draft holds under a calculation's name, the calculation decides.
    ({"adults": 1, "children": 0, "people": "99"}, {"adults": 1, "children": 0, "people": "1", "crowded": "no"}),
])
def test_logic_calculations_are_worked_out_in_survey_order(answers, counted):
    assert counted_answers(COUNTS, answers) == counted


def test_logic_calculations_are_never_shown_and_required_follows_its_condition():
    assert [q.name for q in shown_questions(COUNTS.pages[0], {})] == ["adults", "children"]
    assert shown_pages(COUNTS, {"adults": 1, "children": 0}) == [0]
    assert shown_pages(COUNTS, {"adults": 3, "children": 3}) == [0, 1]
    why = COUNTS.questions["why"]
    assert is_required(why, {"children": 3.0}) and not is_required(why, {"children": 2.0})


@pytest.mark.parametrize(("row", "default", "dynamic"), [
    ({"type": "integer", "default": "4"}, "4", False),
    ({"type": "select_multiple yes_no", "default": "yes no"}, "yes no", False),
    ({"type": "date", "default": "today()"}, "today()", True),
    ({"type": "text", "default": "Other (please say)"}, "Other (please say)", False),
])
def test_logic_default_as_written_or_worked_out(row, default, dynamic):
    question = survey({"name": "q", "label::en": "Q?", **row}).questions["q"]
    assert question.default == default and (question.default_expression is not None) == dynamic


@pytest.mark.parametrize(("row", "message"), [
    ({"type": "integer", "default": "four"}, "the default 'four' is not a integer answer"),
    ({"type": "date", "default": "2025-13-01"}, "the default '2025-13-01' is not a date answer"),
    ({"type": "select_one yes_no", "default": "maybe"}, "the default 'maybe' is not a choice of the list 'yes_no'"),
    ({"type": "text", "default": "${later}"}, "the default expression refers to ${later}, which is not a question"),
    ({"type": "select_one yes_no", "choice_filter": "colour = 'red'"}, "the choice_filter names the column colour"),
    ({"type": "text", "required": "${q} = "}, "the required expression is not valid"),
    ({"type": "calculate", "label::en": "Q?"}, "a calculate row needs a calculation"),
    ({"type": "text", "calculation": "1 + 1"}, "only a calculate row has a calculation"),
    ({"type": "calculate", "calculation": "1", "required": True}, "a calculate row is not answered, so it has no "
     "required"),
])
def test_logic_definition_refuses_what_cannot_work(row, message):
    with pytest.raises(DefinitionError, match=r"^survey row 1 \('q'\): " + message.replace("$", r"\$")
                       .replace("{", r"\{").replace("}", r"\}").replace("(", r"\(").replace(")", r"\)")):
        survey({"name": "q", "label::en": "Q?", **row})


@pytest.mark.parametrize(("source", "answers", "text"), [
    ("${a} * 2", {"a": 3}, "6"),
    ("${a} div 3", {"a": 1}, "0.3333333333333333"),
    ("round(${a} div 3, 2)", {"a": 2}, "0.67"),
    ("round(2.5)", {}, "3"),
    ("round(-2.5)", {}, "-3"),
    ("${a} + 1", {}, ""),
    ("concat(${a}, '-', ${b})", {"a": "x", "b": ["p", "q"]}, "x-p q"),
    ("${a} > 1", {"a": 2}, "true"),
])
def test_logic_calculation_text_is_what_odk_stores(source, answers, text):
    assert parse(source).text(answers) == text


def test_logic_today_is_the_date_and_choice_columns_read_bare_names():
    assert parse("today()").text({}) == date.today().isoformat()
    choice_filter = parse("state = ${state} and name != 'x'", choice_columns=True)
    assert choice_filter.columns == {"state", "name"} and choice_filter.references == {"state"}
    assert choice_filter.is_true({"state": "mn"}, choice={"state": "mn", "name": "a"})
    assert not choice_filter.is_true({"state": "mn"}, choice={"state": "ca", "name": "a"})


DEFAULTS = survey(
    {"type": "text", "name": "name", "label::en": "Name?"},
    {"type": "begin_group", "name": "about"},
    {"type": "text", "name": "called", "label::en": "Called?", "default": "${name}"},
    {"type": "date", "name": "when", "label::en": "When?", "default": "today()"},
    {"type": "integer", "name": "count", "label::en": "How many?", "default": "2"},
    {"type": "select_one yes_no", "name": "sure", "label::en": "Sure?", "default": "concat('ye', 's')"},
    {"type": "end_group"})


def test_logic_defaults_fill_only_questions_never_answered():
    assert default_answers(DEFAULTS, 1, {"name": "Amina"}, {}) == {
        "called": "Amina", "when": date.today().isoformat(), "count": 2, "sure": "yes"}
    # An answer left empty stays empty; a default worked out as nothing fills nothing.
    assert default_answers(DEFAULTS, 1, {}, {"count": None, "when": None}) == {"sure": "yes"}


def test_logic_a_code_repeated_for_another_filter_value_needs_allow_choice_duplicates():
    rows = [{"type": "select_one state", "name": "state", "label::en": "State?"},
            {"type": "select_one county", "name": "county", "label::en": "County?", "choice_filter": "state=${state}"}]
    counties = [*PLACES, {"list_name": "county", "name": "hennepin", "label::en": "Hennepin", "state": "ca"}]
    with pytest.raises(DefinitionError, match="choice 'hennepin' appears twice in list 'county'"):
        normalise({"settings": {"form_id": "logic"}, "survey": rows, "choices": counties})
    allowed = load_survey(normalise({"settings": {"form_id": "logic", "allow_choice_duplicates": "yes"},
                                          "survey": rows, "choices": counties}))
    offered = offered_choices(allowed.questions["county"], {"state": "ca"})
    assert [choice.name for choice in offered] == ["alameda", "hennepin"]


def test_logic_label_of_a_calculation_is_not_a_text_to_translate():
    definition = normalise({"settings": {"form_id": "logic"}, "choices": [], "survey": [
        {"type": "integer", "name": "a", "label::en": "A?", "label::es": "¿A?"},
        {"type": "calculate", "name": "b", "label::en": "Twice a", "calculation": "${a} * 2"}]})
    assert missing_texts(definition, "es") == [] and translation_coverage(definition, "es") == (1, 1)


def test_logic_question_shown_on_a_calculation_of_its_page_is_asked_on_the_next():
    split = survey(
        {"type": "begin_group", "name": "g", "label::en": "Home"},
        {"type": "integer", "name": "a", "label::en": "A?"},
        {"type": "calculate", "name": "twice", "calculation": "${a} * 2"},
        {"type": "integer", "name": "b", "label::en": "B?", "constraint": ". < ${twice}", "required": "${a} > 1"},
        {"type": "text", "name": "c", "label::en": "C?", "relevant": "${twice} > 4"},
        {"type": "end_group"})
    assert [[q.name for q in page.questions] for page in split.pages] == [["a", "twice", "b"], ["c"]]
    assert split.pages[1].label == {"en": "Home"}
