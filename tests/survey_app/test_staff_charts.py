"""Charts in every script: SVG whose words stay text, so the browser shapes Arabic, Karen
and Chinese with the fonts the stylesheet names."""
from __future__ import annotations

import html
import re

import pytest

from survey_app import surveys
from tests.survey_app.report_fixtures import SLUG


def svg_text(svg: str) -> str:
    """Every word drawn as text, without spaces or line breaks."""
    return re.sub(r"\s+", "", html.unescape("".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))))


@pytest.mark.parametrize("language", ["ar", "ksw", "zh-Hans"])
def test_staff_chart_keeps_translated_labels_as_text(app, staff, language):
    definition = surveys.parsed(surveys.newest_version(SLUG))
    issue = next(choice for choice in definition.questions["top_issues"].choices if choice.name == "safety")
    label = definition.text(issue.label, language)
    assert label != definition.text(issue.label, "en")
    reply = staff.get(f"/staff/reports/{SLUG}/MN/chart.svg?language={language}")
    assert reply.status_code == 200
    svg = reply.text
    assert re.sub(r"\s+", "", label) in svg_text(svg)
    assert "<path id=\"DejaVu" not in svg  # no text turned into glyph outlines
    assert "Noto Sans" in svg
    assert re.search(r'<svg[^>]* width="\d+(\.\d+)?px" height="\d+(\.\d+)?px"', svg)


def test_staff_chart_language_not_offered_is_the_pages_own(staff):
    english = staff.get(f"/staff/reports/{SLUG}/MN/chart.svg").text
    assert staff.get(f"/staff/reports/{SLUG}/MN/chart.svg?language=xx").text == english
    assert "Safetyatschool" in svg_text(english)
