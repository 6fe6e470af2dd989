"""Periodic sweep (cron, hourly): invite the customers whose survey trigger event is due."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cxloop.feedback.triggers import DEFAULT_LOOKBACK, run_triggers


class Command(BaseCommand):
    help = (
        "Send the surveys that triggers (order delivered, day N of onboarding) have made due "
        "(run hourly, e.g. from cron). Safe to repeat: an event is fired once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--lookback-hours",
            type=int,
            default=int(DEFAULT_LOOKBACK.total_seconds() // 3600),
            help="Fire events that became due at most this many hours ago (default: %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        hours = options["lookback_hours"]
        if hours < 1:
            raise CommandError("--lookback-hours must be at least 1.")
        outcomes = run_triggers(lookback=timedelta(hours=hours))
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())) or "nothing due"
        self.stdout.write(summary)
