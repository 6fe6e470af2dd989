"""Rebuild the analytics rollups from the raw experience ledger (after a restore, or to check)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cxloop.accounts.models import Workspace
from cxloop.analytics.services import rebuild_rollups
from cxloop.core.scoping import bind_workspace


class Command(BaseCommand):
    help = (
        "Drop and rebuild the daily analytics rollups of every workspace, or of one, from its "
        "experiences. Not needed in normal running: every write keeps them exact."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workspace", help="slug of one workspace (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.order_by("pk")
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"No workspace with the slug {options['workspace']!r}.")
        for workspace in workspaces:
            started = time.perf_counter()
            with bind_workspace(workspace):
                rows = rebuild_rollups(workspace)
            self.stdout.write(
                f"{workspace.slug}: {rows} daily rollup rows "
                f"({time.perf_counter() - started:.1f} s)"
            )
