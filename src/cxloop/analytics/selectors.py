"""Read side of analytics: every metric by time and dimension, comparisons, drill-down, drivers.

The contract the dashboard, the explorer, the API and the export code against. Everything reads
the bound workspace through the scoped managers.

Where numbers come from:

- Ledger metrics (NPS, CSAT, CES, % easy, WOW rate, negative share) are sums over the daily
  rollups (``models.py``), never over raw answers: a two-year chart reads at most a few thousand
  rows at any ledger size. The coarse rollup (day × touchpoint) answers slices that only use
  time, touchpoint, channel, stage or department; the fine one (plus segment, language, source)
  the rest. Weeks (Monday first) and months are summed from days here.
- Stance mix (prosecutors / neutrals / advocates) is the customers' *current* stance: only the
  segment and language filters apply, and it has no history series.
- Response rate: survey invitations sent in the period (by send day) and how many were answered.
- The drill-down (:func:`answers`) and :func:`drivers` read raw rows, limited to the slice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from django.db import connection
from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cxloop.accounts.models import Department
from cxloop.customers.models import LANGUAGES, Customer, Segment, Stance
from cxloop.experiences.models import Experience, Source
from cxloop.feedback.models import Invitation, Response
from cxloop.insights.models import Topic
from cxloop.journeys.models import Channel, Stage, Touchpoint

from . import rollups
from .metrics import MIN_N, Metric, MetricValue, get_metric
from .models import MEASURES, ExperienceDay, ExperienceDaySegment, ExperienceDayTouchpoint

__all__ = [
    "MIN_N",
    "Comparison",
    "Driver",
    "MetricValue",
    "Slice",
    "answers",
    "compare",
    "dimension_choices",
    "drivers",
    "emotion_mix_series",
    "metric_by",
    "metric_series",
    "metric_table",
    "metric_value",
]

Grain = Literal["day", "week", "month"]
DIMENSIONS = ("segment", "channel", "touchpoint", "stage", "department", "language", "source")
COARSE_DIMENSIONS = frozenset({"touchpoint", "channel", "stage", "department"})
NONE_KEY = ""  # the group of answers without a touchpoint / segment / language

# Where each dimension lives, seen from each table.
ROLLUP_FIELD = {
    "segment": "segment_id",
    "channel": "touchpoint__channel",
    "touchpoint": "touchpoint_id",
    "stage": "touchpoint__stage_id",
    "department": "touchpoint__owner_department_id",
    "language": "language",
    "source": "source",
}
RAW_FIELD = ROLLUP_FIELD | {"segment": "customer__segment_id"}
CUSTOMER_FIELD = {"segment": "segment_id", "language": "language"}
INVITATION_FIELD = {
    "segment": "customer__segment_id",
    "channel": "touchpoint__channel",
    "touchpoint": "touchpoint_id",
    "stage": "touchpoint__stage_id",
    "department": "touchpoint__owner_department_id",
    "language": "language",
}


class UnknownDimension(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"Unknown dimension {key!r}; use one of {', '.join(DIMENSIONS)}.")


@dataclass(frozen=True)
class Slice:
    """Answers between two workspace dates, half-open ``[start, end)``, narrowed by filters.

    ``filters`` keys: segment, touchpoint, stage, department (ids); channel, language, source
    (codes).
    """

    start: date
    end: date
    filters: Mapping[str, int | str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in self.filters:
            if key not in DIMENSIONS:
                raise UnknownDimension(key)
        if self.end < self.start:
            raise ValueError("A slice ends after it starts.")

    @classmethod
    def last_days(cls, days: int, today: date, **filters: int | str) -> Slice:
        """The ``days`` days up to and including ``today``."""
        return cls(today - timedelta(days=days - 1), today + timedelta(days=1), filters)

    def previous(self) -> Slice:
        """The period of the same length just before this one, same filters."""
        length = self.end - self.start
        return Slice(self.start - length, self.start, dict(self.filters))

    def narrowed(self, **filters: int | str) -> Slice:
        return Slice(self.start, self.end, {**self.filters, **filters})


# --- sums -------------------------------------------------------------------------------------


def _period(day: date, grain: Grain | None) -> date | None:
    if grain is None:
        return None
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    raise ValueError(f"Unknown grain {grain!r}; use day, week or month.")


def _next(start: date, grain: Grain) -> date:
    if grain == "day":
        return start + timedelta(days=1)
    if grain == "week":
        return start + timedelta(days=7)
    return (start + timedelta(days=32)).replace(day=1)


def periods(slice: Slice, grain: Grain) -> list[date]:
    """Every period start that overlaps the slice, so a chart has no holes."""
    found: list[date] = []
    start = _period(slice.start, grain)
    while start < slice.end:
        found.append(start)
        start = _next(start, grain)
    return found


def _grouped(
    rows: Iterable[dict[str, Any]],
    names: Iterable[str],
    grain: Grain | None,
    dimension: str | None,
    day_key: str = "day",
) -> dict[tuple[date | None, Any], dict[str, float]]:
    """Sum rows into (period start, dimension key) buckets; ``grain`` None: one period."""
    names = list(names)
    columns = [(name, f"s_{name}") for name in names]
    out: dict[tuple[date | None, Any], dict[str, float]] = defaultdict(
        lambda: dict.fromkeys(names, 0)
    )
    periods_of: dict[Any, date] = {}  # a few hundred distinct days: convert each once
    for row in rows:
        period = None
        if grain:
            day = row[day_key]
            period = periods_of.get(day)
            if period is None:
                as_date = date.fromisoformat(day) if isinstance(day, str) else day
                period = periods_of[day] = _period(as_date, grain)
        bucket = out[(period, row.get("dim") if dimension else None)]
        for name, column in columns:
            bucket[name] += row[column] or 0
    return out


TOUCHPOINT_ATTRIBUTE = {
    "channel": "channel",
    "stage": "stage_id",
    "department": "owner_department_id",
}


def _rollup_for(dims: set[str]) -> type:
    """The smallest rollup that has every dimension the question uses."""
    if dims <= COARSE_DIMENSIONS:
        return ExperienceDayTouchpoint
    if dims == {"segment"}:
        return ExperienceDaySegment
    return ExperienceDay


def _ledger_sums(
    slice: Slice, measures: Iterable[str], grain: Grain | None, dimension: str | None
) -> dict[tuple[date | None, Any], dict[str, float]]:
    """Sums of rollup measures by period and dimension value.

    Channel, stage and department are attributes of the touchpoint: the database groups by
    touchpoint (and filters by the touchpoints that have the attribute), and the few touchpoint
    groups are mapped to their channel here, so no join runs over the rollup rows.
    """
    dims = set(slice.filters) | ({dimension} if dimension else set())
    rows = _rollup_for(dims).objects.filter(day__gte=slice.start, day__lt=slice.end)
    for key, value in slice.filters.items():
        if key in TOUCHPOINT_ATTRIBUTE:
            having = Touchpoint.objects.filter(**{TOUCHPOINT_ATTRIBUTE[key]: value})
            rows = rows.filter(touchpoint_id__in=list(having.values_list("pk", flat=True)))
        else:
            rows = rows.filter(**{ROLLUP_FIELD[key]: value})
    measures = list(measures)
    sums = {f"s_{m}": Sum(m) for m in measures}
    # Weeks and months are grouped inside the database (``rollups.PeriodStart``): a few rows per
    # period and touchpoint come back instead of one per day.
    expressions: dict[str, Any] = {}
    if grain:
        expressions["period"] = rollups.PeriodStart("day", grain) if grain != "day" else F("day")
    if dimension in TOUCHPOINT_ATTRIBUTE:
        expressions["dim"] = F("touchpoint_id")
    elif dimension:
        expressions["dim"] = F(ROLLUP_FIELD[dimension])
    if not expressions:
        return _grouped([rows.aggregate(**sums)], measures, None, None)
    values = _plain_rows(rows.values(**expressions).annotate(**sums).order_by())
    if dimension in TOUCHPOINT_ATTRIBUTE:
        attribute = dict(Touchpoint.objects.values_list("pk", TOUCHPOINT_ATTRIBUTE[dimension]))
        values = ({**row, "dim": attribute.get(row["dim"])} for row in values)
    return _grouped(values, measures, grain, dimension, day_key="period")


def _plain_rows(queryset: QuerySet) -> list[dict[str, Any]]:
    """The rows of an aggregate query as the driver returns them (sums are plain integers).

    Skips the ORM's per-value converters, a third of the selector's time on a two-year chart;
    ``_grouped`` turns SQLite's date strings into dates once per distinct period.
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _customer_sums(
    slice: Slice, dimension: str | None
) -> dict[tuple[date | None, Any], dict[str, float]]:
    customers = Customer.objects.exclude(stance="")
    for key, value in slice.filters.items():
        if key in CUSTOMER_FIELD:
            customers = customers.filter(**{CUSTOMER_FIELD[key]: value})
    sums = {
        "s_stance_n": Count("id"),
        "s_prosecutors": Count("id", filter=Q(stance=Stance.PROSECUTOR)),
        "s_neutrals": Count("id", filter=Q(stance=Stance.NEUTRAL)),
        "s_advocates": Count("id", filter=Q(stance=Stance.ADVOCATE)),
    }
    names = ["stance_n", "prosecutors", "neutrals", "advocates"]
    if dimension is None:
        return _grouped([customers.aggregate(**sums)], names, None, None)
    if dimension not in CUSTOMER_FIELD:
        return {}
    rows = customers.values(dim=F(CUSTOMER_FIELD[dimension])).annotate(**sums).order_by()
    return _grouped(rows, names, None, dimension)


