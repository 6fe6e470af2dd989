"""Daily upkeep: time alone moves customers from onboarding to active and from active to lapsed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cxloop.accounts.models import Workspace
from cxloop.core.scoping import bind_workspace
from cxloop.customers.lifecycle import refresh_phases


class Command(BaseCommand):
    help = "Recompute every customer's lifecycle phase (run daily, e.g. from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        for workspace in Workspace.objects.order_by("pk"):
            with bind_workspace(workspace):
                changed = refresh_phases()
            self.stdout.write(f"{workspace.slug}: {changed} customers changed phase")
