"""Intervals and tests against hand calculations, published examples and scipy on raw data."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from scipy import stats as scipy_stats

from cxloop.analytics import stats


def test_nps_margin_is_the_indicator_variance_formula_by_hand():
    # 50 promoters, 30 passives, 20 detractors: NPS 30, var = .5 + .2 − .3² = .61
    interval = stats.nps_interval(50, 20, 100)
    assert interval.estimate == pytest.approx(30.0)
    assert interval.margin == pytest.approx(1.959964 * math.sqrt(0.61 / 100) * 100, rel=1e-6)
    assert interval.margin == pytest.approx(15.3078, abs=1e-3)


def test_nps_margin_equals_the_standard_error_of_the_indicator_mean():
    rng = random.Random(7)
    scores = [rng.randint(0, 10) for _ in range(537)]
    indicator = np.array([1 if s >= 9 else -1 if s <= 6 else 0 for s in scores])
    expected = 100 * 1.959964 * indicator.std(ddof=0) / math.sqrt(len(indicator))
    interval = stats.nps_interval(int((indicator == 1).sum()), int((indicator == -1).sum()), 537)
    assert interval.estimate == pytest.approx(100 * indicator.mean())
    assert interval.margin == pytest.approx(expected, rel=1e-6)


def test_nps_of_one_answer_has_no_margin_and_of_none_no_value():
    assert stats.nps_interval(1, 0, 1).margin is None
    assert stats.nps_interval(0, 0, 0).estimate is None


def test_wilson_interval_matches_the_textbook_example():
    # 8 of 10: Wilson 95% interval 0.490–0.943 (Newcombe 1998, Agresti & Coull 1998)
    interval = stats.wilson(8, 10)
    assert interval.low == pytest.approx(49.02, abs=0.01)
    assert interval.high == pytest.approx(94.33, abs=0.01)


@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.025, 0.0167])
def test_wilson_interval_at_any_level_matches_scipy(alpha):
    # A Bonferroni-corrected comparison asks for a wider interval than 95%.
    expected = scipy_stats.binomtest(37, 90).proportion_ci(1 - alpha, method="wilson")
    interval = stats.wilson(37, 90, alpha)
    assert interval.low == pytest.approx(100 * expected.low, rel=1e-9)
    assert interval.high == pytest.approx(100 * expected.high, rel=1e-9)


def test_wilson_interval_stays_inside_0_100_at_the_extremes():
    assert stats.wilson(0, 5).low == 0.0
    assert stats.wilson(5, 5).high == pytest.approx(100.0)
    assert stats.wilson(5, 5).low > 50


def test_newcombe_difference_matches_the_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 − 48/80, method 10:
    # difference 0.2000, 95% interval 0.0524 to 0.3339.
    difference = stats.proportion_difference((56, 70), (48, 80))
    assert difference.diff == pytest.approx(20.0)
    assert difference.low == pytest.approx(5.24, abs=0.01)
    assert difference.high == pytest.approx(33.39, abs=0.01)


def test_two_proportion_p_value_is_the_pooled_z_test_by_hand():
    pooled = (56 + 48) / 150
    z = (56 / 70 - 48 / 80) / math.sqrt(pooled * (1 - pooled) * (1 / 70 + 1 / 80))
    expected = math.erfc(abs(z) / math.sqrt(2))
    difference = stats.proportion_difference((56, 70), (48, 80))
    assert difference.p_value == pytest.approx(expected, rel=1e-9)
    assert difference.significant


def test_welch_matches_scipy_on_the_raw_samples():
    rng = random.Random(3)
    a = [rng.randint(1, 7) for _ in range(60)]
    b = [min(7, rng.randint(1, 7) + rng.randint(0, 1)) for _ in range(45)]
    ours = stats.mean_difference(
        stats.MeanSums(len(a), sum(a), sum(x * x for x in a)),
        stats.MeanSums(len(b), sum(b), sum(x * x for x in b)),
    )
    reference = scipy_stats.ttest_ind(a, b, equal_var=False)
    assert ours.diff == pytest.approx(np.mean(a) - np.mean(b))
    assert ours.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    low, high = reference.confidence_interval(0.95)
    assert (ours.low, ours.high) == (pytest.approx(low), pytest.approx(high))


def test_mean_interval_is_students_t_by_hand():
    sample = [7, 6, 5, 1]
    interval = stats.mean_interval(stats.MeanSums(4, 19, 111))
    sd = np.std(sample, ddof=1)
    assert interval.estimate == pytest.approx(4.75)
    assert interval.margin == pytest.approx(3.182446 * sd / 2, rel=1e-5)


def test_nps_difference_by_hand():
    # A: 60 promoters, 10 detractors of 100 (NPS 50); B: 40 and 30 of 100 (NPS 10)
    var_a, var_b = 0.6 + 0.1 - 0.5**2, 0.4 + 0.3 - 0.1**2
    se = 100 * math.sqrt(var_a / 100 + var_b / 100)
    difference = stats.nps_difference((60, 10, 100), (40, 30, 100))
    assert difference.diff == pytest.approx(40.0)
    assert difference.high - difference.diff == pytest.approx(1.959964 * se, rel=1e-6)
    assert difference.p_value == pytest.approx(math.erfc(40 / se / math.sqrt(2)), rel=1e-9)


def test_equal_groups_are_not_distinguishable_from_noise():
    assert not stats.nps_difference((30, 20, 100), (30, 20, 100)).significant
    assert not stats.proportion_difference((40, 50), (41, 50)).significant
    assert stats.proportion_difference((1, 0), (1, 1)).diff is None
