"""Lifecycle phases: prospect, the 100-day onboarding, active, lapsed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cxloop.customers.lifecycle import phase_for
from cxloop.customers.models import LifecyclePhase

NOW = datetime(2026, 11, 25, tzinfo=UTC)


@pytest.mark.parametrize(
    ("first_days_ago", "last_days_ago", "phase"),
    [
        (None, None, LifecyclePhase.PROSPECT),
        (0, 0, LifecyclePhase.ONBOARDING),
        (99, 99, LifecyclePhase.ONBOARDING),
        (100, 5, LifecyclePhase.ACTIVE),
        (400, 179, LifecyclePhase.ACTIVE),
        (400, 180, LifecyclePhase.LAPSED),
    ],
)
def test_phase_rules(first_days_ago, last_days_ago, phase):
    first = NOW - timedelta(days=first_days_ago) if first_days_ago is not None else None
    last = NOW - timedelta(days=last_days_ago) if last_days_ago is not None else None
    assert phase_for(first, last, NOW) == phase
