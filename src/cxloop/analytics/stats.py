"""The statistics behind every interval and comparison the analytics show.

Three kinds of estimate, one per kind of metric:

- **NPS**: the mean of a per-answer indicator (+1 promoter, 0 passive, −1 detractor), times 100.
  Its variance is ``var = p + d − (p − d)²`` (p, d: shares of promoters and detractors), so the
  95% margin of error is ``1.96 · √(var / n) · 100``. Two NPS are compared with a z-test on the
  difference of the two means with unpooled variances: ``se = √(var_a/n_a + var_b/n_b) · 100``.
- **Proportions** (CSAT, % easy, WOW rate, negative share, response rate): the interval of one
  proportion is Wilson's score interval (right even at 0% or 100% and small n); the difference of
  two is given with **Newcombe's** hybrid score interval (method 10 of Newcombe 1998, built from
  the two Wilson intervals) and tested with the two-proportion z-test (pooled variance).
- **Means** (CES): Student's t interval of one mean; two means are compared with **Welch's**
  t-test (unequal variances, Welch–Satterthwaite degrees of freedom).

A difference is "significant at 95%" when its p-value is below 0.05.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats as _scipy

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
ALPHA = 0.05


@dataclass(frozen=True)
class Interval:
    estimate: float | None
    low: float | None
    high: float | None

    @property
    def margin(self) -> float | None:
        """Half the width: ``±`` what a reader sees next to the value."""
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2


@dataclass(frozen=True)
class Difference:
    """``a − b`` with its 95% interval and the two-sided p-value of "no difference"."""

    diff: float | None
    low: float | None
    high: float | None
    p_value: float | None
    test: str

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < ALPHA


NONE_INTERVAL = Interval(None, None, None)


def _normal_p(z: float) -> float:
    return float(2 * _scipy.norm.sf(abs(z)))


# --- NPS --------------------------------------------------------------------------------------


def nps_variance(promoters: int, detractors: int, n: int) -> float:
    """Variance of the +1/0/−1 indicator (population form, as the published NPS margin uses)."""
    p, d = promoters / n, detractors / n
    return max(p + d - (p - d) ** 2, 0.0)


def nps_interval(promoters: int, detractors: int, n: int) -> Interval:
    if n == 0:
        return NONE_INTERVAL
    score = 100 * (promoters - detractors) / n
    if n < 2:
        return Interval(score, None, None)
    moe = 100 * Z95 * math.sqrt(nps_variance(promoters, detractors, n) / n)
    return Interval(score, score - moe, score + moe)


def nps_difference(a: tuple[int, int, int], b: tuple[int, int, int]) -> Difference:
    """``a`` and ``b`` are (promoters, detractors, n)."""
    test = "z-test on the NPS indicator (unpooled variances)"
    (pa, da, na), (pb, db, nb) = a, b
    if na < 2 or nb < 2:
        return Difference(None, None, None, None, test)
    diff = 100 * ((pa - da) / na - (pb - db) / nb)
    se = 100 * math.sqrt(nps_variance(pa, da, na) / na + nps_variance(pb, db, nb) / nb)
    if se == 0:
        return Difference(diff, diff, diff, 1.0 if diff == 0 else 0.0, test)
    return Difference(diff, diff - Z95 * se, diff + Z95 * se, _normal_p(diff / se), test)


# --- proportions ------------------------------------------------------------------------------


def z_quantile(alpha: float = ALPHA) -> float:
    """The two-sided normal quantile for a ``1 − alpha`` interval (1.96 at the usual 95%)."""
    return Z95 if alpha == ALPHA else float(_scipy.norm.isf(alpha / 2))


def wilson(successes: int, n: int, alpha: float = ALPHA) -> Interval:
    """Wilson's score interval of a proportion, in percent (``alpha`` other than 5% for the
    Bonferroni-corrected comparisons of an experiment with several variants)."""
    if n == 0:
        return NONE_INTERVAL
    p = successes / n
    z = z_quantile(alpha)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Interval(100 * p, 100 * max(centre - half, 0.0), 100 * min(centre + half, 1.0))


def pooled_z(xa: int, na: int, xb: int, nb: int) -> float | None:
    """z of ``xa/na − xb/nb`` with the pooled standard error of "no difference" (None when that
    error is 0: every answer in both groups alike)."""
    pooled = (xa + xb) / (na + nb)
    se = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    return None if se == 0 else (xa / na - xb / nb) / se


def proportion_difference(a: tuple[int, int], b: tuple[int, int]) -> Difference:
    """``a`` and ``b`` are (successes, n); the difference is in percentage points.

    Interval: Newcombe's hybrid score (method 10). p-value: two-proportion z-test, pooled.
    """
    test = "two-proportion z-test (pooled); Newcombe hybrid score interval"
    (xa, na), (xb, nb) = a, b
    if na == 0 or nb == 0:
        return Difference(None, None, None, None, test)
    pa, pb = xa / na, xb / nb
    wa, wb = wilson(xa, na), wilson(xb, nb)
    la, ua = wa.low / 100, wa.high / 100
    lb, ub = wb.low / 100, wb.high / 100
    diff = pa - pb
    low = diff - math.sqrt((pa - la) ** 2 + (ub - pb) ** 2)
    high = diff + math.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)
    z = pooled_z(xa, na, xb, nb)
    p_value = (1.0 if diff == 0 else 0.0) if z is None else _normal_p(z)
    return Difference(100 * diff, 100 * low, 100 * high, p_value, test)


# --- means ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeanSums:
    """What a rollup keeps of a sample to rebuild its mean and variance: n, Σx, Σx²."""

    n: int
    total: float
    total_sq: float

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        """Sample variance (n − 1 in the denominator)."""
        if self.n < 2:
            return None
        return max((self.total_sq - self.total * self.total / self.n) / (self.n - 1), 0.0)


def mean_interval(sample: MeanSums) -> Interval:
    mean, variance = sample.mean, sample.variance
    if mean is None:
        return NONE_INTERVAL
    if variance is None:
        return Interval(mean, None, None)
    half = float(_scipy.t.ppf(1 - ALPHA / 2, sample.n - 1)) * math.sqrt(variance / sample.n)
    return Interval(mean, mean - half, mean + half)


@dataclass(frozen=True)
class Welch:
    """Welch's t for ``mean_a − mean_b``: statistic, Welch–Satterthwaite df, two-sided p, and
    the half-width of the difference's interval at ``1 − alpha``."""

    diff: float
    t: float
    df: float
    p_value: float
    half: float


