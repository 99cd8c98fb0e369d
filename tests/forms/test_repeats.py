"""Repeats laid out as pages: each instance's questions, expressions and texts rewritten, the
instances beyond the count not applying, and what a whole response check makes of them."""
from __future__ import annotations

import pytest

from forms.loading import load_survey
from forms.survey import DefinitionError, Survey
from forms.normalising import normalise
from forms.expressions import ExpressionError, parse
from forms.navigation import first_unfinished_page, shown_pages
from forms.relevance import counted_answers
from forms.repeats import MAX_INSTANCES, Repeat, instance_label, rewritten, split_instance


def survey(*rows: dict, count: str = "${children}") -> Survey:
    raw = {
        "settings": {"form_id": "family"},
        "choices": [{"list_name": "yes_no", "name": "yes", "label::en": "Yes"},
                    {"list_name": "yes_no", "name": "no", "label::en": "No"}],
        "survey": [
            {"type": "integer", "name": "children", "label::en": "How many children?"},
            {"type": "begin_repeat", "name": "child", "label::en": "Child", "repeat_count": count},
            {"type": "text", "name": "child_name", "label::en": "Name", "required": "yes"},
            {"type": "integer", "name": "age", "label::en": "Age of ${child_name}"},
            {"type": "select_one yes_no", "name": "el", "label::en": "EL services for ${child_name}?",
             "relevant": "${age} >= 5 and position(..) <= 3"},
            {"type": "end_repeat"},
            *rows,
        ],
    }
    return load_survey(normalise(raw))


REPEAT = Repeat("child", frozenset({"age", "child_name"}), parse("${children}").tree, MAX_INSTANCES)


@pytest.mark.parametrize("source, inside, answers, expected", [
    ("${age} > 4", 2, {"age[2]": 6, "age[1]": 3}, True),
    ("position(..) = 3", 3, {}, True),
    ("count(${child})", None, {"children": 4}, 4.0),
    ("sum(${age})", None, {"age[1]": 6, "age[2]": 9}, 15.0),
    ("indexed-repeat(${child_name}, ${child}, 2)", None, {"child_name[2]": "Omar"}, "Omar"),
    ("indexed-repeat(${child_name}, ${child}, ${children})", None, {"children": 2, "child_name[2]": "Omar"}, "Omar"),
    ("indexed-repeat(${child_name}, ${child}, 21)", None, {"child_name[2]": "Omar"}, ""),
])
def test_rewritten_reads_the_instances(source, inside, answers, expected):
    expression = rewritten(parse(source), {"child": REPEAT}, (REPEAT, inside) if inside else None)
    assert expression.evaluate(answers) == expected
    assert all(split_instance(name)[0] in {"age", "child_name", "children"} for name in expression.references)


@pytest.mark.parametrize("source, message", [
    ("${age} > 4", "${age} is asked once for each instance of the repeat 'child'"),
    ("${child} > 1", "${child} is a repeat; write count(${child})"),
    ("position(..) = 1", "position(..) can only be used inside a repeat"),
    ("count(${children})", "count() takes a repeat"),
    ("sum(${children})", "sum() takes a question inside a repeat"),
])
def test_rewritten_refuses_what_has_no_meaning_outside_the_repeat(source, message):
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)").replace("$", r"\$")):
        rewritten(parse(source), {"child": REPEAT})


def test_repeat_functions_outside_a_definition_are_not_evaluated():
    with pytest.raises(ExpressionError, match="position\\(\\) can only be used with a repeat"):
        parse("position(..) = 1").evaluate({})


def test_repeat_instances_beyond_the_count_do_not_count():
    definition = survey()
    answers = {"children": 2, "child_name[1]": "Amina", "age[1]": 7, "el[1]": "yes",
               "child_name[2]": "Omar", "age[2]": 3, "el[2]": "no", "child_name[3]": "Sara"}
    # Omar is 3: his EL question does not apply; there is no third child.
    assert counted_answers(definition, answers) == {"children": 2, "child_name[1]": "Amina", "age[1]": 7,
                                                    "el[1]": "yes", "child_name[2]": "Omar", "age[2]": 3}
    assert shown_pages(definition, answers) == [0, 1, 2]
    assert first_unfinished_page(definition, {"children": 2, "child_name[1]": "Amina", "age[1]": 7, "el[1]": "no"}) == 2
    assert first_unfinished_page(definition, {"children": 2, "child_name[1]": "Amina"}) == 1


