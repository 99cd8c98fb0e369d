"""Wilson intervals, the pooled two-proportion test and Holm's correction."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from analysis.stats import holm_adjust, two_proportion_test, wilson_interval


def test_wilson_interval_matches_hand_value() -> None:
    # 5 of 10 with z = 1.96: centre 0.5, half-width 1.96/1.38416 * sqrt(0.025 + 0.009604).
    low, high = wilson_interval(5, 10, z=1.96)
    assert low == pytest.approx(0.236589, abs=1e-6)
    assert high == pytest.approx(0.763411, abs=1e-6)


def test_wilson_interval_matches_statsmodels() -> None:
    counts = np.array([0, 1, 7, 50, 99, 100, 3, 412])
    totals = np.array([10, 10, 30, 100, 100, 100, 1000, 412])
    low, high = wilson_interval(counts, totals)
    expected_low, expected_high = proportion_confint(counts, totals, alpha=0.05, method="wilson")
    np.testing.assert_allclose(low, expected_low, atol=1e-12)
    np.testing.assert_allclose(high, expected_high, atol=1e-12)


def test_wilson_interval_empty_group_is_nan() -> None:
    low, high = wilson_interval([0, 3], [0, 5])
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert 0 < low[1] < 0.6 < high[1] < 1


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10**7).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_encloses_share(case: tuple[int, int]) -> None:
    count, n = case
    low, high = wilson_interval(count, n)
    assert 0.0 <= low <= count / n <= high <= 1.0


def test_two_proportion_test_matches_statsmodels() -> None:
    c1, n1, c2, n2 = np.array([80, 50, 12]), np.array([100, 100, 40]), np.array([20, 50, 30]), np.array([100, 100, 90])
    p = two_proportion_test(c1, n1, c2, n2)
    for i in range(3):
        _, expected = proportions_ztest([c1[i], c2[i]], [n1[i], n2[i]])
        assert p[i] == pytest.approx(expected, rel=1e-9)


def test_two_proportion_test_degenerate_cases() -> None:
    p = two_proportion_test([0, 10, 3], [10, 10, 0], [0, 20, 1], [20, 20, 5])
    assert p[0] == 1.0  # nobody chose it on either side
    assert p[1] == 1.0  # everybody did
    assert np.isnan(p[2])  # an empty group cannot be compared


def test_holm_adjust_matches_statsmodels() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.5, 0.04])
    _, expected, _, _ = multipletests(p, method="holm")
    np.testing.assert_allclose(holm_adjust(p), expected)


def test_holm_adjust_hand_values_and_skips_nan() -> None:
    # Sorted 0.01, 0.02, 0.04 times 3, 2, 1 -> 0.03, 0.04, 0.04 (monotone).
    adjusted = holm_adjust([0.04, np.nan, 0.01, 0.02])
    np.testing.assert_allclose(adjusted, [0.04, np.nan, 0.03, 0.04])
    assert np.isnan(holm_adjust([np.nan])).all()