def _invitation_sums(
    slice: Slice, grain: Grain | None, dimension: str | None
) -> dict[tuple[date | None, Any], dict[str, float]]:
    lo, hi = rollups.day_start(slice.start), rollups.day_start(slice.end)
    sent = Invitation.objects.filter(sent_at__gte=lo, sent_at__lt=hi)
    for key, value in slice.filters.items():
        if key in INVITATION_FIELD:
            sent = sent.filter(**{INVITATION_FIELD[key]: value})
    sums = {
        "s_sent": Count("id"),
        "s_answered": Count("id", filter=Q(response__status=Response.Status.COMPLETED)),
    }
    names = ["sent", "answered"]
    group: dict[str, Any] = {}
    if grain:
        group["day"] = rollups.LocalDate("sent_at", lo, hi)
    if dimension:
        if dimension not in INVITATION_FIELD:
            return {}
        group["dim"] = F(INVITATION_FIELD[dimension])
    if not group:
        return _grouped([sent.aggregate(**sums)], names, None, None)
    return _grouped(sent.values(**group).annotate(**sums).order_by(), names, grain, dimension)


def _sums_for(
    metric: Metric, slice: Slice, grain: Grain | None, dimension: str | None
) -> dict[tuple[date | None, Any], dict[str, float]]:
    if dimension is not None and dimension not in DIMENSIONS:
        raise UnknownDimension(dimension)
    if metric.source == "customers":
        return {} if grain else _customer_sums(slice, dimension)
    if metric.source == "invitations":
        return _invitation_sums(slice, grain, dimension)
    return _ledger_sums(slice, metric.measures, grain, dimension)


