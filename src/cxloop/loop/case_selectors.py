"""Read-side queries for cases: the filtered list, one case's timeline, notices, recovery rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from cxloop.accounts.models import Membership, Role, User
from cxloop.experiences.models import Experience
from cxloop.experiences.scoring import Outcome

from .models import OPEN_STATUSES, Case, CaseEvent, Notification

RECOVERY_WINDOW_DAYS = 90


def with_overdue(cases: QuerySet[Case], now: datetime) -> QuerySet[Case]:
    """Annotate ``overdue``: open and past its deadline at ``now``."""
    return cases.annotate(
        overdue=models.Case(
            When(Q(status__in=OPEN_STATUSES, due_at__lt=now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def search_cases(
    *,
    status: str = "",
    owner_id: int | None = None,
    overdue: bool = False,
    now: datetime | None = None,
) -> QuerySet[Case]:
    """Cases for the list page and the API, open ones by deadline first, closed ones after.

    ``status`` is a status, ``"open"`` (new or contacted) or empty for all.
    """
    now = now or timezone.now()
    cases = Case.objects.select_related("customer", "owner", "touchpoint", "topic")
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status:
        cases = cases.filter(status=status)
    if owner_id is not None:
        cases = cases.filter(owner_id=owner_id)
    if overdue:
        cases = cases.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    open_first = models.Case(
        When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return with_overdue(cases, now).order_by(open_first, "due_at", "id")


def case_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor", "owner", "experience").order_by("created_at", "id")


def customer_case_events(customer_id: int, limit: int = 50) -> QuerySet[CaseEvent]:
    """The case rows of one customer, newest first (for the customer 360 page)."""
    return (
        CaseEvent.objects.filter(customer_id=customer_id)
        .select_related("case", "actor", "owner", "experience")
        .order_by("-created_at", "-id")[:limit]
    )


def case_handlers() -> list[User]:
    """Members who may own a case: agents, managers and owners (for the reassign form)."""
    return [
        m.user
        for m in Membership.objects.filter(
            role__in=(Role.AGENT, Role.MANAGER, Role.OWNER)
        ).select_related("user")
    ]


def unread_notifications(user: User, limit: int = 20) -> list[Notification]:
    return list(
        Notification.objects.filter(user=user, read_at__isnull=True)
        .select_related("case", "case__customer")
        .order_by("-created_at", "-id")[:limit]
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class CaseCounts:
    open: int
    overdue: int
    mine_open: int


def case_counts(user: User, now: datetime | None = None) -> CaseCounts:
    now = now or timezone.now()
    counts = Case.objects.filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("id"),
        overdue=Count("id", filter=Q(due_at__lt=now)),
        mine_open=Count("id", filter=Q(owner=user)),
    )
    return CaseCounts(**counts)


@dataclass(frozen=True)
class RecoveryRate:
    """Recovery rate = recovered / judged, over the prosecutors who had a case in the window.

    - **Who**: each customer with at least one case opened in the last ``window_days`` days
      (by ``Case.opened_at``); a customer counts once, by their earliest case in the window.
    - **Next experience**: the customer's first experience that happened *after* the signal
      that opened that case (``Experience.occurred_at > Case.signal_at``), whatever its source.
    - **Recovered** (numerator): the next experience's outcome is ``met`` or ``exceeded``.
    - **Judged** (denominator): the customers who have a next experience at all; those without
      one yet are ``waiting`` and are left out rather than counted as failures, so a fresh case
      cannot lower the rate before the customer had a chance to answer.

    ``rate`` is None when nobody can be judged yet.
    """

    window_days: int
    customers: int
    judged: int
    recovered: int

    @property
    def waiting(self) -> int:
        return self.customers - self.judged

    @property
    def rate(self) -> float | None:
        return self.recovered / self.judged if self.judged else None


def recovery_rate(
    *, window_days: int = RECOVERY_WINDOW_DAYS, now: datetime | None = None
) -> RecoveryRate:
    now = now or timezone.now()
    since = now - timedelta(days=window_days)
    in_window = Case.objects.filter(opened_at__gte=since, opened_at__lte=now)
    first_case = (
        in_window.filter(customer_id=OuterRef("customer_id"))
        .order_by("opened_at", "id")
        .values("id")[:1]
    )
    next_outcome = (
        Experience.objects.filter(
            customer_id=OuterRef("customer_id"), occurred_at__gt=OuterRef("signal_at")
        )
        .order_by("occurred_at", "id")
        .values("outcome")[:1]
    )
    firsts = (
        in_window.filter(pk=Subquery(first_case))
        .annotate(next_outcome=Subquery(next_outcome))
        .aggregate(
            customers=Count("id"),
            judged=Count("id", filter=Q(next_outcome__isnull=False)),
            recovered=Count("id", filter=Q(next_outcome__in=[Outcome.MET, Outcome.EXCEEDED])),
        )
    )
    return RecoveryRate(window_days=window_days, **firsts)
