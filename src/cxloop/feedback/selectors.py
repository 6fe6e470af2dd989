"""Read-side queries for survey results: counts over time, score distribution, the metric with
its margin of error, the answers' words, and the rows of the CSV export.

The metric depends on the survey's score (its first scored question), and its interval comes
from :mod:`cxloop.analytics.stats`, so a survey's results page and the dashboards state the same
95% interval for the same answers:

- **NPS** (0–10): % promoters (9–10) − % detractors (0–6), ± ``1.96 · √(var / n) · 100`` with
  ``var = p + d − (p − d)²`` (clamped to −100…+100 for display).
- **CSAT** (1–5): the share of satisfied answers (4 or 5), with Wilson's score interval, which
  stays inside 0–100% and behaves with few answers (unlike p ± 1.96·√(p(1−p)/n)).
- **CES** (1–7) and a 1–5 **rating**: the mean, with the Student t interval
  ``mean ± t(0.975, n−1) · s / √n``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek

from cxloop.analytics.stats import Interval, MeanSums, mean_interval, nps_interval, wilson
from cxloop.experiences.scoring import outcome_for_score

from .models import SCORED_KINDS, Answer, Question, QuestionKind, Response, Survey


@dataclass(frozen=True)
class Metric:
    """The survey's headline number: ``value`` with a 95% interval ``low``–``high``."""

    name: str  # nps, csat, ces, rating
    answers: int
    value: float | None
    low: float | None = None
    high: float | None = None
    unit: str = ""  # "%" for shares, "" for scores and means

    @property
    def margin(self) -> float | None:
        if self.low is None or self.high is None or self.value is None:
            return None
        return max(self.value - self.low, self.high - self.value)


@dataclass(frozen=True)
class Filters:
    since: datetime | None = None
    until: datetime | None = None
    segment_id: int | None = None
    touchpoint_id: int | None = None


def completed(survey: Survey, filters: Filters) -> QuerySet[Response]:
    rows = Response.objects.filter(survey=survey, status=Response.Status.COMPLETED)
    if filters.since is not None:
        rows = rows.filter(completed_at__gte=filters.since)
    if filters.until is not None:
        rows = rows.filter(completed_at__lt=filters.until)
    if filters.segment_id is not None:
        rows = rows.filter(customer__segment_id=filters.segment_id)
    if filters.touchpoint_id is not None:
        rows = rows.filter(touchpoint_id=filters.touchpoint_id)
    return rows


def partial_count(survey: Survey, filters: Filters) -> int:
    rows = Response.objects.filter(survey=survey, status=Response.Status.PARTIAL)
    if filters.since is not None:
        rows = rows.filter(started_at__gte=filters.since)
    return rows.count()


def score_scale(survey: Survey) -> tuple[str, int, int] | None:
    """The survey's scored question as (scale, lowest, highest), or None when it has none."""
    question = (
        Question.objects.filter(survey=survey, kind__in=list(SCORED_KINDS))
        .order_by("position")
        .first()
    )
    return SCORED_KINDS[question.kind] if question else None


def metric(rows: QuerySet[Response], scale: str) -> Metric:
    scored = rows.filter(score__isnull=False)
    if scale == "nps":
        counts = scored.aggregate(
            n=Count("id"),
            promoters=Count("id", filter=Q(score__gte=9)),
            detractors=Count("id", filter=Q(score__lte=6)),
        )
        interval = nps_interval(counts["promoters"], counts["detractors"], counts["n"])
        return _metric("nps", counts["n"], interval, lowest=-100.0, highest=100.0)
    if scale == "csat":
        counts = scored.aggregate(n=Count("id"), satisfied=Count("id", filter=Q(score__gte=4)))
        n = counts["n"]
        interval = wilson(counts["satisfied"], n)
        # One answer says nothing about the spread: no interval rather than 0–100%.
        if n < 2:
            interval = Interval(interval.estimate, None, None)
        return _metric("csat", n, interval, unit="%")
    sums = scored.aggregate(n=Count("id"), total=Sum("score"), squares=Sum(F("score") * F("score")))
    n = sums["n"]
    sample = MeanSums(n, float(sums["total"] or 0), float(sums["squares"] or 0))
    return _metric("ces" if scale == "ces" else "rating", n, mean_interval(sample))


