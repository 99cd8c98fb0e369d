"""No public function changes the frame or table it is given."""

import io

import pytest

from analysis.breakdowns import breakdown, filter_dates, frequency_table
from analysis.charts import top_issues_chart
from analysis.counting import count_choices
from analysis.export import write_export
from analysis.summary import compare_groups, summary_dict, top_choices
from analysis.suppression import suppress_table

CALLS = {
    "top_choices": lambda f, d: top_choices(f, d),
    "top_choices_by_language": lambda f, d: top_choices(f, d, by="home_languages"),
    "compare_groups": lambda f, d: compare_groups(f, d),
    "summary_dict": lambda f, d: summary_dict(f, d, groups=["MN"]),
    "breakdown": lambda f, d: breakdown(f, d, "MN", "grade_bands"),
    "frequency_table": lambda f, d: frequency_table(f, d, "school_communication", by="language"),
    "filter_dates": lambda f, d: filter_dates(f, "2026-10-01", "2026-10-31"),
    "count_choices": lambda f, d: count_choices(f, d, "interpreter_offered", "partner"),
    "write_export": lambda f, d: write_export(f, io.StringIO()),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_public_functions_do_not_mutate_frame(name, synthetic, definition, frozen) -> None:
    check = frozen(synthetic)
    CALLS[name](synthetic, definition)
    check()


def test_table_functions_do_not_mutate_table(synthetic, definition, frozen) -> None:
    table = top_choices(synthetic, definition)
    minnesota = table[table["group"] == "MN"]
    check_chart = frozen(minnesota)
    top_issues_chart(minnesota, {}, "MN")
    counts = table.assign(respondents=table["respondents"].fillna(0), count=table["count"].fillna(0))
    counts = counts[["group", "choice", "respondents", "count"]]
    check_counts = frozen(counts)
    suppress_table(counts, 10, cells_add_up=False, groups_add_up=True)
    check_chart()
    check_counts()
