"""Daily upkeep: refit the lifetime-value model and recompute the Customer value page's figures."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cxloop.accounts.models import Workspace
from cxloop.analytics.value_services import refresh_clv


class Command(BaseCommand):
    help = (
        "Recompute cohorts, value KPIs, the seeds' claims and each customer's predicted purchases "
        "and lifetime value over 12 months (BG/NBD + Gamma-Gamma), for every workspace or one "
        "(run daily)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workspace", help="slug of one workspace (default: all)")
        parser.add_argument(
            "--monthly-discount",
            type=float,
            default=0.01,
            help="discount rate per month for the lifetime value (0.01 = 1%%)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.order_by("pk")
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"No workspace with the slug {options['workspace']!r}.")
        if not 0 <= options["monthly_discount"] < 1:
            raise CommandError("--monthly-discount must be in [0, 1), e.g. 0.01 for 1% a month.")
        for workspace in workspaces:
            result = refresh_clv(workspace, monthly_discount=options["monthly_discount"])
            model = result.snapshot.model
            fit = "model fitted" if model.get("fitted") else f"no model: {model.get('reason')}"
            self.stdout.write(
                f"{workspace.slug}: {result.predictions} customers predicted, {fit} "
                f"({result.snapshot.seconds:.1f} s)"
            )