def test_repeat_position_and_a_fixed_count():
    definition = survey(count="3")
    assert [page.name for page in definition.pages] == ["page_1", "child[1]", "child[2]", "child[3]"]
    assert definition.pages[3].relevant is None and definition.pages[3].instance == 3
    assert definition.questions["children"].most is None
    # position(..) <= 3: asked of every child here
    assert definition.questions["el[3]"].relevant.is_true({"age[3]": 6})


def test_repeat_answers_after_the_repeat():
    definition = survey({"type": "note", "name": "total", "label::en": "Total",
                         "relevant": "sum(${age}) > 10 and count(${child}) = 2"})
    relevant = definition.questions["total"].relevant
    assert relevant.is_true({"children": 2, "age[1]": 7, "age[2]": 5})
    assert not relevant.is_true({"children": 2, "age[1]": 7})
    assert instance_label("Age of ${child_name[2]}", "age[2]") == "Age of ${child_name} [2]"


@pytest.mark.parametrize("change, message", [
    ("0", "the repeat_count is 0; write a number from 1 to 20"),
    ("${later}", "the repeat_count expression refers to ${later}, which is not a question above it"),
    ("${children} +", "the repeat_count expression is not valid"),
])
def test_repeat_count_refused_with_the_row(change, message):
    with pytest.raises(DefinitionError, match="survey row 2 \\('child'\\): " + message.replace("$", "\\$")
                       .replace("{", "\\{").replace("}", "\\}").replace("+", "\\+")):
        survey(count=change)


def test_repeat_laid_out_names_cannot_repeat_a_name():
    with pytest.raises(DefinitionError, match="the name 'age' is used twice"):
        survey({"type": "integer", "name": "age", "label::en": "Your age"})


def test_repeat_of_too_many_questions_is_refused():
    rows = [{"type": "text", "name": f"q{number}", "label::en": "Q"} for number in range(101)]
    raw = {"settings": {"form_id": "big"}, "choices": [], "survey": [
        {"type": "integer", "name": "children", "label::en": "How many?"},
        {"type": "begin_repeat", "name": "child", "label::en": "Child", "repeat_count": "${children}"},
        *rows, {"type": "end_repeat"}]}
    with pytest.raises(DefinitionError, match="has 101 questions, asked up to 20 times; at most 2000"):
        normalise(raw)
    raw["survey"][1]["repeat_count"] = "19"
    assert len(load_survey(normalise(raw)).questions) == 1 + 101 * 19


def test_repeat_default_and_choice_filter_read_the_same_child():
    raw = {
        "settings": {"form_id": "family"},
        "choices": [{"list_name": "level", "name": "elem", "label::en": "Elementary"},
                    {"list_name": "grade", "name": "k", "label::en": "K", "level": "elem"},
                    {"list_name": "grade", "name": "g7", "label::en": "7th", "level": "middle"}],
        "survey": [
            {"type": "integer", "name": "children", "label::en": "How many children?"},
            {"type": "begin_repeat", "name": "child", "label::en": "Child", "repeat_count": "${children}"},
            {"type": "text", "name": "child_name", "label::en": "Name"},
            {"type": "select_one level", "name": "school", "label::en": "School"},
            {"type": "text", "name": "nickname", "label::en": "Called", "default": "${child_name}"},
            {"type": "select_one grade", "name": "grade", "label::en": "Grade", "choice_filter": "level=${school}"},
            {"type": "end_repeat"},
        ],
    }
    definition = load_survey(normalise(raw))
    assert definition.questions["nickname[3]"].default_expression.references == {"child_name[3]"}
    grade = definition.questions["grade[3]"]
    assert grade.choice_filter.references == {"school[3]"} and grade.choice_filter.columns == {"level"}
    # The default and the filter read the child's own page: each starts the child's next page.
    third = [[q.name for q in page.questions] for page in definition.pages if page.instance == 3]
    assert third == [["child_name[3]", "school[3]"], ["nickname[3]", "grade[3]"]]


@pytest.mark.parametrize("kind", ["start", "end", "today"])
def test_repeat_refuses_what_is_recorded_once_for_the_response(kind):
    with pytest.raises(DefinitionError, match=f"a {kind} row is recorded once for the whole response, not for each "
                                              "instance of the repeat 'child'; put it outside the repeat"):
        load_survey(normalise({
            "settings": {"form_id": "family"}, "choices": [],
            "survey": [{"type": "begin_repeat", "name": "child", "label::en": "Child", "repeat_count": "2"},
                       {"type": kind, "name": "when"},
                       {"type": "text", "name": "child_name", "label::en": "Name"},
                       {"type": "end_repeat"}]}))
