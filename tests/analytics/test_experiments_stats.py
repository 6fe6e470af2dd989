"""The statistics of A/B experiments, each against a computation done by hand.

Hand computations are written out in the comments so a reader can redo them with a calculator;
scipy is used only as an independent second opinion where a t distribution is involved.
"""

from __future__ import annotations

import math
import random

import pytest
from scipy import stats

from cxloop.analytics.experiments import (
    ALPHA,
    Sample,
    hash_bucket,
    indicator_z_test,
    msprt,
    sample_size_means,
    sample_size_proportions,
    two_proportion_z_test,
    welch_t_test,
    wilson_interval,
    z_quantile,
)


def test_two_proportion_z_test_matches_the_hand_computation():
    # control 50/500 = 0.10, treatment 75/500 = 0.15; pooled p = 125/1000 = 0.125
    # SE0 = sqrt(0.125·0.875·(1/500 + 1/500)) = sqrt(0.0004375) = 0.0209165
    # z = 0.05 / 0.0209165 = 2.39046; p = 2·(1 − Φ(2.39046)) = 0.016827
    # Wald SE = sqrt(0.09/500 + 0.1275/500) = 0.0208567; ±1.959964·SE = ±0.040878
    result = two_proportion_z_test(50, 500, 75, 500)
    assert result.difference == pytest.approx(0.05)
    assert result.statistic == pytest.approx(2.39046, abs=1e-5)
    assert result.p_value == pytest.approx(0.016827, abs=1e-5)
    assert (result.low, result.high) == pytest.approx((0.009122, 0.090878), abs=1e-6)
    assert result.significant(ALPHA)


def test_welch_t_test_matches_the_hand_computation_and_scipy():
    # A = 1..5: mean 3, s² 2.5; B = 2,4..10: mean 6, s² 10; n = 5 each
    # SE = sqrt(2.5/5 + 10/5) = sqrt(2.5) = 1.581139; t = 3 / 1.581139 = 1.897367
    # df = (0.5 + 2)² / (0.5²/4 + 2²/4) = 6.25 / 1.0625 = 5.882353
    control = Sample.of([1, 2, 3, 4, 5], kind="mean")
    treatment = Sample.of([2, 4, 6, 8, 10], kind="mean")
    result = welch_t_test(control, treatment)
    assert result.statistic == pytest.approx(1.897367, abs=1e-6)
    assert result.df == pytest.approx(5.882353, abs=1e-6)
    reference = stats.ttest_ind([2, 4, 6, 8, 10], [1, 2, 3, 4, 5], equal_var=False)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert result.p_value == pytest.approx(0.1075, abs=1e-4)
    half = stats.t.ppf(0.975, 5.882353) * math.sqrt(2.5)
    assert (result.low, result.high) == pytest.approx((3 - half, 3 + half), abs=1e-5)
    assert not result.significant(ALPHA)


def test_nps_difference_uses_the_indicator_variance():
    # control: 50 promoters, 30 passives, 20 detractors → NPS 30; var = .5 + .2 − .3² = 0.61
    # treatment: 60 / 25 / 15 → NPS 45; var = .6 + .15 − .45² = 0.5475
    # SE = sqrt(0.61/100 + 0.5475/100) = sqrt(0.011575) = 0.107587; z = 0.15 / SE = 1.39422
    # interval ±1.959964·0.107587 = ±0.210867 → [−0.060867, 0.360867]; p = 0.16325
    control = Sample.of([1] * 50 + [0] * 30 + [-1] * 20, kind="nps")
    treatment = Sample.of([1] * 60 + [0] * 25 + [-1] * 15, kind="nps")
    assert control.variance == pytest.approx(0.61)
    assert treatment.variance == pytest.approx(0.5475)
    result = indicator_z_test(control, treatment)
    assert result.difference == pytest.approx(0.15)
    assert result.statistic == pytest.approx(1.39422, abs=1e-5)
    assert (result.low, result.high) == pytest.approx((-0.060867, 0.360867), abs=1e-6)
    assert result.p_value == pytest.approx(0.16325, abs=1e-5)


def test_wilson_interval_matches_the_hand_computation():
    # 8 of 10: centre = (0.8 + 1.96²/20)/(1 + 1.96²/10) = 0.99208/1.38415 = 0.71674
    # half = 1.96·sqrt(0.016 + 3.8415/400)/1.38415 = 1.96·0.16001/1.38415 = 0.22658
    interval = wilson_interval(8, 10)
    assert (interval.low, interval.high) == pytest.approx((0.49016, 0.94331), abs=1e-4)


