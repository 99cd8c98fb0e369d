"""With JavaScript switched off in the browser, the survey completes and the answers are stored."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_survey_completes_with_javascript_off(new_context, walk, screenshots, new_response):
    page = new_context(java_script_enabled=False).new_page()
    walk.open(page, "es", "&ref=mira")
    walk.start(page)
    pages = walk.complete(page, screenshots, answers={**walk.answers, "one_change": "Sin JavaScript."})
    screenshots.take(page, "thanks")
    assert pages == 5
    stored = new_response()
    assert stored["language"] == "es"
    assert stored["partner"] == "mira"
    assert stored["answers"]["one_change"] == ["Sin JavaScript."]
    assert stored["answers"]["role"] == ["parent"]
