"""Charts: bars with whiskers, suppressed items as text, bytes out."""

import matplotlib.figure
import pytest

from analysis.charts import figure_to_bytes, top_issues_chart
from analysis.summary import top_choices

LABELS = {"language_access": "Information in my language", "safety": "Safety and belonging"}


@pytest.fixture
def mn_table(make_frame, people, definition):
    frame = make_frame(
        people("MN", 30, ["language_access", "safety"]) + people("MN", 12, ["newcomers"])
        + people("MN", 3, ["fair_testing"])
    )
    table = top_choices(frame, definition)
    return table[table["group"] == "MN"]


def test_top_issues_chart_draws_published_bars_only(mn_table) -> None:
    fig = top_issues_chart(mn_table, LABELS, "Minnesota", suppressed_text="Too few answers")
    assert isinstance(fig, matplotlib.figure.Figure)
    ax = fig.axes[0]
    assert len(ax.patches) == 3  # language_access, safety, newcomers
    texts = [t.get_text() for t in ax.texts]
    # Each label sits above its bar, most chosen first.
    assert texts[:3] == ["Information in my language", "Safety and belonging", "newcomers"]  # no label: the code
    assert texts.count("Too few answers") == 13
    assert ax.get_title(loc="left") == "Minnesota"


def test_top_issues_chart_value_labels(mn_table) -> None:
    fig = top_issues_chart(mn_table, LABELS, "MN", value_format=lambda v: f"{v:.0%}")
    assert "67%" in [t.get_text() for t in fig.axes[0].texts]


def test_top_issues_chart_needs_one_group(mn_table, make_frame, people, definition) -> None:
    with pytest.raises(ValueError):
        top_issues_chart(top_choices(make_frame(people("MN", 20, ["safety"])), definition), LABELS, "x")


def test_figure_to_bytes_svg_and_png(mn_table) -> None:
    fig = top_issues_chart(mn_table, LABELS, "Minnesota")
    svg = figure_to_bytes(fig, "svg")
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
    assert figure_to_bytes(fig, "svg") == svg  # stable output
    assert figure_to_bytes(fig, "png").startswith(b"\x89PNG")
    with pytest.raises(ValueError):
        figure_to_bytes(fig, "pdf")  # type: ignore[arg-type]


def test_top_issues_chart_axis_ends_near_the_largest_interval(make_frame, people, definition) -> None:
    issues = ["safety", "newcomers", "fair_testing", "language_access", "mental_health"]
    frame = make_frame([person for issue in issues for person in people("MN", 200, [issue])])
    table = top_choices(frame, definition)
    fig = top_issues_chart(table[table["group"] == "MN"], LABELS, "Minnesota")
    highest = table[table["group"] == "MN"]["ci_high"].max()
    assert highest < 0.25
    assert highest < fig.axes[0].get_xlim()[1] <= highest + 0.1


def test_figure_to_bytes_svg_keeps_text_as_text(mn_table) -> None:
    labels = {"language_access": "مترجمون ومعلومات المدرسة بلغتي", "safety": "用我的语言提供口译员和学校信息"}
    svg = figure_to_bytes(top_issues_chart(mn_table, labels, "ကညီကျိာ်"), "svg").decode()
    for text in [*labels.values(), "ကညီကျိာ်"]:
        assert f">{text}</text>" in svg
    assert "font-family: 'Noto Sans'" in svg
