"""The seeds' claims about customer value, checked on the workspace's own purchases.

The texts behind cxloop state three things about loyal customers; each is measured here as a
ratio of two groups with a 95 % confidence interval. The intervals are **analytic** (the delta
method on the log of the ratio, normal approximation), not bootstrapped: they need only sums over
customers, so they cost the same at a million customers as at a hundred, and they are
deterministic. ``tests/analytics/test_claims.py`` checks their coverage by simulation.

1. ``repeat_spend`` — *a returning customer spends more per purchase than a first-time one.*
   Ratio = mean value of repeat purchases / mean value of first purchases. Each customer
   contributes several repeat purchases, so the variance is computed per customer (a
   cluster-robust delta method, with the influence of customer i on ln(ratio) being
   ``(R_i − A·k_i)/(k̄·A) − (F_i − B)/B`` for repeat total R_i over k_i purchases, first purchase
   F_i, A = ΣR/Σk, B = mean F, k̄ = mean k).
2. ``repeat_sale`` — *selling again to a customer is far likelier than selling to a newcomer.*
   At a reference date ``HORIZON_DAYS`` (180) ago: of the customers who had already bought, the
   share who bought again since; of the customers known by then (recorded in cxloop) who had not
   bought, the share who made a first purchase since. Ratio of the two proportions, Katz's log
   interval; a zero count gets the Haldane–Anscombe ½ correction.
3. ``advocate_value`` — *advocates are worth more than other customers.* Mean spend to date of
   buyers whose stance is advocate / that of all other buyers; independent groups, log-ratio
   delta method. Spend to date also grows with tenure: this is an association, not a cause.

Groups smaller than ``MIN_GROUP`` are reported as too small instead of as a number.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .purchases import CustomerHistory

Z95 = 1.959963984540054
HORIZON_DAYS = 180
MIN_GROUP = 10

REPEAT_SPEND = "repeat_spend"
REPEAT_SALE = "repeat_sale"
ADVOCATE_VALUE = "advocate_value"


@dataclass(frozen=True)
class RatioEstimate:
    """``first / second`` with its 95 % interval; both group figures kept for the sentence."""

    ratio: float
    low: float
    high: float
    first: float  # the first group's mean or proportion
    second: float
    first_n: int
    second_n: int

    @property
    def significant(self) -> bool:
        """The interval excludes 1: the groups differ at the 95 % level."""
        return self.low > 1 or self.high < 1

    @property
    def percent_more(self) -> float:
        return (self.ratio - 1) * 100


@dataclass(frozen=True)
class Claim:
    key: str
    estimate: RatioEstimate | None
    too_small: str = ""  # why there is no estimate (group sizes), when there is none

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "estimate": asdict(self.estimate) if self.estimate else None,
            "too_small": self.too_small,
        }

    @classmethod
    def from_json(cls, data: dict) -> Claim:
        estimate = data.get("estimate")
        return cls(
            key=data["key"],
            estimate=RatioEstimate(**estimate) if estimate else None,
            too_small=data.get("too_small", ""),
        )


def _interval(log_ratio: float, se: float) -> tuple[float, float, float]:
    return math.exp(log_ratio), math.exp(log_ratio - Z95 * se), math.exp(log_ratio + Z95 * se)


def ratio_of_means(first: ArrayLike, second: ArrayLike) -> RatioEstimate | None:
    """mean(first) / mean(second) for independent samples; None when a mean is not positive.

    Var ln(ratio) ≈ s₁²/(n₁·m₁²) + s₂²/(n₂·m₂²).
    """
    a = np.asarray(first, dtype=np.float64)
    b = np.asarray(second, dtype=np.float64)
    if len(a) < 2 or len(b) < 2:
        return None
    ma, mb = float(a.mean()), float(b.mean())
    if ma <= 0 or mb <= 0:
        return None
    variance = a.var(ddof=1) / (len(a) * ma**2) + b.var(ddof=1) / (len(b) * mb**2)
    ratio, low, high = _interval(math.log(ma / mb), math.sqrt(variance))
    return RatioEstimate(ratio, low, high, ma, mb, len(a), len(b))


def ratio_of_proportions(k1: int, n1: int, k2: int, n2: int) -> RatioEstimate | None:
    """(k1/n1) / (k2/n2) with Katz's log interval; ½ added to every count when one is zero."""
    if n1 <= 0 or n2 <= 0:
        return None
    p1, p2 = k1 / n1, k2 / n2
    c1, m1, c2, m2 = float(k1), float(n1), float(k2), float(n2)
    if 0 in (k1, k2, n1 - k1, n2 - k2):
        c1, m1, c2, m2 = c1 + 0.5, m1 + 0.5, c2 + 0.5, m2 + 0.5
    variance = 1 / c1 - 1 / m1 + 1 / c2 - 1 / m2
    ratio, low, high = _interval(math.log((c1 / m1) / (c2 / m2)), math.sqrt(max(variance, 0.0)))
    return RatioEstimate(ratio, low, high, p1, p2, n1, n2)