# --- metric values ----------------------------------------------------------------------------


def metric_value(metric: str, slice: Slice) -> MetricValue:
    """One metric over the slice: value, answers, 95% interval, small-group flag."""
    runner = get_metric(metric)
    sums = _sums_for(runner, slice, None, None)
    return runner.value(sums.get((None, None), {}))


def metric_series(metric: str, slice: Slice, grain: Grain) -> list[tuple[date, MetricValue]]:
    """The metric per day, week (from Monday) or month, every period of the slice present.

    The first and last periods may be partial (they are clipped to the slice). Stance metrics
    have no history: an empty list.
    """
    runner = get_metric(metric)
    if runner.source == "customers":
        return []
    sums = _sums_for(runner, slice, grain, None)
    return [(start, runner.value(sums.get((start, None), {}))) for start in periods(slice, grain)]


def metric_by(
    metric: str, slice: Slice, dimension: str
) -> list[tuple[str, str | int, MetricValue]]:
    """The metric per value of a dimension: ``(label, key, value)``, largest groups first.

    Answers without a value of the dimension (no touchpoint, an anonymous answer without
    segment) form one group with key ``""``.
    """
    runner = get_metric(metric)
    sums = _sums_for(runner, slice, None, dimension)
    labels = dict(dimension_choices(dimension))
    out = []
    for (_period_start, key), bucket in sums.items():
        value = runner.value(bucket)
        if value.n == 0:
            continue
        key = NONE_KEY if key is None else key
        out.append(
            (str(labels.get(key, _none_label(dimension) if key == NONE_KEY else key)), key, value)
        )
    out.sort(key=lambda row: (-row[2].n, row[0]))
    return out


@dataclass(frozen=True)
class TableCell:
    period: date | None
    key: str | int | None
    label: str | None
    values: dict[str, MetricValue]


