"""Installation-level background tasks."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from .models import WorkerHeartbeat

# Keep the table small: a worker beats at start, and tests beat a few times.
HEARTBEATS_KEPT = 100


@task()
def heartbeat(enqueued_by: str) -> int:
    """Record that a worker ran a task; returns the heartbeat's id.

    ``enqueued_by`` names who asked (the worker at start-up, a health check, a test), which is
    what the health endpoint reports next to the time.
    """
    beat = WorkerHeartbeat.objects.create(
        backend=f"{settings.TASKS['default']['BACKEND']} ({enqueued_by})"[:100]
    )
    stale = WorkerHeartbeat.objects.order_by("-recorded_at").values_list("pk", flat=True)[
        HEARTBEATS_KEPT:
    ]
    WorkerHeartbeat.objects.filter(pk__in=list(stale)).delete()
    return beat.pk