def _metric(
    name: str,
    n: int,
    interval: Interval,
    *,
    unit: str = "",
    lowest: float | None = None,
    highest: float | None = None,
) -> Metric:
    low, high = interval.low, interval.high
    if low is not None and lowest is not None:
        low = max(lowest, low)
    if high is not None and highest is not None:
        high = min(highest, high)
    return Metric(name, n, interval.estimate, low, high, unit=unit)


@dataclass(frozen=True)
class Bucket:
    start: datetime
    count: int
    height: int  # percent of the tallest bucket, for the bar chart


def over_time(rows: QuerySet[Response], days: int | None) -> tuple[str, list[Bucket]]:
    """Completed responses per day (a month or less), week (a year or less) or month."""
    if days is not None and days <= 31:
        unit, trunc = "day", TruncDate("completed_at")
    elif days is not None and days <= 366:
        unit, trunc = "week", TruncWeek("completed_at")
    else:
        unit, trunc = "month", TruncMonth("completed_at")
    counted = list(
        rows.annotate(bucket=trunc).values("bucket").annotate(n=Count("id")).order_by("bucket")
    )
    peak = max((row["n"] for row in counted), default=0)
    return unit, [
        Bucket(row["bucket"], row["n"], round(100 * row["n"] / peak) if peak else 0)
        for row in counted
    ]


@dataclass(frozen=True)
class ScoreCount:
    score: int
    count: int
    height: int
    outcome: str  # below, met, exceeded: colours the bar


def distribution(rows: QuerySet[Response], scale: tuple[str, int, int]) -> list[ScoreCount]:
    name, low, high = scale
    counts = dict(
        rows.filter(score__isnull=False)
        .values_list("score")
        .annotate(n=Count("id"))
        .values_list("score", "n")
    )
    peak = max(counts.values(), default=0)
    return [
        ScoreCount(
            score,
            counts.get(score, 0),
            round(100 * counts.get(score, 0) / peak) if peak else 0,
            outcome_for_score(score, name),
        )
        for score in range(low, high + 1)
    ]


def answers_with_text(rows: QuerySet[Response], limit: int = 50) -> QuerySet[Answer]:
    return (
        Answer.objects.filter(response__in=rows, question__kind=QuestionKind.TEXT)
        .exclude(text="")
        .select_related("response__customer", "response__touchpoint", "question")
        .order_by("-response__completed_at", "-id")[:limit]
    )


def export_rows(survey: Survey, rows: QuerySet[Response]) -> Iterator[list[str]]:
    """The CSV export, one row per response, streamed in chunks so memory stays flat."""
    questions = list(Question.objects.filter(survey=survey).order_by("position"))
    yield [
        "response_id",
        "completed_at",
        "reached_by",
        "language",
        "customer_external_id",
        "customer_name",
        "touchpoint",
        "score",
        *[q.key for q in questions],
    ]
    responses = (
        rows.select_related("customer", "touchpoint")
        .prefetch_related("answers")
        .order_by("completed_at", "id")
    )
    for response in responses.iterator(chunk_size=500):
        answers = {a.question_id: a for a in response.answers.all()}
        yield [
            str(response.pk),
            response.completed_at.isoformat() if response.completed_at else "",
            response.via,
            response.language,
            response.customer.external_id if response.customer else "",
            response.customer.name if response.customer else "",
            response.touchpoint.name if response.touchpoint else "",
            "" if response.score is None else str(response.score),
            *[_cell(answers.get(q.pk)) for q in questions],
        ]


def _cell(answer: Answer | None) -> str:
    if answer is None:
        return ""
    if answer.number is not None:
        return str(answer.number)
    if answer.choices:
        return ";".join(answer.choices)
    return answer.text


def default_since(days: int | None, now: datetime) -> datetime | None:
    return None if days is None else now - timedelta(days=days)