def metric_table(
    metrics: Iterable[str], slice: Slice, grain: Grain | None = None, dimension: str | None = None
) -> list[TableCell]:
    """Several ledger metrics at once by period × dimension, from one rollup query.

    For "NPS, CSAT and WOW rate by week × channel": one ``GROUP BY day, channel`` over the coarse
    rollup. Cells without answers are left out.
    """
    runners = [get_metric(m) for m in metrics]
    if any(r.source != "ledger" for r in runners):
        raise ValueError("metric_table takes ledger metrics only (not stance or response rate).")
    if dimension is not None and dimension not in DIMENSIONS:
        raise UnknownDimension(dimension)
    measures = sorted({m for r in runners for m in r.measures})
    sums = _ledger_sums(slice, measures, grain, dimension)
    labels = dict(dimension_choices(dimension)) if dimension else {}
    cells = []
    for (period, key), bucket in sorted(
        sums.items(), key=lambda kv: (kv[0][0] or date.min, str(kv[0][1]))
    ):
        key = NONE_KEY if (dimension and key is None) else key
        label = str(labels.get(key, key)) if dimension else None
        cells.append(TableCell(period, key, label, {r.key: r.value(bucket) for r in runners}))
    return cells


def emotion_mix_series(slice: Slice, grain: Grain) -> list[tuple[date, dict[str, int]]]:
    """Counts of negative / OK / WOW experiences per period, for stacked bars."""
    names = ("negative", "ok", "wow")
    sums = _ledger_sums(slice, names, grain, None)
    return [
        (start, {name: int(sums.get((start, None), {}).get(name, 0)) for name in names})
        for start in periods(slice, grain)
    ]


# --- comparison -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """``a − b`` of one metric, with its 95% interval, the test and a verdict in words."""

    metric: str
    a: MetricValue
    b: MetricValue
    diff: float | None
    low: float | None
    high: float | None
    p_value: float | None
    test: str
    significant: bool
    small: bool

    @property
    def verdict(self) -> Promise:
        if self.diff is None:
            return _("not enough answers to compare")
        if self.significant:
            return _("significant at 95%")
        return _("not distinguishable from noise")


def compare(metric: str, a: Slice, b: Slice) -> Comparison:
    """Compare a metric between two slices (two periods, two segments…): ``a − b``.

    NPS: z-test on the indicator; proportions: two-proportion z-test with Newcombe's interval;
    CES: Welch's t-test (``stats.py``). ``small`` when either side has fewer than MIN_N answers:
    then the verdict is shown as a hint, not a fact.
    """
    runner = get_metric(metric)
    sums_a = _sums_for(runner, a, None, None).get((None, None), {})
    sums_b = _sums_for(runner, b, None, None).get((None, None), {})
    value_a, value_b = runner.value(sums_a), runner.value(sums_b)
    difference = runner.difference(sums_a, sums_b)
    return Comparison(
        metric=metric,
        a=value_a,
        b=value_b,
        diff=difference.diff,
        low=difference.low,
        high=difference.high,
        p_value=difference.p_value,
        test=difference.test,
        significant=difference.significant,
        small=value_a.small or value_b.small,
    )


# --- raw rows ---------------------------------------------------------------------------------


def _raw(slice: Slice) -> QuerySet[Experience]:
    rows = Experience.objects.filter(
        occurred_at__gte=rollups.day_start(slice.start),
        occurred_at__lt=rollups.day_start(slice.end),
    )
    for key, value in slice.filters.items():
        rows = rows.filter(**{RAW_FIELD[key]: value})
    return rows


def answers(
    slice: Slice, metric: str | None = None, bucket: str | None = None
) -> QuerySet[Experience]:
    """The raw experiences behind a number, newest first.

    ``metric`` keeps the answers it counts (NPS: the 0–10 answers); ``bucket`` one of its groups
    (``nps``: promoter / passive / detractor; ``csat``: satisfied / unsatisfied; ``ces`` and
    ``ces_easy``: easy / not_easy; ``wow_rate``: exceeded / met / below; ``negative_share``:
    negative / ok / wow). Stance and response-rate metrics are not answers: an error.
    """
    rows = _raw(slice)
    if metric is not None:
        runner = get_metric(metric)
        if runner.source != "ledger":
            raise ValueError(f"{metric} is not computed from answers; no drill-down.")
        rows = rows.filter(runner.population)
        if bucket is not None:
            if bucket not in runner.buckets:
                known = ", ".join(runner.buckets)
                raise ValueError(f"Unknown bucket {bucket!r} of {metric}; use one of {known}.")
            rows = rows.filter(runner.buckets[bucket])
    elif bucket is not None:
        raise ValueError("A bucket needs its metric.")
    return rows.select_related("customer", "touchpoint").order_by("-occurred_at", "-id")


