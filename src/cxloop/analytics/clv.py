"""Predictive customer lifetime value: BG/NBD for purchases, Gamma-Gamma for spend.

Both models are fitted by maximum likelihood with scipy; nothing here touches the database, so the
same code fits the public CDNOW data in the tests and a workspace's own orders in
``value_services.refresh_clv``.

**BG/NBD** (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing Science
24(2)). While alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each
purchase they drop out with probability p ~ Beta(a, b). A customer is summarised by
``x`` (repeat purchases: purchases after the first), ``t_x`` (time of the last purchase, measured
from the first) and ``T`` (time from the first purchase to the end of observation). The
log-likelihood of one customer is (equation 6 of the paper, written with logs)::

    ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
           + ln[ (α+T)^−(r+x) + 1{x>0} · a/(b+x−1) · (α+t_x)^−(r+x) ]

**Gamma-Gamma** (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves", JMR 42(4);
Fader & Hardie 2013 note). The value of each repeat purchase is Gamma(p, ν) around the customer's
own mean, with ν ~ Gamma(q, γ); fitted on customers with x > 0 from x and their mean repeat
purchase value ``zbar``::

    ln L = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ
           + (px−1) ln zbar + px ln x − (px+q) ln(γ + x·zbar)

Time is in the unit the caller passes (weeks for CDNOW, as published; the workspace fit uses
weeks as well, so α reads as in the literature).

**Lifetime value over a horizon** discounts each month's expected purchases at a monthly rate ``d``:
``CLV = Σ_{m=1..H} (E[X(m)] − E[X(m−1)]) · E[spend] / (1+d)^m``, where E[X(m)] is the expected
number of purchases in the first m months from now given the customer's history. With the default
d = 1 % a month (≈ 12.7 % a year) a purchase a year from now counts 89 % of one today.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import betaln, gammaln, hyp2f1

Array = NDArray[np.float64]

DAYS_PER_WEEK = 7.0
WEEKS_PER_MONTH = 365.25 / 12 / 7  # 4.348 weeks
DEFAULT_MONTHLY_DISCOUNT = 0.01


class FitError(ValueError):
    """The data cannot support a fit (too few customers or repeat buyers); says how many it had."""


@dataclass(frozen=True)
class BgNbdFit:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int
    converged: bool


@dataclass(frozen=True)
class GammaGammaFit:
    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int
    converged: bool

    @property
    def population_mean_spend(self) -> float | None:
        """E[value of a purchase] over the population, p·γ/(q−1); infinite when q ≤ 1."""
        return self.p * self.gamma / (self.q - 1) if self.q > 1 else None


def _arrays(*values: ArrayLike) -> tuple[Array, ...]:
    return tuple(np.asarray(v, dtype=np.float64) for v in values)


def bgnbd_log_likelihood(params: ArrayLike, x: Array, t_x: Array, T: Array) -> Array:
    """Per-customer log-likelihood of the BG/NBD model (see the module docstring)."""
    r, alpha, a, b = np.asarray(params, dtype=np.float64)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    a4 = np.full_like(x, -np.inf)
    xr = x[repeat]
    a4[repeat] = np.log(a) - np.log(b + xr - 1) - (r + xr) * np.log(alpha + t_x[repeat])
    return a1 + a2 + np.logaddexp(a3, a4)


def fit_bgnbd(x: ArrayLike, t_x: ArrayLike, T: ArrayLike, *, min_repeaters: int = 5) -> BgNbdFit:
    """Maximum-likelihood BG/NBD parameters from each customer's (x, t_x, T).

    Optimised over the logarithms of the parameters (all must be positive); deterministic.
    """
    x, t_x, T = _arrays(x, t_x, T)
    repeaters = int((x > 0).sum())
    if len(x) < 2 * min_repeaters or repeaters < min_repeaters:
        raise FitError(
            f"BG/NBD needs at least {min_repeaters} customers who bought again; "
            f"there are {repeaters} of {len(x)}."
        )
    # Many customers share the same (x, t_x, T) (everybody who bought once in the same week):
    # fitting the distinct rows with weights is the same likelihood, much faster at 1M rows.
    keys, weights = np.unique(np.stack([x, t_x, T], axis=1), axis=0, return_counts=True)
    ux, ut, uT = keys[:, 0], keys[:, 1], keys[:, 2]

    def negative(log_params: Array) -> float:
        value = -(weights * bgnbd_log_likelihood(np.exp(log_params), ux, ut, uT)).sum()
        return float(value) if np.isfinite(value) else 1e300

    start = np.log([1.0, max(float(T.mean()), 1e-3), 1.0, 1.0])
    result = _minimise(negative, start)
    r, alpha, a, b = np.exp(result.x)
    return BgNbdFit(
        r=float(r),
        alpha=float(alpha),
        a=float(a),
        b=float(b),
        log_likelihood=float(-result.fun),
        customers=len(x),
        converged=bool(result.success),
    )


def gamma_gamma_log_likelihood(params: ArrayLike, x: Array, zbar: Array) -> Array:
    """Per-customer log-likelihood of the Gamma-Gamma spend model (x > 0, zbar > 0)."""
    p, q, gamma = np.asarray(params, dtype=np.float64)
    px = p * x
    return (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(zbar)
        + px * np.log(x)
        - (px + q) * np.log(gamma + x * zbar)
    )


def fit_gamma_gamma(x: ArrayLike, zbar: ArrayLike, *, min_customers: int = 5) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma parameters from repeat buyers' (x, zbar).

    Customers without a repeat purchase (x = 0) or with a non-positive mean value carry no
    information about the spread of their spend and are left out, as in the paper.
    """
    x, zbar = _arrays(x, zbar)
    keep = (x > 0) & (zbar > 0)
    x, zbar = x[keep], zbar[keep]
    if len(x) < min_customers:
        raise FitError(
            f"Gamma-Gamma needs at least {min_customers} customers with a repeat purchase; "
            f"there are {len(x)}."
        )

    def negative(log_params: Array) -> float:
        value = -gamma_gamma_log_likelihood(np.exp(log_params), x, zbar).sum()
        return float(value) if np.isfinite(value) else 1e300

    start = np.log([1.0, 1.0, max(float(zbar.mean()), 1e-3)])
    result = _minimise(negative, start)
    p, q, gamma = np.exp(result.x)
    return GammaGammaFit(
        p=float(p),
        q=float(q),
        gamma=float(gamma),
        log_likelihood=float(-result.fun),
        customers=len(x),
        converged=bool(result.success),
    )


