"""The analysis reads a definition's questions as the forms' own `Question`s."""

from __future__ import annotations

import pytest

from analysis.definition import codes, columns, max_selected, questions, template
from forms.loading import load_survey
from forms.survey import Question

DEFINITION = {
    "settings": {"form_id": "family", "default_language": "en", "allow_choice_duplicates": True},
    "choices": {
        "county": [{"name": "hennepin", "label": {"en": "Hennepin"}, "columns": {"state": "MN"}},
                   {"name": "kings", "label": {"en": "Kings"}, "columns": {"state": "NY"}},
                   {"name": "hennepin", "label": {"en": "Hennepin"}, "columns": {"state": "NY"}}],
        "help": [{"name": "tutor", "label": {"en": "Tutor"}}, {"name": "bus", "label": {"en": "Bus"}},
                 {"name": "meals", "label": {"en": "Meals"}}, {"name": "books", "label": {"en": "Books"}}],
    },
    "survey": [
        {"type": "select_one", "list_name": "county", "name": "county", "label": {"en": "County"}},
        {"type": "note", "name": "welcome", "label": {"en": "Welcome"}},
        {"type": "select_multiple", "list_name": "help", "name": "help", "label": {"en": "Help"},
         "constraint": "count-selected(.) < 3"},
        {"type": "begin_repeat", "name": "child", "label": {"en": "Child"}, "repeat_count": "2"},
        {"type": "integer", "name": "age", "label": {"en": "Age"}},
        {"type": "end_repeat"},
    ],
}


def test_analysis_definition_questions_are_the_forms_questions() -> None:
    found = questions(DEFINITION)
    assert all(isinstance(q, Question) for q in found)
    assert [q.name for q in found] == ["county", "help", "age[1]", "age[2]"]
    laid_out = load_survey(DEFINITION).questions
    assert [q.name for q in found] == [name for name, q in laid_out.items() if q.type != "note"]
    assert all(q.choices == laid_out[q.name].choices for q in found)


def test_analysis_definition_codes_columns_and_template() -> None:
    county, helped, first, _second = questions(DEFINITION)
    assert codes(county) == ("hennepin", "kings")  # a code listed twice, for two states, is one category
    assert columns(county) == ["county"]
    assert columns(helped) == ["help/tutor", "help/bus", "help/meals", "help/books"]
    assert (template(first), template(county)) == ("age", None)


@pytest.mark.parametrize(("constraint", "most"), [
    ("count-selected(.) < 3", 2), ("count-selected(.) <= 3", 3), ("count-selected(.)<2", 1),
    ("3 > count-selected(.)", 2), ("count-selected(.) >= 1 and count-selected(.) <= 2", 2),
    ("count-selected(.) >= 2", None), ("not(selected(., 'bus'))", None), ("count-selected(.) < ${age}", None),
    ("count-selected(.) <", None),
])
def test_analysis_definition_max_selected_reads_the_constraint_as_the_form_checks_it(constraint, most) -> None:
    """A strict `<` allows one choice fewer than `<=`; limits that depend on which choices, or on
    other answers, or that do not parse, set none."""
    rows = [dict(row, constraint=constraint) if row.get("name") == "help" else row for row in DEFINITION["survey"]]
    helped = questions({**DEFINITION, "survey": rows})[1]
    assert max_selected(helped) == most