@dataclass(frozen=True)
class Driver:
    """A topic or touchpoint and how much it moves a metric (for a priority matrix).

    ``share``: % of the metric's answers that mention the topic (or happened at the touchpoint).
    ``with_value`` / ``without_value``: the metric among those answers and among the others.
    ``difference`` = with − without; ``impact`` = share × difference / 100, the points the
    metric would move if the difference disappeared. ``small``: fewer than MIN_N mentions.
    """

    kind: Literal["topic", "touchpoint"]
    key: int
    label: str
    n: int
    share: float
    with_value: float
    without_value: float | None
    difference: float | None
    impact: float | None
    small: bool


def drivers(metric: str, slice: Slice) -> list[Driver]:
    """Key drivers of a ledger metric: topics of the answers' text and touchpoints.

    Worst impact first (the most negative, what hurts the metric most). Raw rows of the slice.
    """
    runner = get_metric(metric)
    per_answer = runner.per_answer()
    if runner.source != "ledger" or per_answer is None:
        raise ValueError(f"{metric} has no per-answer value; no key drivers.")
    population = _raw(slice).filter(runner.population)
    overall = population.aggregate(n=Count("id"), total=Sum(per_answer))
    n, total = overall["n"], overall["total"] or 0.0
    if not n:
        return []
    groups = [
        (
            "topic",
            population.filter(analysis__topics__isnull=False)
            .values(key=F("analysis__topics"))
            .annotate(k=Count("id"), s=Sum(per_answer), avg=Avg(per_answer))
            .order_by(),
            dict(Topic.objects.values_list("pk", "name")),
        ),
        (
            "touchpoint",
            population.filter(touchpoint__isnull=False)
            .values(key=F("touchpoint_id"))
            .annotate(k=Count("id"), s=Sum(per_answer), avg=Avg(per_answer))
            .order_by(),
            dict(Touchpoint.objects.values_list("pk", "name")),
        ),
    ]
    found: list[Driver] = []
    for kind, rows, names in groups:
        for row in rows:
            k, s = row["k"], row["s"] or 0.0
            with_value = s / k
            without_value = (total - s) / (n - k) if n > k else None
            difference = None if without_value is None else with_value - without_value
            share = 100 * k / n
            found.append(
                Driver(
                    kind=kind,
                    key=row["key"],
                    label=names.get(row["key"], str(row["key"])),
                    n=k,
                    share=share,
                    with_value=with_value,
                    without_value=without_value,
                    difference=difference,
                    impact=None if difference is None else share * difference / 100,
                    small=k < MIN_N,
                )
            )
    found.sort(key=lambda d: (d.impact is None, d.impact if d.impact is not None else 0))
    return found


# --- dimension choices ------------------------------------------------------------------------


def _none_label(dimension: str) -> str:
    return str(
        {
            "segment": _("No segment"),
            "language": _("Unknown language"),
        }.get(dimension, _("No touchpoint"))
    )


def dimension_choices(dimension: str) -> list[tuple[str | int, str]]:
    """The values a filter dropdown offers for a dimension: ``(key, label)``."""
    if dimension == "segment":
        return list(Segment.objects.order_by("name").values_list("pk", "name"))
    if dimension == "channel":
        return [(key, str(label)) for key, label in Channel.choices]
    if dimension == "touchpoint":
        return list(Touchpoint.objects.order_by("name").values_list("pk", "name"))
    if dimension == "stage":
        return [
            (pk, f"{journey} · {name}")
            for pk, name, journey in Stage.objects.order_by(
                "journey__name", "position"
            ).values_list("pk", "name", "journey__name")
        ]
    if dimension == "department":
        return list(Department.objects.order_by("name").values_list("pk", "name"))
    if dimension == "language":
        return list(LANGUAGES)
    if dimension == "source":
        return [(key, str(label)) for key, label in Source.choices]
    raise UnknownDimension(dimension)


def measures_of(metric: str) -> tuple[str, ...]:
    """The rollup columns a metric reads (for tests and the export)."""
    runner = get_metric(metric)
    return tuple(m for m in runner.measures if m in MEASURES)