# How far (in natural log) a fitted parameter may move from its starting value: a factor of
# about 160,000 either way.
LOG_PARAMETER_RANGE = 12.0


def _minimise(negative, start: Array):  # type: ignore[no-untyped-def]
    """L-BFGS-B (numerical gradient) to get close fast, then Nelder-Mead to settle where the
    gradient's finite differences are too coarse; the better of the two wins.

    Both search within ``LOG_PARAMETER_RANGE`` of the start. With few customers the likelihood
    can keep rising as two parameters grow together without end (BG/NBD's a and b at a fixed
    dropout probability; Gamma-Gamma's q and γ at a fixed mean spend); out there ``betaln`` and
    ``hyp2f1`` lose all precision, and an unbounded search once settled at a = 7·10¹⁴ with a
    "log-likelihood" of +3,249 and predictions of NaN. The bounded optimum is the same limit,
    numerically sound.
    """
    bounds = [(s - LOG_PARAMETER_RANGE, s + LOG_PARAMETER_RANGE) for s in start]
    fast = minimize(negative, start, method="L-BFGS-B", bounds=bounds, options={"maxiter": 500})
    polish = minimize(
        negative,
        fast.x,
        method="Nelder-Mead",
        bounds=bounds,
        options={"maxiter": 1500, "xatol": 1e-6, "fatol": 1e-8, "adaptive": True},
    )
    best = polish if polish.fun <= fast.fun else fast
    best.success = bool(fast.success or polish.success)
    return best


# ---- predictions ------------------------------------------------------------------------------


def probability_alive(fit: BgNbdFit, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
    """P(the customer has not dropped out by T | x, t_x, T), FHL 2005 equation (appendix)."""
    x, t_x, T = _arrays(x, t_x, T)
    ratio = np.zeros_like(x)
    repeat = x > 0
    xr = x[repeat]
    log_ratio = (
        np.log(fit.a)
        - np.log(fit.b + xr - 1)
        + (fit.r + xr) * (np.log(fit.alpha + T[repeat]) - np.log(fit.alpha + t_x[repeat]))
    )
    ratio[repeat] = np.exp(log_ratio)
    return 1.0 / (1.0 + ratio)


def expected_purchases(
    fit: BgNbdFit, t: float | Array, x: ArrayLike, t_x: ArrayLike, T: ArrayLike
) -> Array:
    """E[purchases in the next ``t`` | x, t_x, T] (FHL 2005, equation 10)."""
    x, t_x, T = _arrays(x, t_x, T)
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    t = np.asarray(t, dtype=np.float64)
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    tail = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    return head * tail * probability_alive(fit, x, t_x, T)


def expected_purchases_new_customer(fit: BgNbdFit, t: float | Array) -> Array:
    """E[X(t)] for a customer just acquired (FHL 2005, equation 9): the in-sample fit check."""
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    t = np.asarray(t, dtype=np.float64)
    return (
        (a + b - 1)
        / (a - 1)
        * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    )


def expected_spend(fit: GammaGammaFit, x: ArrayLike, zbar: ArrayLike) -> Array:
    """E[value of a future purchase | x, zbar]: a weighted mean of the population's and the
    customer's own mean, the customer's weight growing with their number of repeat purchases."""
    x, zbar = _arrays(x, zbar)
    p, q, gamma = fit.p, fit.q, fit.gamma
    return (p * (gamma + x * zbar)) / (p * x + q - 1)


def lifetime_value(
    purchases: BgNbdFit,
    spend: GammaGammaFit,
    x: ArrayLike,
    t_x: ArrayLike,
    T: ArrayLike,
    zbar: ArrayLike,
    *,
    months: int = 12,
    monthly_discount: float = DEFAULT_MONTHLY_DISCOUNT,
    weeks_per_month: float = WEEKS_PER_MONTH,
) -> Array:
    """Discounted value of the purchases expected in the next ``months`` (module docstring)."""
    x, t_x, T, zbar = _arrays(x, t_x, T, zbar)
    value_per_purchase = expected_spend(spend, x, zbar)
    total = np.zeros_like(x)
    previous = np.zeros_like(x)
    for month in range(1, months + 1):
        cumulative = expected_purchases(purchases, month * weeks_per_month, x, t_x, T)
        total += (cumulative - previous) / (1 + monthly_discount) ** month
        previous = cumulative
    return total * value_per_purchase
