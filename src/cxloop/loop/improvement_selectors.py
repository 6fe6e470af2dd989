"""Read-side queries for the CX goal, the improvement backlog and "you said, we did"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from cxloop.experiences.models import Experience
from cxloop.experiences.scoring import Emotion, Scale

from .models import (
    CxGoal,
    GoalTarget,
    Improvement,
    ImprovementEvent,
    ImprovementStatus,
    Process,
    YouSaidNotification,
)

GOAL_WINDOW = timedelta(days=90)


def current_goal() -> CxGoal | None:
    """The bound workspace's goal with its targets (two queries), or None before anyone wrote it."""
    return (
        CxGoal.objects.prefetch_related(
            Prefetch("targets", queryset=GoalTarget.objects.order_by("position", "due_on", "id"))
        )
        .select_related("updated_by")
        .first()
    )


@dataclass(frozen=True)
class TargetProgress:
    """A target beside the metric's value over the last 90 days (None without data)."""

    target: GoalTarget
    current: float | None

    @property
    def met(self) -> bool | None:
        if self.current is None:
            return None
        value = float(self.target.value)
        if self.target.comparison == GoalTarget.Comparison.AT_LEAST:
            return self.current >= value
        return self.current <= value


def current_metrics(since: datetime | None = None) -> dict[str, float | None]:
    """The goal's metrics over the experiences since ``since`` (90 days by default), one query.

    NPS = % promoters (9–10) − % detractors (0–6); CSAT and CES are mean scores; WOW rate and share
    negative are percentages of all experiences.
    """
    since = since or timezone.now() - GOAL_WINDOW
    row = Experience.objects.filter(occurred_at__gte=since).aggregate(
        total=Count("id"),
        wow=Count("id", filter=Q(emotion=Emotion.WOW)),
        negative=Count("id", filter=Q(emotion=Emotion.NEGATIVE)),
        nps_n=Count("id", filter=Q(scale=Scale.NPS, score__isnull=False)),
        promoters=Count("id", filter=Q(scale=Scale.NPS, score__gte=9)),
        detractors=Count("id", filter=Q(scale=Scale.NPS, score__lte=6)),
        csat=Avg("score", filter=Q(scale=Scale.CSAT)),
        ces=Avg("score", filter=Q(scale=Scale.CES)),
    )
    total, nps_n = row["total"], row["nps_n"]
    return {
        GoalTarget.Metric.NPS: 100 * (row["promoters"] - row["detractors"]) / nps_n
        if nps_n
        else None,
        GoalTarget.Metric.CSAT: float(row["csat"]) if row["csat"] is not None else None,
        GoalTarget.Metric.CES: float(row["ces"]) if row["ces"] is not None else None,
        GoalTarget.Metric.WOW_RATE: 100 * row["wow"] / total if total else None,
        GoalTarget.Metric.NEGATIVE_SHARE: 100 * row["negative"] / total if total else None,
    }


def goal_progress(goal: CxGoal | None) -> list[TargetProgress]:
    if goal is None:
        return []
    targets = list(goal.targets.all())
    if not targets:
        return []
    metrics = current_metrics()
    return [TargetProgress(t, metrics.get(t.metric)) for t in targets]


def processes(active_only: bool = True) -> QuerySet[Process]:
    found = Process.objects.select_related("department")
    if active_only:
        found = found.filter(is_active=True)
    return found.order_by("department__name", "position", "name")


def backlog(
    *,
    status: str = "",
    process_id: int | None = None,
    department_id: int | None = None,
) -> QuerySet[Improvement]:
    """Improvements for the backlog page, newest first, with what each row shows (no N+1)."""
    found = Improvement.objects.select_related("process", "department", "owner").annotate(
        signal_count=Count("experiences", distinct=True)
    )
    if status:
        found = found.filter(status=status)
    if process_id:
        found = found.filter(process_id=process_id)
    if department_id:
        found = found.filter(department_id=department_id)
    # Open work first (not shipped yet), then the latest shipped; the same on every database.
    return found.order_by(F("shipped_on").desc(nulls_first=True), "-created_at", "-id")


def status_counts() -> dict[str, int]:
    counts = dict(
        Improvement.objects.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {s: counts.get(s, 0) for s in ImprovementStatus.values}


def improvement_detail(improvement_id: int) -> Improvement:
    """One improvement of the bound workspace (404 through ``get`` for another's id)."""
    return (
        Improvement.objects.select_related(
            "process", "department", "owner", "touchpoint", "touchpoint__stage"
        )
        .prefetch_related("topics")
        .get(pk=improvement_id)
    )


def linked_signals(improvement: Improvement, limit: int = 50) -> QuerySet[Experience]:
    return (
        Experience.objects.filter(pk__in=improvement.experiences.values("pk"))
        .select_related("customer", "touchpoint", "analysis")
        .prefetch_related("analysis__topics")
        .order_by("-occurred_at", "-id")[:limit]
    )


def events_of(improvement: Improvement) -> QuerySet[ImprovementEvent]:
    return ImprovementEvent.objects.filter(improvement=improvement).select_related("actor")


@dataclass(frozen=True)
class NotificationSummary:
    sent: int
    waiting: int
    skipped: dict[str, int]

    @property
    def total(self) -> int:
        return self.sent + self.waiting + sum(self.skipped.values())


def notification_summary(improvement: Improvement) -> NotificationSummary:
    rows = (
        YouSaidNotification.objects.filter(improvement=improvement)
        .order_by()
        .values("skipped_reason")
        .annotate(n=Count("id"), sent=Count("id", filter=Q(sent_at__isnull=False)))
    )
    sent = waiting = 0
    skipped: dict[str, int] = {}
    for row in rows:
        if row["skipped_reason"]:
            skipped[row["skipped_reason"]] = row["n"]
        else:
            sent += row["sent"]
            waiting += row["n"] - row["sent"]
    return NotificationSummary(sent, waiting, skipped)


def told_customer(customer_id: int, limit: int = 20) -> QuerySet[YouSaidNotification]:
    """The "you said, we did" emails a customer was sent, newest first (for their timeline)."""
    return (
        YouSaidNotification.objects.filter(customer_id=customer_id, sent_at__isnull=False)
        .select_related("improvement")
        .order_by("-sent_at", "-id")[:limit]
    )


def signals_by_ids(ids: list[int], limit: int = 200) -> list[Experience]:
    """The bound workspace's experiences among ``ids`` (others' ids simply are not found)."""
    if not ids:
        return []
    return list(
        Experience.objects.filter(pk__in=ids[:limit])
        .select_related("customer", "touchpoint")
        .order_by("-occurred_at", "-id")
    )


def sample_improvement(improvement_id: int | None = None) -> Improvement | None:
    """The improvement a template preview is filled in with: the one asked for, else the latest
    shipped, else the latest."""
    found = Improvement.objects.select_related("workspace")
    if improvement_id:
        chosen = found.filter(pk=improvement_id).first()
        if chosen is not None:
            return chosen
    return (
        found.filter(status=ImprovementStatus.SHIPPED).order_by("-shipped_on", "-id").first()
        or found.order_by("-created_at", "-id").first()
    )


def as_number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)
