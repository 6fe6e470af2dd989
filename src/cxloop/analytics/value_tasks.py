"""Background task of customer value: the refresh a manager asks for from the page."""

from __future__ import annotations

from django_tasks import task

from cxloop.accounts.models import Workspace

from .value_services import refresh_clv


@task()
def refresh_customer_value(workspace_id: int) -> int:
    """Recompute one workspace's customer value; returns the customers predicted.

    Idempotent: a second delivery recomputes the same figures and replaces the same rows.
    """
    return refresh_clv(Workspace.objects.get(pk=workspace_id)).predictions
