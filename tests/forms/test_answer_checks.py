"""The check of a whole response (`page_form_to_fix`) works from the saved answers with the rules
each page's form applies, building a form only for a page they fail: whatever was saved, it finds
the page, and the errors, that each page's own form finds."""
from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.answer_checks import TEXT_LIMIT
from forms.builder import build_page_form, page_form_to_fix, saved_formdata
from forms.loading import load_survey
from forms.navigation import other_pages_answers, shown_pages
from forms.normalising import normalise
from forms.relevance import counted_answers
from forms.survey import Question, Survey

# A time recorded on the first page that a question there depends on (its form does not see it), a count with a largest
# number, conditions in `required`, a calculation, each kind of field, and a choice filter.
EVERY_RULE = load_survey(normalise({
    "settings": {"form_id": "checks"},
    "choices": [{"list_name": "state", "name": "mn", "label::en": "Minnesota"},
                {"list_name": "state", "name": "ca", "label::en": "California"},
                {"list_name": "county", "name": "hennepin", "label::en": "Hennepin", "state": "mn"},
                {"list_name": "county", "name": "ramsey", "label::en": "Ramsey", "state": "mn"},
                {"list_name": "county", "name": "alameda", "label::en": "Alameda", "state": "ca"}],
    "survey": [
        {"type": "begin_group", "name": "you", "label::en": "You"},
        {"type": "start", "name": "began"},
        {"type": "text", "name": "name", "label::en": "Name?", "required": "yes",
         "constraint": "string-length(.) <= 10"},
        {"type": "text", "name": "when", "label::en": "When?", "relevant": "${began} = ''", "required": "yes"},
        {"type": "integer", "name": "children", "label::en": "Children?", "required": "yes"},
        {"type": "end_group"},
        {"type": "begin_repeat", "name": "child", "label::en": "Child", "repeat_count": "${children}"},
        {"type": "integer", "name": "age", "label::en": "Age?", "constraint": ". < 19", "required": "yes"},
        {"type": "end_repeat"},
        {"type": "begin_group", "name": "home", "label::en": "Home"},
        {"type": "calculate", "name": "many", "calculation": "${children} > 2"},
        {"type": "decimal", "name": "income", "label::en": "Income?", "constraint": ". >= 0",
         "required": "${children} > 1"},
        {"type": "date", "name": "moved", "label::en": "Moved?", "constraint": ". > '2000-01-01'"},
        {"type": "time", "name": "wake", "label::en": "Wake?"},
        {"type": "select_one state", "name": "state", "label::en": "State?", "required": "yes"},
        {"type": "select_multiple county", "name": "counties", "label::en": "Counties?",
         "choice_filter": "state=${state}", "constraint": "count-selected(.) <= 1", "relevant": "${many} = 'true'"},
        {"type": "end_group"},
    ]}))

# Saved values no field would give back unchanged, or at all, or that a rule refuses.
ODD = st.one_of(st.sampled_from([None, "", " ", "abc", " padded ", "\x00", "2", "2.5", 3, 0, 25, 2.5, float("nan"), True,
                                 "20240601", "2024-6-1", "1999-01-01", "7:05", "10:30:00", [], ["mn"], ["mn", "mn"], "A longer name",
                                 "x" * (TEXT_LIMIT + 1)]), st.text(max_size=12))
USUAL = {
    "start": st.sampled_from([None, None, None, "2025-03-01T10:00"]),
    "text": st.sampled_from(["Ann", "Bo"]),
    "integer": st.integers(0, 4),
    "decimal": st.floats(0, 1e6),
    "date": st.sampled_from(["2024-06-01", "2010-02-03"]),
    "time": st.sampled_from(["10:30", "23:59"]),
}


def usual(question: Question) -> st.SearchStrategy[Any]:
    """An answer the question takes."""
    codes = [choice.name for choice in question.choices]
    if question.multiple:
        return st.lists(st.sampled_from(codes), max_size=3)
    if question.is_select:
        return st.sampled_from(codes)
    return USUAL[question.type]


SAVED = [question for question in EVERY_RULE.questions.values() if question.has_field or question.type == "start"]


def every_page_form(survey: Survey, answers: dict[str, Any]) -> tuple[int, dict] | None:
    """The whole-response check the long way: each page shown, filled from the saved answers, by its own form."""
    counted = counted_answers(survey, answers)
    for index in shown_pages(survey, counted):
        form = build_page_form(survey, index, "en", other_pages_answers(survey, index, counted),
                               formdata=saved_formdata(survey.pages[index], counted), csrf=False)
        if not form.validate():
            return index, form.errors
    return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_answer_checks_whole_response_finds_what_each_page_form_finds(app, data):
    odd = data.draw(st.sets(st.sampled_from([question.name for question in SAVED]), max_size=2), label="odd")
    answers = {question.name: data.draw(ODD if question.name in odd else usual(question), label=question.name)
               for question in SAVED}
    with app.test_request_context():
        found = page_form_to_fix(EVERY_RULE, answers, "en")
        assert (None if found is None else (found.index, found.errors)) == every_page_form(EVERY_RULE, answers)