def test_sample_size_for_means_is_cohens_63_per_group_at_d_one_half():
    # n = 2·(1.959964 + 0.841621)²·1² / 0.5² = 2·7.848879/0.25 = 62.79 → 63 per group,
    # the normal-approximation value of Cohen's table (64 with the t correction).
    assert sample_size_means(sd=1.0, delta=0.5) == 63
    assert sample_size_means(sd=20.0, delta=10.0) == 63  # only the ratio matters


def test_sample_size_for_proportions_is_fleiss_686_for_ten_versus_fifteen_percent():
    # Fleiss eq. 3.14 without continuity correction, p1 = .10, p2 = .15, p̄ = .125:
    # [1.959964·sqrt(2·.125·.875) + 0.841621·sqrt(.09 + .1275)]² / .05²
    # = [0.916688 + 0.392506]² / 0.0025 = 1.714018 / 0.0025 = 685.6 → 686
    assert sample_size_proportions(0.10, 0.15) == 686
    # a quarter of the gap needs about 14× the customers (16× minus the smaller variance)
    assert 13 * 686 < sample_size_proportions(0.10, 0.1125) < 16 * 686


def test_msprt_matches_the_closed_form():
    # Δ̂ = 0.05, v = 0.0004, τ = 0.05: Λ = sqrt(.0004/.0029)·exp(.0025·.0025/(2·.0004·.0029))
    # = 0.371391·exp(2.694) = 0.371391·14.790 = 5.4929
    look = msprt(0.05, 0.0004, 0.05)
    assert look.likelihood_ratio == pytest.approx(5.4929, abs=1e-3)
    # below 1/α = 20: no stop yet, and the confidence sequence still holds 0
    assert look.low < 0 < look.high


def _simulated_crossings(rng: random.Random, p_control: float, p_treatment: float) -> tuple:
    """One experiment of 2000 customers per arm, looked at after every 50: does it ever stop?"""
    looks_every, total, tau = 50, 2000, 0.05
    x_c = x_t = 0
    msprt_crossed = naive_crossed = False
    for n in range(looks_every, total + 1, looks_every):
        x_c += sum(rng.random() < p_control for _ in range(looks_every))
        x_t += sum(rng.random() < p_treatment for _ in range(looks_every))
        p_c, p_t = x_c / n, x_t / n
        variance = (p_c * (1 - p_c) + p_t * (1 - p_t)) / n
        if variance == 0:
            continue
        diff = p_t - p_c
        if msprt(diff, variance, tau).likelihood_ratio >= 1 / ALPHA:
            msprt_crossed = True
        if abs(diff) / math.sqrt(variance) > z_quantile(ALPHA):
            naive_crossed = True
    return msprt_crossed, naive_crossed


def test_sequential_boundary_holds_under_the_null_while_naive_peeking_does_not():
    """200 A/A experiments, 40 looks each: the mSPRT stops in at most 5 % of them (it is built
    to keep the error rate under α at any stopping time), while a plain z-test read at every look
    "finds" an effect far more often than the 5 % it promises."""
    rng = random.Random(20261126)
    runs = [_simulated_crossings(rng, 0.2, 0.2) for _ in range(200)]
    msprt_rate = sum(m for m, _ in runs) / len(runs)
    naive_rate = sum(n for _, n in runs) / len(runs)
    assert msprt_rate <= ALPHA
    assert naive_rate > 2 * ALPHA


def test_sequential_test_stops_when_the_effect_is_real():
    rng = random.Random(7)
    runs = [_simulated_crossings(rng, 0.20, 0.26) for _ in range(40)]
    assert sum(m for m, _ in runs) >= 0.8 * len(runs)


def test_hash_buckets_are_deterministic_and_uniform():
    assert hash_bucket(7, 42) == hash_bucket(7, 42)
    assert hash_bucket(7, 42) != hash_bucket(8, 42)
    buckets = [hash_bucket(3, customer) for customer in range(20000)]
    assert all(0 <= b < 1 for b in buckets)
    share_below_half = sum(b < 0.5 for b in buckets) / len(buckets)
    assert share_below_half == pytest.approx(0.5, abs=0.015)
