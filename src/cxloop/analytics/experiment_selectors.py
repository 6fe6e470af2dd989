"""Read side of A/B experiments: the list, one experiment, and each customer's observation.

An observation is one customer's first encounter in a time window, reduced to one number:

======================= ============================================ ==========================
metric                  the customer's first …                       value
======================= ============================================ ==========================
nps                     answer on the NPS scale                      +1 promoter, −1 detractor
csat                    answer on the CSAT scale                     1 if 4–5 else 0
ces                     answer on the CES scale                      the score, 1–7
wow_rate                experience of any source                     1 if outcome exceeded
negative_share          experience of any source                     1 if emotion negative
repeat_purchase         order (not cancelled)                        1 once a 2nd order follows
order_value             order (not cancelled)                        its amount
======================= ============================================ ==========================

The database numbers each customer's rows by time (``ROW_NUMBER() OVER (PARTITION BY customer)``,
on SQLite ≥ 3.25 and PostgreSQL alike) and sends only the first one (two for orders), in chunks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber

from cxloop.customers.models import Order
from cxloop.experiences.models import Experience

from .models import Experiment, ExperimentAssignment, ExperimentMetric, Variant

CHUNK = 5000


@dataclass(frozen=True)
class Observation:
    customer_id: int
    segment_id: int | None
    entered_at: datetime
    value: float
    # repeat purchase: the value is 0 until this moment (the second order), then ``value``
    changes_at: datetime | None = None


def experiments() -> QuerySet[Experiment]:
    return Experiment.objects.select_related("eligible_segment").prefetch_related(
        Prefetch("variants", queryset=Variant.objects.order_by("position"))
    )


def experiment_list() -> QuerySet[Experiment]:
    # An aggregate drops Meta.ordering, so the order is said again.
    return (
        experiments()
        .annotate(variant_count=Count("variants", distinct=True))
        .order_by("-starts_on", "-id")
    )


def assignment_map(experiment: Experiment) -> dict[int, int]:
    """customer id → variant id for an experiment with an explicit list."""
    rows = ExperimentAssignment.objects.filter(experiment=experiment).values_list(
        "customer_id", "variant_id"
    )
    return dict(rows.iterator(chunk_size=CHUNK))


def assigned_counts(experiment: Experiment) -> dict[int, int]:
    rows = (
        ExperimentAssignment.objects.filter(experiment=experiment)
        .values("variant_id")
        .annotate(n=Count("id"))
        .values_list("variant_id", "n")
    )
    return dict(rows)


def _restricted(queryset: QuerySet, experiment: Experiment | None) -> QuerySet:
    """Only customers who can be in the experiment at all (None: everybody, for baselines)."""
    if experiment is None:
        return queryset
    if experiment.assignment == Experiment.Assignment.LIST:
        members = ExperimentAssignment.objects.filter(experiment=experiment)
        return queryset.filter(customer_id__in=members.values("customer_id"))
    if experiment.assignment == Experiment.Assignment.SEGMENT:
        segments = [v.segment_id for v in experiment.variants.all()]
        return queryset.filter(customer__segment_id__in=segments)
    if experiment.eligible_segment_id:
        return queryset.filter(customer__segment_id=experiment.eligible_segment_id)
    return queryset


def _first(rows: QuerySet, time_field: str, keep: int) -> QuerySet:
    """Each customer's first ``keep`` rows by time, numbered in the database (a window function),
    so only those rows travel to Python, in customer and time order."""
    nth = Window(
        RowNumber(),
        partition_by=[F("customer_id")],
        order_by=[F(time_field).asc(), F("id").asc()],
    )
    return rows.annotate(nth=nth).filter(nth__lte=keep).order_by("customer_id", time_field, "id")


def observations(
    metric: str, since: datetime, until: datetime, experiment: Experiment | None = None
) -> Iterator[Observation]:
    """Each customer's observation of ``metric`` in [since, until), in customer order."""
    if metric in (ExperimentMetric.REPEAT_PURCHASE, ExperimentMetric.ORDER_VALUE):
        yield from _order_observations(metric, since, until, experiment)
    else:
        yield from _experience_observations(metric, since, until, experiment)


def _experience_observations(
    metric: str, since: datetime, until: datetime, experiment: Experiment | None
) -> Iterator[Observation]:
    rows = Experience.objects.filter(
        customer__isnull=False, occurred_at__gte=since, occurred_at__lt=until
    )
    if metric in (ExperimentMetric.NPS, ExperimentMetric.CSAT, ExperimentMetric.CES):
        rows = rows.filter(scale=metric, score__isnull=False)
    rows = _first(_restricted(rows, experiment), "occurred_at", 1)
    last = None
    for customer_id, segment_id, at, score, outcome, emotion in rows.values_list(
        "customer_id", "customer__segment_id", "occurred_at", "score", "outcome", "emotion"
    ).iterator(chunk_size=CHUNK):
        if customer_id == last:
            continue
        last = customer_id
        yield Observation(
            customer_id, segment_id, at, _experience_value(metric, score, outcome, emotion)
        )


def _experience_value(metric: str, score: int | None, outcome: str, emotion: str) -> float:
    if metric == ExperimentMetric.NPS:
        return 1.0 if score >= 9 else (-1.0 if score <= 6 else 0.0)
    if metric == ExperimentMetric.CSAT:
        return 1.0 if score >= 4 else 0.0
    if metric == ExperimentMetric.CES:
        return float(score)
    if metric == ExperimentMetric.WOW_RATE:
        return 1.0 if outcome == "exceeded" else 0.0
    return 1.0 if emotion == "negative" else 0.0


def _order_observations(
    metric: str, since: datetime, until: datetime, experiment: Experiment | None
) -> Iterator[Observation]:
    rows = Order.objects.filter(placed_at__gte=since, placed_at__lt=until).exclude(
        status=Order.Status.CANCELLED
    )
    rows = _first(_restricted(rows, experiment), "placed_at", 2)
    current: list = []  # [customer_id, segment_id, first order time, amount, second order time]

    def emit() -> Observation:
        customer_id, segment_id, first_at, amount, second_at = current
        if metric == ExperimentMetric.ORDER_VALUE:
            return Observation(customer_id, segment_id, first_at, float(amount))
        repeated = 1.0 if second_at is not None else 0.0
        return Observation(customer_id, segment_id, first_at, repeated, second_at)

    for customer_id, segment_id, at, amount in rows.values_list(
        "customer_id", "customer__segment_id", "placed_at", "amount"
    ).iterator(chunk_size=CHUNK):
        if current and current[0] == customer_id:
            if current[4] is None:
                current[4] = at
            continue
        if current:
            yield emit()
        current = [customer_id, segment_id, at, amount, None]
    if current:
        yield emit()
