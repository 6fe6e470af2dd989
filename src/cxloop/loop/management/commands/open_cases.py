"""Backfill (cron, hourly, and after bulk loads): open the cases negative signals still lack."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from cxloop.accounts.models import Workspace
from cxloop.core.scoping import bind_workspace
from cxloop.loop.cases import open_cases


def _moment(value: str) -> datetime:
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--since {value!r}: give a date (2026-03-01) or a date and time.")
        moment = datetime.combine(day, time.min)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "Open a case for every negative signal that has none yet: experiences loaded in bulk "
        "(imports, the demo) and texts that read negative after analysis. Safe to repeat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", help="Only signals that happened from this date (or date and time) on."
        )
        parser.add_argument("--workspace", help="Only this workspace (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _moment(options["since"]) if options["since"] else None
        workspaces = Workspace.objects.order_by("pk")
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"No workspace with the slug {options['workspace']!r}.")
        for workspace in workspaces:
            with bind_workspace(workspace):
                summary = open_cases(since=since)
            self.stdout.write(
                f"{workspace.slug}: {summary.examined} signals, {summary.opened} cases opened, "
                f"{summary.attached} joined an open case"
            )
