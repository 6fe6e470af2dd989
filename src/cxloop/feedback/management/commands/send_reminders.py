"""Periodic sweep (cron, hourly): one reminder per unanswered survey invitation that is due."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cxloop.feedback.distribution import send_due_reminders


class Command(BaseCommand):
    help = "Email the survey reminders that are due (run hourly, e.g. from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes = send_due_reminders()
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())) or "nothing due"
        self.stdout.write(summary)