def repeat_versus_first_value(
    first_amount: ArrayLike, repeat_total: ArrayLike, repeat_count: ArrayLike
) -> RatioEstimate | None:
    """Mean repeat-purchase value / mean first-purchase value, clustered by customer.

    Every customer has a first purchase; only those with repeat purchases add to the numerator.
    """
    f = np.asarray(first_amount, dtype=np.float64)
    r = np.asarray(repeat_total, dtype=np.float64)
    k = np.asarray(repeat_count, dtype=np.float64)
    n = len(f)
    if n < 2 or k.sum() <= 0:
        return None
    a = r.sum() / k.sum()  # mean value of a repeat purchase
    b = f.mean()  # mean value of a first purchase
    if a <= 0 or b <= 0:
        return None
    influence = (r - a * k) / (k.mean() * a) - (f - b) / b
    se = math.sqrt(influence.var(ddof=1) / n)
    ratio, low, high = _interval(math.log(a / b), se)
    return RatioEstimate(ratio, low, high, float(a), float(b), int(k.sum()), n)


def _too_small(first_n: int, second_n: int) -> str:
    return f"{first_n}/{second_n}"


def check_claims(
    history: CustomerHistory,
    *,
    known_before: NDArray[np.int64],
    advocates: NDArray[np.int64],
) -> list[Claim]:
    """The three claims for one workspace.

    ``known_before``: ids of customers recorded in cxloop by the reference date (now − 180 days);
    ``advocates``: ids of customers whose stance is advocate.
    """
    claims = []

    repeaters = history.repeat_purchases > 0
    estimate = None
    if repeaters.sum() >= MIN_GROUP and len(history.customer) >= MIN_GROUP:
        estimate = repeat_versus_first_value(
            history.first_amount, history.repeat_value, history.repeat_purchases
        )
    claims.append(
        Claim(
            REPEAT_SPEND,
            estimate,
            "" if estimate else _too_small(int(repeaters.sum()), len(history.customer)),
        )
    )

    reference = history.today - HORIZON_DAYS
    bought_before = history.first_day <= reference
    came_back = bought_before & (history.last_day > reference)
    prospects = np.setdiff1d(known_before, history.customer[bought_before])
    converted = np.isin(prospects, history.customer[history.first_day > reference])
    n1, k1 = int(bought_before.sum()), int(came_back.sum())
    n2, k2 = len(prospects), int(converted.sum())
    estimate = ratio_of_proportions(k1, n1, k2, n2) if min(n1, n2) >= MIN_GROUP else None
    claims.append(Claim(REPEAT_SALE, estimate, "" if estimate else _too_small(n1, n2)))

    is_advocate = np.isin(history.customer, advocates)
    spend_advocates, spend_others = history.total[is_advocate], history.total[~is_advocate]
    estimate = None
    if min(len(spend_advocates), len(spend_others)) >= MIN_GROUP:
        estimate = ratio_of_means(spend_advocates, spend_others)
    claims.append(
        Claim(
            ADVOCATE_VALUE,
            estimate,
            "" if estimate else _too_small(len(spend_advocates), len(spend_others)),
        )
    )
    return claims
