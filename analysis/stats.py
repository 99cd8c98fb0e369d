"""Interval estimates and tests for shares of respondents, vectorised over numpy arrays.

Multiple comparisons: Holm-Bonferroni, not Benjamini-Hochberg.
When a state's sixteen issues are each compared with the rest of the country, Holm keeps the
chance of even one false "different" flag in that state's table at or below 5% (family-wise
error). It is valid under any dependence between the tests, which matters here: respondents pick
at most three issues, so choosing one issue makes choosing another less likely and the issue
shares are negatively correlated, a case Benjamini-Hochberg's guarantee does not cover. With
sixteen comparisons Holm loses little power, and "at most a 5% chance that any flag in this
table is wrong" is the promise that suits statistics published to families and officials.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Z_95 = 1.959963984540054  # two-sided 95% normal quantile

_erfc = np.frompyfunc(math.erfc, 1, 1)


def _floats(values: npt.ArrayLike) -> np.ndarray:
    return np.asarray(values, dtype=float)


def wilson_interval(
    count: npt.ArrayLike, n: npt.ArrayLike, z: float = Z_95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``count`` successes out of ``n``; NaN where ``n`` is 0 or missing.

    Preferred over the textbook (Wald) interval because it stays inside [0, 1] and keeps close to
    its nominal coverage for small groups and for shares near 0 or 1.
    """
    count, n = np.broadcast_arrays(_floats(count), _floats(n))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = count / n
        z2n = z * z / n
        centre = (share + z2n / 2) / (1 + z2n)
        half = z / (1 + z2n) * np.sqrt(share * (1 - share) / n + z2n / (4 * n))
        low = centre - half
        high = centre + half
    valid = n > 0
    # The true bounds always enclose the share; clipping only removes floating-point overshoot.
    low = np.where(valid, np.clip(np.minimum(low, share), 0.0, 1.0), np.nan)
    high = np.where(valid, np.clip(np.maximum(high, share), 0.0, 1.0), np.nan)
    return low, high


def two_proportion_test(
    count1: npt.ArrayLike,
    n1: npt.ArrayLike,
    count2: npt.ArrayLike,
    n2: npt.ArrayLike,
) -> np.ndarray:
    """Two-sided p-values of the pooled z test that two shares are equal.

    NaN where either group is empty. Where the pooled share is 0 or 1 both groups agree
    exactly and the p-value is 1.
    """
    c1, m1, c2, m2 = np.broadcast_arrays(
        _floats(count1), _floats(n1), _floats(count2), _floats(n2)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = (c1 + c2) / (m1 + m2)
        se = np.sqrt(pooled * (1 - pooled) * (1 / m1 + 1 / m2))
        zstat = (c1 / m1 - c2 / m2) / se
    p = np.full(zstat.shape, np.nan)
    testable = (m1 > 0) & (m2 > 0)
    degenerate = testable & (se == 0)
    regular = testable & ~degenerate
    p[degenerate] = 1.0
    p[regular] = _erfc(np.abs(zstat[regular]) / math.sqrt(2)).astype(float)
    return p


def holm_adjust(p_values: npt.ArrayLike) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values; NaN entries are not tested and stay NaN.

    Compare the adjusted values with the usual 0.05 to control the family-wise error rate
    of the whole family passed in.
    """
    p = _floats(p_values)
    adjusted = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    m = tested.size
    if m == 0:
        return adjusted
    order = tested[np.argsort(p[tested], kind="stable")]
    stepped = p[order] * (m - np.arange(m))
    adjusted[order] = np.minimum(np.maximum.accumulate(stepped), 1.0)
    return adjusted
