"""A question of a repeat: one column per instance in the frame, and counted once per instance."""

from __future__ import annotations

from analysis.breakdowns import frequency_table
from analysis.definition import frame_columns, questions
from analysis.repeats import per_instance, repeated
from tests.analysis.conftest import build_frame

DEFINITION = {
    "settings": {"form_id": "family", "default_language": "en"},
    "choices": {"state": [{"name": "MN", "label": {"en": "Minnesota"}}, {"name": "NY", "label": {"en": "New York"}}],
                "grade": [{"name": "k5", "label": {"en": "K-5"}}, {"name": "hs", "label": {"en": "High school"}}],
                "help": [{"name": "tutor", "label": {"en": "Tutor"}}, {"name": "bus", "label": {"en": "Bus"}}]},
    "survey": [
        {"type": "select_one", "list_name": "state", "name": "state", "label": {"en": "State"}},
        {"type": "begin_repeat", "name": "child", "label": {"en": "Child"}, "repeat_count": "2"},
        {"type": "select_one", "list_name": "grade", "name": "grade", "label": {"en": "Grade"}},
        {"type": "select_multiple", "list_name": "help", "name": "help", "label": {"en": "Help"}},
        {"type": "end_repeat"},
    ],
}
FAMILIES = [
    {"state": "MN", "grade[1]": "k5", "grade[2]": "hs", "help[1]": ["tutor", "bus"]},
    {"state": "MN", "grade[1]": "k5"},
    {"state": "NY", "grade[1]": "hs", "grade[2]": "hs", "help[2]": ["bus"]},
]


def test_analysis_repeats_frame_has_a_column_per_instance():
    assert [q.name for q in questions(DEFINITION)] == ["state", "grade[1]", "help[1]", "grade[2]", "help[2]"]
    assert repeated(DEFINITION) == {"grade": "child", "help": "child"}
    assert "help[2]/bus" in frame_columns(DEFINITION)
    frame = build_frame(DEFINITION, FAMILIES)
    assert list(frame["grade[2]"].astype("string").fillna("-")) == ["hs", "-", "hs"]


def test_analysis_repeats_counted_once_per_child_grouped_by_the_family():
    frame = build_frame(DEFINITION, FAMILIES)
    children, plain = per_instance(frame, DEFINITION, "grade")
    assert len(children) == 5 and list(frame.columns) == frame_columns(DEFINITION)
    table = frequency_table(children, plain, "grade", by="state", min_n=1)
    counts = {(row.group, row.choice): (row.respondents, row.count) for row in table.itertuples()}
    assert counts[("MN", "k5")] == (3, 2) and counts[("NY", "hs")] == (2, 2) and counts[("ALL", "hs")] == (5, 3)
    helped, plain = per_instance(frame, DEFINITION, "help")
    table = frequency_table(helped, plain, "help", min_n=1)
    assert {row.choice: (row.respondents, row.count) for row in table.itertuples()} == {
        "tutor": (2, 1), "bus": (2, 2)}