def welch(
    mean_a: float,
    var_a: float,
    n_a: int,
    mean_b: float,
    var_b: float,
    n_b: int,
    alpha: float = ALPHA,
) -> Welch | None:
    """The one Welch computation of the app (sample variances, n ≥ 2 each); None when the
    standard error is 0 (both samples constant), which each caller reports its own way."""
    va, vb = var_a / n_a, var_b / n_b
    se2 = va + vb
    if se2 == 0:
        return None
    df = se2 * se2 / (va * va / (n_a - 1) + vb * vb / (n_b - 1))
    se = math.sqrt(se2)
    t = (mean_a - mean_b) / se
    half = float(_scipy.t.ppf(1 - alpha / 2, df)) * se
    return Welch(mean_a - mean_b, t, df, float(2 * _scipy.t.sf(abs(t), df)), half)


def mean_difference(a: MeanSums, b: MeanSums) -> Difference:
    """Welch's t-test and interval for ``mean(a) − mean(b)``."""
    test = "Welch's t-test"
    if a.n < 2 or b.n < 2:
        return Difference(None, None, None, None, test)
    result = welch(a.mean, a.variance, a.n, b.mean, b.variance, b.n)
    if result is None:
        diff = a.mean - b.mean
        return Difference(diff, diff, diff, 1.0 if diff == 0 else 0.0, test)
    d, half = result.diff, result.half
    return Difference(d, d - half, d + half, result.p_value, test)
