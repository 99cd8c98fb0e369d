"""Skip logic: which answers count, for chains of any depth."""
from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest
import yaml

from forms.loading import load_survey
from forms.navigation import next_page, shown_pages
from forms.normalising import normalise
from forms.relevance import counted_answers

SKIP_CHAIN = load_survey(normalise(yaml.safe_load(Path("tests/data/skip-chain.yaml").read_text("utf-8"))))


@pytest.mark.parametrize(("answers", "counted"), [
    ({"a": "yes", "d": "x", "b": "yes", "c": "yes", "colours": ["red"]},
     {"a": "yes", "d": "x", "b": "yes", "c": "yes", "colours": ["red"]}),
    # `a` changed to no after `b`, `c` and the page they led to were answered: none of them counts.
    ({"a": "no", "d": "x", "b": "yes", "c": "yes", "colours": ["red"], "comment": "hi"},
     {"a": "no", "comment": "hi"}),
    # `b` changed to no: `c` and the page that depends on it no longer count.
    ({"a": "yes", "d": "x", "b": "no", "c": "yes", "colours": ["red"]}, {"a": "yes", "d": "x", "b": "no"}),
    ({"a": "yes", "d": "", "b": None, "colours": []}, {"a": "yes"}),
])
def test_relevance_counts_an_answer_only_when_its_chain_holds(answers, counted):
    assert counted_answers(SKIP_CHAIN, answers) == counted


def test_relevance_answers_that_count_are_counted_once_and_not_changed():
    counted = counted_answers(SKIP_CHAIN, {"a": "no", "b": "yes", "comment": "hi"})
    assert counted_answers(SKIP_CHAIN, counted) is counted  # navigation and checks reuse them
    assert shown_pages(SKIP_CHAIN, counted) == shown_pages(SKIP_CHAIN, dict(counted)) == [0, 3]
    for change in (lambda: counted.__setitem__("b", "yes"), lambda: counted.update(b="yes"),
                   lambda: counted.pop("a"), counted.clear, lambda: counted.setdefault("b", "yes")):
        with pytest.raises(TypeError):
            change()
    assert counted == {"a": "no", "comment": "hi"}
    assert {**counted, "b": "yes"} == {"a": "no", "comment": "hi", "b": "yes"}  # a copy can be added to
    for copied in (copy.copy(counted), copy.deepcopy(counted), pickle.loads(pickle.dumps(counted))):
        assert type(copied) is dict and copied == counted
    other = load_survey(normalise(yaml.safe_load(Path("tests/data/skip-chain.yaml").read_text("utf-8"))))
    assert counted_answers(other, counted) is not counted  # counted for another survey: worked out anew


def test_relevance_a_page_behind_a_dropped_answer_is_not_shown():
    stale = {"a": "no", "b": "yes", "c": "yes", "colours": ["red"]}
    assert shown_pages(SKIP_CHAIN, stale) == [0, 3]
    assert next_page(SKIP_CHAIN, stale, 0) == 3
    assert shown_pages(SKIP_CHAIN, {"a": "yes", "b": "yes", "c": "yes"}) == [0, 1, 2, 3]
