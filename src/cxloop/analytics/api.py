"""CX metrics over the API: the same selectors the dashboard uses, so the numbers agree.

Every route takes a slice: ``start`` and ``end`` (workspace dates, ``end`` excluded) and any of
the filters ``segment``, ``touchpoint``, ``stage``, ``department`` (ids), ``channel``,
``language``, ``source`` (codes). An id of another workspace is refused with 422, never counted.
"""

# No `from __future__ import annotations` here: @paginate copies the view's annotations onto
# a wrapper in another module, where names given as strings could not be resolved.

from collections.abc import Callable
from datetime import date
from typing import Literal, TypeVar

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cxloop.accounts.models import Department
from cxloop.api.errors import ApiError, ErrorOut, Invalid, referenced
from cxloop.api.pagination import CursorPagination
from cxloop.customers.models import Segment
from cxloop.experiences.api import ExperienceOut
from cxloop.journeys.models import Stage, Touchpoint

from . import selectors
from .metrics import METRICS, MetricValue, UnknownMetric

router = Router(tags=["metrics"])
T = TypeVar("T")

MAX_DAYS = 366 * 10
MetricKey = Literal[tuple(METRICS)]  # type: ignore[valid-type]
Dimension = Literal[selectors.DIMENSIONS]  # type: ignore[valid-type]
Grain = Literal["day", "week", "month"]
ERRORS = {404: ErrorOut, 422: ErrorOut}
REFERENCES = {
    "segment": (Segment, "segment"),
    "touchpoint": (Touchpoint, "touchpoint"),
    "stage": (Stage, "journey stage"),
    "department": (Department, "department"),
}


class SliceIn(Schema):
    start: date = Field(description="First workspace date, included.")
    end: date = Field(description="Date after the last one (excluded).")
    segment: int | None = None
    touchpoint: int | None = None
    stage: int | None = None
    department: int | None = None
    channel: str | None = None
    language: str | None = None
    source: str | None = None

    def to_slice(self, prefix: str = "") -> selectors.Slice:
        if self.end <= self.start:
            raise Invalid(f"{prefix}end", "end must be after start (the end date is excluded).")
        if (self.end - self.start).days > MAX_DAYS:
            raise Invalid(f"{prefix}end", f"A slice spans at most {MAX_DAYS} days.")
        filters: dict[str, int | str] = {}
        for key in selectors.DIMENSIONS:
            value = getattr(self, key)
            if value is None:
                continue
            if key in REFERENCES:
                model, what = REFERENCES[key]
                referenced(model.objects, value, f"{prefix}{key}", what)
            filters[key] = value
        return selectors.Slice(self.start, self.end, filters)


class MetricOut(Schema):
    key: str
    label: str
    help_text: str
    unit: str


class ValueOut(Schema):
    value: float | None
    n: int = Field(description="answers (customers for the stance mix, invitations sent)")
    moe: float | None = Field(description="± at 95%")
    low: float | None
    high: float | None
    small: bool = Field(description=f"fewer than {selectors.MIN_N} answers: not a fact yet")


class PointOut(ValueOut):
    period: date


class GroupOut(ValueOut):
    label: str
    key: str | int


class CellOut(Schema):
    period: date | None
    key: str | int | None
    label: str | None
    values: dict[str, ValueOut]


class CompareIn(SliceIn):
    """Two periods (``a_start``/``a_end`` against ``b_start``/``b_end``), or two groups of one
    dimension in the same period (``dimension`` with ``a_key`` and ``b_key``), or both. The
    common filters apply to both sides."""

    start: date | None = None  # type: ignore[assignment]
    end: date | None = None  # type: ignore[assignment]
    a_start: date
    a_end: date
    b_start: date | None = Field(None, description="Default: a_start.")
    b_end: date | None = Field(None, description="Default: a_end.")
    dimension: Dimension | None = None
    a_key: str | None = None
    b_key: str | None = None

    def sides(self) -> tuple[selectors.Slice, selectors.Slice]:
        sides = []
        for side, start, end, key in (
            ("a", self.a_start, self.a_end, self.a_key),
            ("b", self.b_start or self.a_start, self.b_end or self.a_end, self.b_key),
        ):
            values = self.model_dump(include=set(selectors.DIMENSIONS))
            if self.dimension is not None and key is not None:
                values[self.dimension] = int(key) if self.dimension in REFERENCES else key
            one = SliceIn(start=start, end=end, **values)
            sides.append(one.to_slice(f"{side}_"))
        return sides[0], sides[1]


