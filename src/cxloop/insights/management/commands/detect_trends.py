"""Periodic sweep (cron, hourly): spikes and emerging topics of every workspace."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cxloop.accounts.models import Workspace
from cxloop.core.scoping import bind_workspace
from cxloop.insights.services import refresh_trends


class Command(BaseCommand):
    help = (
        "Record new spikes (sending the spike_detected event once per topic and day) and refresh "
        "the emerging-topic proposals of every workspace (run hourly, e.g. from cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for workspace in Workspace.objects.order_by("pk"):
            with bind_workspace(workspace):
                alerts, proposals = refresh_trends()
            self.stdout.write(
                f"{workspace.slug}: {len(alerts)} new spikes, {len(proposals)} emerging topics"
            )
