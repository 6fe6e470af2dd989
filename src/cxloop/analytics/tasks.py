"""Background tasks of analytics; each a thin, idempotent wrapper over a service."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from . import services


@task()
def compact_rollup_day(workspace_id: int, day: str) -> None:
    """Fold a day's delta rows into one row per key; running it twice changes nothing."""
    services.compact_day(workspace_id, date.fromisoformat(day))
