"""The customer's lifecycle phase, from their purchase dates.

- ``prospect``: no purchase yet.
- ``onboarding``: the first 100 days after the first purchase. The seeds single out this window:
  what happens in it decides whether a first buyer becomes a regular.
- ``active``: past onboarding, and bought within the last ``LAPSE_AFTER`` days.
- ``lapsed``: past onboarding, and no purchase for ``LAPSE_AFTER`` days or more.

The phase is stored on the customer (indexed, so filters stay fast at a million customers) and
refreshed set-based: after an import of orders, and daily by a task, since time alone moves a
customer from onboarding to active and from active to lapsed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Case, QuerySet, Value, When
from django.utils import timezone

from .models import Customer, LifecyclePhase

ONBOARDING_DAYS = 100
LAPSE_AFTER = timedelta(days=180)


def phase_for(
    first_purchase_at: datetime | None, last_purchase_at: datetime | None, now: datetime
) -> LifecyclePhase:
    if first_purchase_at is None:
        return LifecyclePhase.PROSPECT
    if now - first_purchase_at < timedelta(days=ONBOARDING_DAYS):
        return LifecyclePhase.ONBOARDING
    if last_purchase_at is not None and now - last_purchase_at < LAPSE_AFTER:
        return LifecyclePhase.ACTIVE
    return LifecyclePhase.LAPSED


def refresh_phases(customers: QuerySet[Customer] | None = None, now: datetime | None = None) -> int:
    """Recompute the phase of many customers in one UPDATE; returns how many rows changed."""
    now = now or timezone.now()
    customers = Customer.objects.all() if customers is None else customers
    phase = Case(
        When(first_purchase_at__isnull=True, then=Value(LifecyclePhase.PROSPECT)),
        When(
            first_purchase_at__gt=now - timedelta(days=ONBOARDING_DAYS),
            then=Value(LifecyclePhase.ONBOARDING),
        ),
        When(last_purchase_at__gt=now - LAPSE_AFTER, then=Value(LifecyclePhase.ACTIVE)),
        default=Value(LifecyclePhase.LAPSED),
    )
    # Only rows whose phase differs are written, so a daily run touches few rows.
    stale = customers.annotate(new_phase=phase).exclude(lifecycle_phase=phase)
    return Customer.objects.filter(pk__in=stale.values("pk")).update(lifecycle_phase=phase)
