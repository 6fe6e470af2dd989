"""The bookshop's cases: opened by the real case service from the demo's own negative signals, and
worked the way a small team works them.

The signals of the last ``RECENT_DAYS`` days each open (or join) a case exactly as a live answer
would, at the moment the signal happened, so owners, deadlines and the 24 h rule for high-value
prosecutors come from the rules in ``cxloop.loop.cases``. Then the staff's simulated habits, drawn
from the demo's seeded random generator, move them through the same service: most cases older
than two days were contacted and resolved (some with goodwill), a few were closed without a fix,
and some were left alone and are now overdue. Overdue cases get their in-app notices.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from cxloop.accounts.models import Workspace
from cxloop.loop import cases
from cxloop.loop.models import Case, CaseStatus

RECENT_DAYS = 21

RESOLUTIONS = [
    "Зателефонували, вибачилися, надіслали книжку повторно експрес-доставкою",
    "Повернули вартість доставки і пояснили, що сталося на складі",
    "Замінили пошкоджений примірник, кур'єр забрав старий",
    "Відповіли в чаті, допомогли оформити повернення за 5 хвилин",
    "Подякували за відгук, передали складу фото пакування для розбору",
]
GOODWILL = [None, None, Decimal("100.00"), Decimal("150.00"), Decimal("200.00")]
WONT_FIX = "Клієнт не відповідає на дзвінки й листи три дні поспіль"


def load_demo_cases(workspace: Workspace, rng: random.Random, now: datetime) -> str:
    """Open and work the demo's cases; returns the line the loader prints."""
    opened = cases.open_cases(since=now - timedelta(days=RECENT_DAYS), at_signal_time=True)
    resolved = contacted = wont_fix = 0
    staff = None  # the case owner acts; None when the case had nobody to give it to
    for case in Case.objects.filter(status=CaseStatus.NEW).order_by("opened_at", "id"):
        age = now - case.opened_at
        staff = case.owner
        draw = rng.random()
        if age > timedelta(days=2) and draw < 0.75:
            contact_at = case.opened_at + timedelta(hours=rng.uniform(1, 30))
            case = cases.change_status(case, CaseStatus.CONTACTED, actor=staff, now=contact_at)
            contacted += 1
            if rng.random() < 0.9:
                cases.change_status(
                    case,
                    CaseStatus.RESOLVED,
                    actor=staff,
                    text=rng.choice(RESOLUTIONS),
                    goodwill_value=(value := rng.choice(GOODWILL)),
                    goodwill_currency="UAH" if value is not None else "",
                    now=min(now, contact_at + timedelta(hours=rng.uniform(2, 48))),
                )
                resolved += 1
            else:
                cases.change_status(
                    case,
                    CaseStatus.WONT_FIX,
                    actor=staff,
                    text=WONT_FIX,
                    now=min(now, contact_at + timedelta(days=3)),
                )
                wont_fix += 1
        elif age > timedelta(hours=12) and draw < 0.4:
            cases.change_status(
                case,
                CaseStatus.CONTACTED,
                actor=staff,
                now=case.opened_at + timedelta(hours=rng.uniform(1, 10)),
            )
            contacted += 1
    notified = cases.notify_overdue_cases(now=now, workspace=workspace, email=False)
    still_open = Case.objects.filter(status__in=(CaseStatus.NEW, CaseStatus.CONTACTED))
    overdue = still_open.filter(due_at__lt=now).count()
    return (
        f"{opened.opened} cases opened from {opened.examined} negative signals of the last "
        f"{RECENT_DAYS} days ({opened.attached} joined an open case); {contacted} contacted, "
        f"{resolved} resolved, {wont_fix} won't fix, {still_open.count()} open, {overdue} overdue "
        f"({notified.notices} in-app notices)"
    )
