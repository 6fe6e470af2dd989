"""The seeds' claims: ratios and 95 % intervals on constructed data, by hand and by simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cxloop.analytics.claims import (
    ADVOCATE_VALUE,
    REPEAT_SALE,
    REPEAT_SPEND,
    Claim,
    check_claims,
    ratio_of_means,
    ratio_of_proportions,
    repeat_versus_first_value,
)
from cxloop.analytics.purchases import CustomerHistory


def test_ratio_of_proportions_uses_katz_log_interval():
    estimate = ratio_of_proportions(60, 100, 10, 100)
    # ln 6 ± 1.96·sqrt(1/60 − 1/100 + 1/10 − 1/100) = ln 6 ± 1.96·0.31091
    assert estimate.ratio == pytest.approx(6.0)
    assert estimate.low == pytest.approx(3.2624, abs=1e-3)
    assert estimate.high == pytest.approx(11.035, abs=1e-2)
    assert estimate.first == 0.6
    assert estimate.second == 0.1
    assert estimate.significant


def test_a_zero_count_gets_the_half_correction_instead_of_an_infinite_ratio():
    estimate = ratio_of_proportions(30, 100, 0, 50)
    assert estimate.second == 0
    # (30.5/100.5) / (0.5/50.5) = 30.65
    assert estimate.ratio == pytest.approx(30.5 / 100.5 / (0.5 / 50.5))
    assert math.isfinite(estimate.high)
    assert estimate.low > 1


def test_ratio_of_means_by_hand():
    estimate = ratio_of_means([2, 4, 6], [1, 2, 3])
    # means 4 and 2, variances 4 and 1: ln 2 ± 1.96·sqrt(4/(3·16) + 1/(3·4)) = ln 2 ± 0.80016
    assert estimate.ratio == pytest.approx(2.0)
    assert estimate.low == pytest.approx(2 * math.exp(-1.959964 * math.sqrt(1 / 6)), rel=1e-6)
    assert estimate.high == pytest.approx(2 * math.exp(1.959964 * math.sqrt(1 / 6)), rel=1e-6)
    assert not estimate.significant  # three customers each cannot tell 2× from noise


def test_repeat_versus_first_value_weighs_every_repeat_purchase():
    # Customer 1: first 100, then two repeats worth 300 in all; customer 2: first 100, no repeat.
    estimate = repeat_versus_first_value([100, 100], [300, 0], [2, 0])
    assert estimate.first == 150  # mean repeat purchase
    assert estimate.second == 100  # mean first purchase
    assert estimate.ratio == pytest.approx(1.5)


def _simulated_shop(rng: np.random.Generator, n: int):
    """Customers with their own spending level (so their purchases are correlated); a repeat
    purchase is worth 1.5× a first one on average."""
    level = rng.gamma(4.0, 0.25, n)  # mean 1
    first = rng.gamma(5.0, 20.0 * level)  # mean 100 · level
    repeats = rng.poisson(1.5, n)
    repeat_total = np.array(
        [rng.gamma(5.0, 30.0 * lv, k).sum() for lv, k in zip(level, repeats, strict=True)]
    )
    return first, repeat_total, repeats


def test_the_clustered_interval_covers_the_true_ratio_95_times_in_100():
    rng = np.random.default_rng(20261126)
    covered = 0
    runs = 400
    for _ in range(runs):
        first, repeat_total, repeats = _simulated_shop(rng, 150)
        estimate = repeat_versus_first_value(first, repeat_total, repeats)
        covered += estimate.low <= 1.5 <= estimate.high
    assert 0.92 <= covered / runs <= 0.98


def _history(total, first_amount, purchases, first_day, last_day, today=1000):
    n = len(total)
    return CustomerHistory(
        customer=np.arange(1, n + 1, dtype=np.int64),
        first_day=np.asarray(first_day, dtype=np.int64),
        last_day=np.asarray(last_day, dtype=np.int64),
        purchases=np.asarray(purchases, dtype=np.float64),
        total=np.asarray(total, dtype=np.float64),
        first_amount=np.asarray(first_amount, dtype=np.float64),
        today=today,
    )


def test_check_claims_on_a_constructed_shop():
    # 40 buyers: 20 who bought before the reference day (1000 − 180 = 820), 12 of whom came back;
    # 20 who first bought after it. Ids 1–10 are advocates and spent 300 each, the others 100.
    n = 40
    old = np.arange(n) < 20
    first_day = np.where(old, 100, 900)
    came_back = np.arange(n) < 12
    last_day = np.where(came_back, 950, first_day)
    purchases = np.where(came_back, 2, 1)
    total = np.where(np.arange(n) < 10, 300.0, 100.0)
    first_amount = np.where(came_back, 50.0, total)
    history = _history(total, first_amount, purchases, first_day, last_day)
    # Known by the reference day: the 20 old buyers, 10 of the new ones (ids 21–30) and 30
    # prospects who never bought (ids 101–130): 10 of 40 prospects converted.
    known = np.r_[np.arange(1, 31), np.arange(101, 131)].astype(np.int64)
    advocates = np.arange(1, 11)
    claims = {c.key: c for c in check_claims(history, known_before=known, advocates=advocates)}

    sale = claims[REPEAT_SALE].estimate
    assert (sale.first, sale.first_n) == (0.6, 20)  # 12 of 20 bought again
    assert (sale.second, sale.second_n) == (0.25, 40)  # 10 of 40 made a first purchase
    assert sale.ratio == pytest.approx(2.4)

    value = claims[ADVOCATE_VALUE].estimate
    assert value.ratio == pytest.approx(3.0)
    assert (value.first_n, value.second_n) == (10, 30)

    spend = claims[REPEAT_SPEND].estimate
    # Repeat purchases: advocates 1–10 spent 250 after a first 50, ids 11–12 spent 50 after 50.
    assert spend.first == pytest.approx((10 * 250 + 2 * 50) / 12)
    assert spend.second == pytest.approx((12 * 50 + 28 * 100) / 40)


def test_small_groups_are_reported_as_too_small_not_as_numbers():
    history = _history([100, 200, 50], [100, 100, 50], [1, 2, 1], [10, 10, 900], [10, 950, 900])
    claims = check_claims(history, known_before=np.array([1, 2], dtype=np.int64),
                          advocates=np.array([2], dtype=np.int64))  # fmt: skip
    assert all(claim.estimate is None for claim in claims)
    assert {claim.key: claim.too_small for claim in claims} == {
        REPEAT_SPEND: "1/3",
        REPEAT_SALE: "2/0",
        ADVOCATE_VALUE: "1/2",
    }


def test_claims_survive_their_json_round_trip():
    claim = Claim(REPEAT_SALE, ratio_of_proportions(60, 100, 10, 100))
    assert Claim.from_json(claim.to_json()) == claim
