"""Keeping the analytics rollups in step with the experience ledger.

Every path that changes what the rollups count ends here, in the same transaction as the change:

- a new experience (``record_experience`` → ``experiences.events.experience_recorded`` →
  :func:`on_experience_recorded`): its delta rows are appended, and the day compacted later by a
  background task (``tasks.compact_rollup_day``);
- experiences removed (a survey answer edited replaces its experience): :func:`delete_experiences`;
- customers moved to another segment (import, API): :func:`refresh_for_customers`, the days of
  their experiences;
- bulk loads (the demo, a restore): :func:`rebuild_rollups` for the workspace;
- a touchpoint or segment deleted: the rollups' foreign keys are set to null exactly as the
  experiences' and customers' are, so nothing needs recomputing.

``cxloop rebuild_rollups`` rebuilds them from scratch (after a restore, or to check).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date, datetime
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

from cxloop.accounts.models import Workspace
from cxloop.core.scoping import current_workspace
from cxloop.experiences.models import Experience

from . import rollups


def refresh_for_moments(moments: Iterable[datetime], workspace: Workspace | None = None) -> None:
    """Recompute the rollup days these moments fall on (the bound workspace by default)."""
    workspace = workspace or current_workspace()
    rollups.recompute_days(workspace.pk, {rollups.day_of(m) for m in moments})


COMPACT_AFTER_SECONDS = 60  # at most one compaction of a (workspace, day) queued per minute
_queued_here: dict[tuple[int, date], float] = {}  # (workspace, day) → when this process queued it


def on_experience_recorded(sender: type, *, experience: Experience, **kwargs: Any) -> None:
    """Receiver of ``experiences.events.experience_recorded``: count the new answer.

    Its delta rows go in with it (exact at once, no waiting on other answers); compacting the day
    back to one row per key is left to a background task, queued at most once a minute per day.
    """
    day = rollups.add_experience(experience)
    # This process queued the day's compaction within the minute: skip even the cache round trip.
    seen = (experience.workspace_id, day)
    now = time.monotonic()
    if now - _queued_here.get(seen, -COMPACT_AFTER_SECONDS) < COMPACT_AFTER_SECONDS:
        return
    _queued_here[seen] = now
    key = f"analytics.compact:{experience.workspace_id}:{day.isoformat()}"
    if cache.add(key, 1, timeout=COMPACT_AFTER_SECONDS):
        transaction.on_commit(partial(_enqueue_compaction, experience.workspace_id, day))


def _enqueue_compaction(workspace_id: int, day: date) -> None:
    from .tasks import compact_rollup_day  # tasks import services: import here, not at the top

    compact_rollup_day.enqueue(workspace_id, day.isoformat())


def compact_day(workspace_id: int, day: date) -> None:
    """Fold a day's delta rows into one row per key (the same sums; idempotent)."""
    rollups.recompute_days(workspace_id, [day])


@transaction.atomic
def delete_experiences(experiences: QuerySet[Experience]) -> int:
    """Remove experiences from the ledger and from the rollups that counted them."""
    moments = list(experiences.values_list("workspace_id", "occurred_at"))
    deleted, _ = experiences.delete()
    by_workspace: dict[int, set] = {}
    for workspace_id, moment in moments:
        by_workspace.setdefault(workspace_id, set()).add(rollups.day_of(moment))
    for workspace_id, days in by_workspace.items():
        rollups.recompute_days(workspace_id, days)
    return deleted


def refresh_for_customers(customer_ids: Iterable[int]) -> None:
    """Customers changed segment: recompute the days on which they have experiences."""
    workspace = current_workspace()
    rollups.recompute_days(workspace.pk, rollups.days_of_customers(workspace.pk, customer_ids))


def rebuild_rollups(workspace: Workspace | None = None) -> int:
    """Rebuild every rollup row of a workspace from its raw experiences; returns rows written."""
    workspace = workspace or current_workspace()
    return rollups.rebuild_workspace(workspace.pk)
