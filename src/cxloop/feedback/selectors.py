"""Read-side queries for survey results: counts over time, score distribution, the metric with
its margin of error, the answers' words, and the rows of the CSV export.

The metric depends on the survey's score (its first scored question):

- **NPS** (0–10): % promoters (9–10) − % detractors (0–6), with the margin of error of
  :class:`cxloop.experiences.selectors.NpsSummary`.
- **CSAT** (1–5): the share of satisfied answers (4 or 5), with the 95% **Wilson** score interval,
  which stays inside 0–100% and behaves with few answers (unlike p ± 1.96·√(p(1−p)/n)).
- **CES** (1–7) and a 1–5 **rating**: the mean, with the 95% **Student t** interval
  ``mean ± t(0.975, n−1) · s / √n`` (close to the normal 1.96 from about 30 answers on).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek

from cxloop.experiences.scoring import outcome_for_score
from cxloop.experiences.selectors import Z95, NpsSummary

from .models import SCORED_KINDS, Answer, Question, QuestionKind, Response, Survey

# Student t quantiles t(0.975, df) for df = 1…30; beyond that a Cornish–Fisher expansion.
T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t975(df: int) -> float:
    if df < 1:
        raise ValueError("A t interval needs at least two answers.")
    if df <= len(T975):
        return T975[df - 1]
    z = Z95
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion, as fractions 0–1."""
    if n == 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


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
            answers=Count("id"),
            promoters=Count("id", filter=Q(score__gte=9)),
            detractors=Count("id", filter=Q(score__lte=6)),
        )
        summary = NpsSummary(**counts)
        moe = summary.margin_of_error
        score = summary.score
        return Metric(
            "nps",
            summary.answers,
            score,
            None if moe is None or score is None else max(-100.0, score - moe),
            None if moe is None or score is None else min(100.0, score + moe),
        )
    if scale == "csat":
        counts = scored.aggregate(n=Count("id"), satisfied=Count("id", filter=Q(score__gte=4)))
        n, satisfied = counts["n"], counts["satisfied"]
        interval = wilson_interval(satisfied, n)
        return Metric(
            "csat",
            n,
            100 * satisfied / n if n else None,
            100 * interval[0] if interval and n > 1 else None,
            100 * interval[1] if interval and n > 1 else None,
            unit="%",
        )
    sums = scored.aggregate(n=Count("id"), total=Sum("score"), squares=Sum(F("score") * F("score")))
    n = sums["n"]
    name = "ces" if scale == "ces" else "rating"
    if not n:
        return Metric(name, 0, None)
    mean = sums["total"] / n
    if n < 2:
        return Metric(name, n, mean)
    variance = max(0.0, (sums["squares"] - n * mean * mean) / (n - 1))
    half = t975(n - 1) * math.sqrt(variance / n)
    return Metric(name, n, mean, mean - half, mean + half)


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
