"""Recompute customer value for a workspace: cohorts, KPIs, the CLV model, predictions, claims.

``refresh_clv`` is the one use case. It reads the orders once (:mod:`.purchases`), computes every
figure from those arrays, fits BG/NBD and Gamma-Gamma (:mod:`.clv`), and in one transaction
stores a :class:`~.models.ValueSnapshot` and replaces the workspace's
:class:`~.models.CustomerValue` rows. It is run daily by ``cxloop refresh_clv`` (time alone
changes every prediction) and by the demo loader.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from cxloop.accounts.models import Workspace
from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Customer, Stance

from . import clv
from .claims import HORIZON_DAYS, check_claims
from .cohorts import cohort_table, value_kpis
from .models import CustomerValue, ValueSnapshot
from .purchases import CustomerHistory, load_purchases

HORIZON_MONTHS = 12
BATCH = 5000


@dataclass(frozen=True)
class RefreshResult:
    snapshot: ValueSnapshot
    predictions: int  # customers given a prediction (0 when the model could not be fitted)


def refresh_clv(
    workspace: Workspace,
    *,
    now: datetime | None = None,
    months: int = HORIZON_MONTHS,
    monthly_discount: float = clv.DEFAULT_MONTHLY_DISCOUNT,
) -> RefreshResult:
    """Recompute and store the workspace's customer value as of ``now``."""
    started = time.perf_counter()
    now = now or timezone.now()
    with bind_workspace(workspace):
        purchases = load_purchases(now)
        history = purchases.per_customer()
        kpis = value_kpis(purchases, history)
        cohorts = cohort_table(purchases, history)
        reference = now - timedelta(days=HORIZON_DAYS)
        known_before = np.fromiter(
            Customer.objects.filter(created_at__lte=reference).values_list("pk", flat=True),
            dtype=np.int64,
        )
        advocates = np.fromiter(
            Customer.objects.filter(stance=Stance.ADVOCATE).values_list("pk", flat=True),
            dtype=np.int64,
        )
        claims = check_claims(history, known_before=known_before, advocates=advocates)
        model, rows = _fit_and_predict(history, now, months, monthly_discount)
        with transaction.atomic():
            CustomerValue.objects.all().delete()
            _insert_predictions(workspace, rows)
            snapshot = ValueSnapshot.objects.create(
                as_of=now,
                currency=purchases.currency,
                horizon_months=months,
                monthly_discount=monthly_discount,
                kpis=kpis.to_json(),
                cohorts=cohorts.to_json(),
                claims=[claim.to_json() for claim in claims],
                model=model,
                seconds=time.perf_counter() - started,
            )
    return RefreshResult(snapshot=snapshot, predictions=len(rows))


PREDICTION_COLUMNS = (
    "workspace_id",
    "customer_id",
    "repeat_purchases",
    "spent",
    "probability_alive",
    "expected_purchases",
    "expected_spend",
    "lifetime_value",
    "as_of",
)


def _insert_predictions(workspace: Workspace, rows: list[tuple]) -> None:
    """One multi-row ``executemany`` per batch: building a model instance per customer costs
    ten times the insert itself at a million customers (bench/customer_value.py)."""
    quote = connection.ops.quote_name
    table = quote(CustomerValue._meta.db_table)
    columns = ", ".join(quote(c) for c in PREDICTION_COLUMNS)
    placeholders = ", ".join(["%s"] * len(PREDICTION_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, [(workspace.pk, *row) for row in rows[start : start + BATCH]])


def _finite(model: dict) -> dict:
    """The model's JSON with NaN and infinities as ``null``: JSON has no such numbers (SQLite's
    JSON check refuses them), and a figure the fit could not compute is unknown, not zero."""
    return {
        key: _finite(value)
        if isinstance(value, dict)
        else None
        if isinstance(value, float) and not np.isfinite(value)
        else value
        for key, value in model.items()
    }


def _fit_and_predict(
    history: CustomerHistory, now: datetime, months: int, monthly_discount: float
) -> tuple[dict, list[tuple]]:
    """The model's JSON for the snapshot and one prediction row per buyer (``PREDICTION_COLUMNS``
    after the workspace)."""
    x = history.repeat_purchases
    t_x, T = history.weeks()
    zbar = history.mean_repeat_value
    try:
        purchases_fit = clv.fit_bgnbd(x, t_x, T)
        spend_fit = clv.fit_gamma_gamma(x, zbar)
    except clv.FitError as error:
        return {"fitted": False, "reason": str(error), "customers": len(x)}, []
    horizon_weeks = months * clv.WEEKS_PER_MONTH
    alive = clv.probability_alive(purchases_fit, x, t_x, T)
    expected = clv.expected_purchases(purchases_fit, horizon_weeks, x, t_x, T)
    # Orders of zero or negative value (a refund booked as an order) must not predict a debt.
    spend = np.maximum(clv.expected_spend(spend_fit, x, zbar), 0.0)
    value = np.maximum(
        clv.lifetime_value(
            purchases_fit,
            spend_fit,
            x,
            t_x,
            T,
            zbar,
            months=months,
            monthly_discount=monthly_discount,
        ),
        0.0,
    )
    # hyp2f1 can lose precision for extreme histories; such a prediction is dropped to 0 and
    # counted, never stored as NaN.
    finite = np.isfinite(expected) & np.isfinite(value) & np.isfinite(alive)
    expected, value, alive = (np.where(finite, v, 0.0) for v in (expected, value, alive))
    repeaters = (x > 0) & (zbar > 0)
    model = {
        "fitted": True,
        "time_unit": "week",
        "bgnbd": {
            "r": purchases_fit.r,
            "alpha": purchases_fit.alpha,
            "a": purchases_fit.a,
            "b": purchases_fit.b,
            "log_likelihood": purchases_fit.log_likelihood,
            "customers": purchases_fit.customers,
            "converged": purchases_fit.converged,
            # In-sample check: repeat purchases the fitted model expects over each customer's own
            # observation time T, against those that happened.
            "expected_repeat_purchases": float(
                clv.expected_purchases_new_customer(purchases_fit, T).sum()
            ),
            "actual_repeat_purchases": float(x.sum()),
        },
        "gamma_gamma": {
            "p": spend_fit.p,
            "q": spend_fit.q,
            "gamma": spend_fit.gamma,
            "log_likelihood": spend_fit.log_likelihood,
            "customers": spend_fit.customers,
            "converged": spend_fit.converged,
            "population_mean_spend": spend_fit.population_mean_spend,
            "observed_mean_spend": float(zbar[repeaters].mean()) if repeaters.any() else None,
        },
        "predicted_purchases": float(expected.sum()),
        "predicted_value": float(value.sum()),
        "mean_probability_alive": float(alive[finite].mean()) if finite.any() else None,
        "non_finite_predictions": int((~finite).sum()),
    }
    model = _finite(model)
    as_of = connection.ops.adapt_datetimefield_value(now)
    rows = list(
        zip(
            history.customer.tolist(),
            x.astype(int).tolist(),
            history.total.tolist(),
            alive.tolist(),
            expected.tolist(),
            spend.tolist(),
            value.tolist(),
            [as_of] * len(x),
            strict=True,
        )
    )
    return model, rows


def refresh_all(*, now: datetime | None = None) -> list[tuple[Workspace, RefreshResult]]:
    """Every workspace in turn (the daily command)."""
    return [(ws, refresh_clv(ws, now=now)) for ws in Workspace.objects.order_by("pk")]
