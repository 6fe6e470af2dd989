"""Load the demo workspace: Книгарня «Сторінка», a Ukrainian online bookshop, 18 months of it.

The demo is generated, not shipped as a fixture, so every number a user sees in it (NPS, the
December dip, repeat rates, "loyal customers spend more") comes out of a simulated business the
same way it would come out of a real one, and a visitor can trust the product to compute it.
The generator is deterministic: one ``random.Random(seed)`` drives every draw, and every date is
computed from ``now``, so a fixed seed and ``now`` give identical data.

Loading is idempotent: when the workspace exists nothing is written, so ``cxloop demo`` can run on
every start.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from cxloop.accounts.models import Workspace
from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Customer, Order
from cxloop.customers.services import refresh_purchase_dates
from cxloop.experiences.models import Experience
from cxloop.experiences.services import refresh_last_experience
from cxloop.experiences.stance import recompute_stances
from cxloop.insights.services import (
    analyse_experiences,
    analyse_unanalysed,
    refresh_trends,
    train_workspace_model,
)

from .cases import load_demo_cases
from .commerce import customer_rows, order_rows, simulate
from .experiments import create_demo_experiments
from .feedback import collect
from .improvements import create_demo_improvements
from .journey import create_bookshop_journey
from .people import DEMO_EMAIL, DEMO_PASSWORD, create_company, create_segments
from .plans import write_plans
from .rollups import build_rollups
from .seasons import Window
from .value import compute_customer_value

__all__ = ["DEMO_EMAIL", "DEMO_PASSWORD", "DEMO_SLUG", "DemoSummary", "load_demo"]

DEMO_SLUG = "storinka"
DEMO_NAME = "Книгарня «Сторінка»"
BATCH = 1000
STANCE_REPLAY_WEEKS = 26


@dataclass(frozen=True)
class DemoSummary:
    workspace: Workspace
    created: bool  # False when the demo already existed and nothing was written
    customers: int
    orders: int
    experiences: int
    seconds: float


def load_demo(
    *,
    seed: int = 20261125,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Create the demo workspace with its people, customers, orders and experiences, once."""
    started = time.perf_counter()
    say = progress or (lambda line: None)
    existing = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return _summary(existing, created=False, started=started)
    window = Window.ending(now or timezone.now())
    rng = random.Random(seed)
    say(f"Simulating 18 months of {DEMO_NAME} up to {window.date(window.days):%Y-%m-%d}…")
    buyers, purchases = simulate(rng, window)
    with transaction.atomic():
        workspace = create_company(DEMO_NAME, DEMO_SLUG, DEMO_PASSWORD)
        with bind_workspace(workspace):
            segments = create_segments()
            customers = customer_rows(buyers, segments, window)
            Customer.objects.bulk_create(customers, batch_size=BATCH)
            # created_at is auto_now_add, so bulk_create stamped the wall clock over the joining
            # dates; put them back so "customer since" tells the simulated story.
            for customer, buyer in zip(customers, buyers, strict=True):
                customer.created_at = window.at(buyer.joined)
            Customer.objects.bulk_update(customers, ["created_at"], batch_size=BATCH)
            say(f"{len(customers)} customers in {len(segments)} segments")
            orders = order_rows(purchases, window)
            Order.objects.bulk_create(orders, batch_size=BATCH)
            say(f"{len(orders)} orders")
            now_at = window.at(window.end)
            touchpoints = create_bookshop_journey(workspace)
            experiences = collect(rng, window, buyers, touchpoints)
            Experience.objects.bulk_create(experiences, batch_size=BATCH)
            say(f"{len(experiences)} experiences (survey answers, reviews, social posts)")
            say(build_rollups(workspace))
            # Derived state, computed by the same services an import or a new answer uses.
            refresh_purchase_dates(now=now_at)
            refresh_last_experience()
            ids = list(Customer.objects.values_list("pk", flat=True))
            changed = replay_stances(ids, now_at)
            say(f"{changed} stance changes over the last {STANCE_REPLAY_WEEKS} weeks replayed")
            noted, planned = write_plans(rng, now_at.date(), segments)
            say(f"{noted} expectations written down, {planned} WOW plan steps")
            # Text analytics, as a workspace gets them: every text analysed, then the workspace's
            # own emotion model trained on its rated answers (kept only if it beats cold start).
            analysed = analyse_unanalysed()
            trained = train_workspace_model()
            if trained.activated:
                texts = Experience.objects.exclude(text="").values_list("pk", flat=True)
                analyse_experiences(list(texts))
            say(f"{analysed} texts analysed; workspace emotion model: {trained.reason}")
            spiked, proposed = refresh_trends(now=now_at)
            say(f"{len(spiked)} spikes and {len(proposed)} emerging topics in recent complaints")
            say(compute_customer_value(workspace, now_at))
            say(f"{len(create_demo_experiments(workspace, now_at.date()))} A/B experiments defined")
            say(load_demo_cases(workspace, rng, now_at))
            made = create_demo_improvements(workspace, window, random.Random(seed + 5))
            say(f"{made} improvements over the year, one process at a time")
    return DemoSummary(
        workspace=workspace,
        created=True,
        customers=len(customers),
        orders=len(orders),
        experiences=len(experiences),
        seconds=time.perf_counter() - started,
    )


def replay_stances(customer_ids: list[int], now: datetime) -> int:
    """Set every stance as it stood fortnight by fortnight over the last half year, up to ``now``.

    A live workspace recomputes a customer's stance whenever an experience arrives, so its
    stance history holds the prosecutors who came back. Loading 18 months at once and computing
    stances only at the end would leave that history empty and the home page's "prosecutors
    recovered" at zero; stepping through the half year with the same rule writes the changes a
    live workspace would have recorded, dated to the fortnight they happened in (a finer step
    costs a pass over every customer each: about 0.1 s for the demo's 4,000).
    """
    changed = 0
    for weeks_ago in range(STANCE_REPLAY_WEEKS, -1, -2):
        changed += recompute_stances(customer_ids, now=now - timedelta(weeks=weeks_ago))
    return changed


def _summary(workspace: Workspace, *, created: bool, started: float) -> DemoSummary:
    with bind_workspace(workspace):
        return DemoSummary(
            workspace=workspace,
            created=created,
            customers=Customer.objects.count(),
            orders=Order.objects.count(),
            experiences=Experience.objects.count(),
            seconds=time.perf_counter() - started,
        )
