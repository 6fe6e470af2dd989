"""Periodic sweep (cron, hourly): tell owners and their managers about overdue cases, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cxloop.loop.cases import notify_overdue_cases


class Command(BaseCommand):
    help = (
        "Notify the owner and their manager of each overdue case, in the app and by email when "
        "configured (run hourly, e.g. from cron). Safe to repeat: each case's notice goes once."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = notify_overdue_cases()
        self.stdout.write(
            f"{summary.cases} overdue cases, {summary.notices} notices, "
            f"{summary.emailed} emailed, {summary.email_failed} email failures"
        )