class ComparisonOut(Schema):
    metric: str
    a: ValueOut
    b: ValueOut
    diff: float | None = Field(description="a − b")
    low: float | None
    high: float | None
    p_value: float | None
    test: str
    significant: bool
    verdict: str
    small: bool


class DriverOut(Schema):
    kind: str
    key: int
    label: str
    n: int
    share: float
    with_value: float
    without_value: float | None
    difference: float | None
    impact: float | None
    small: bool


def _value(value: MetricValue, **extra: object) -> dict:
    return {
        "value": value.value,
        "n": value.n,
        "moe": value.moe,
        "low": value.low,
        "high": value.high,
        "small": value.small,
        **extra,
    }


def _refusing_bad_input(call: Callable[[], T]) -> T:
    try:
        return call()
    except UnknownMetric as exc:
        raise ApiError(str(exc), status=404) from None
    except ValueError as exc:
        raise ApiError(str(exc), status=422) from None


@router.get("", response=list[MetricOut], summary="The metrics, their formulas and units")
def list_metrics(request: HttpRequest):
    return [
        {"key": m.key, "label": str(m.label), "help_text": str(m.help_text), "unit": m.unit}
        for m in METRICS.values()
    ]


@router.get("/value", response={200: ValueOut, **ERRORS}, summary="One metric over a slice")
def metric_value(request: HttpRequest, metric: MetricKey, slice: Query[SliceIn]):
    return _value(_refusing_bad_input(lambda: selectors.metric_value(metric, slice.to_slice())))


@router.get(
    "/series", response={200: list[PointOut], **ERRORS}, summary="A metric by day, week or month"
)
def metric_series(request: HttpRequest, metric: MetricKey, grain: Grain, slice: Query[SliceIn]):
    series = _refusing_bad_input(lambda: selectors.metric_series(metric, slice.to_slice(), grain))
    return [_value(value, period=period) for period, value in series]


@router.get("/by", response={200: list[GroupOut], **ERRORS}, summary="A metric by a dimension")
def metric_by(request: HttpRequest, metric: MetricKey, dimension: Dimension, slice: Query[SliceIn]):
    rows = _refusing_bad_input(lambda: selectors.metric_by(metric, slice.to_slice(), dimension))
    return [_value(value, label=label, key=key) for label, key, value in rows]


@router.get(
    "/table",
    response={200: list[CellOut], **ERRORS},
    summary="Several answer metrics by period × dimension at once",
)
def metric_table(
    request: HttpRequest,
    metrics: str,
    slice: Query[SliceIn],
    grain: Grain | None = None,
    dimension: Dimension | None = None,
):
    keys = [k for k in metrics.split(",") if k]
    cells = _refusing_bad_input(
        lambda: selectors.metric_table(keys, slice.to_slice(), grain, dimension)
    )
    return [
        {
            "period": c.period,
            "key": c.key,
            "label": c.label,
            "values": {k: _value(v) for k, v in c.values.items()},
        }
        for c in cells
    ]


@router.get(
    "/compare",
    response={200: ComparisonOut, **ERRORS},
    summary="Compare a metric between two periods or groups (a − b)",
)
def compare(request: HttpRequest, metric: MetricKey, query: Query[CompareIn]):
    result = _refusing_bad_input(lambda: selectors.compare(metric, *query.sides()))
    return {
        "metric": result.metric,
        "a": _value(result.a),
        "b": _value(result.b),
        "diff": result.diff,
        "low": result.low,
        "high": result.high,
        "p_value": result.p_value,
        "test": result.test,
        "significant": result.significant,
        "verdict": str(result.verdict),
        "small": result.small,
    }


@router.get(
    "/drivers",
    response={200: list[DriverOut], **ERRORS},
    summary="Topics and touchpoints that move a metric (impact = share × difference)",
)
def drivers(request: HttpRequest, metric: MetricKey, slice: Query[SliceIn]):
    return _refusing_bad_input(lambda: selectors.drivers(metric, slice.to_slice()))


@router.get(
    "/answers",
    response=list[ExperienceOut],
    summary="The answers behind a number (e.g. metric=nps&bucket=detractor), latest first",
)
@paginate(CursorPagination, ordering=("-occurred_at", "-id"))
def answers(
    request: HttpRequest,
    slice: Query[SliceIn],
    metric: MetricKey | None = None,
    bucket: str | None = None,
):
    return _refusing_bad_input(lambda: selectors.answers(slice.to_slice(), metric, bucket))
