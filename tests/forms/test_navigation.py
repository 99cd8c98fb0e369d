"""Where a page stands among the pages a respondent sees."""
from __future__ import annotations

import pytest

from forms.navigation import place


@pytest.mark.parametrize(("pages", "index", "expected"), [
    ([0, 1, 2, 3, 4], 0, (1, 5, False)),
    ([0, 1, 2, 3, 4], 4, (5, 5, True)),
    ([0, 1, 3, 4], 3, (3, 4, False)),  # page 2 skipped by the answers so far
    ([0, 1, 3], 3, (3, 3, True)),
    ([0], 0, (1, 1, True)),
])
def test_navigation_place_counts_only_the_pages_shown(pages, index, expected):
    assert place(pages, index) == expected
