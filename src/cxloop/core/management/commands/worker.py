"""Run the configured background worker: the database queue by default, RQ on Redis if set."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from cxloop.core.tasks import heartbeat

RQ_BACKEND = "django_tasks_rq.RQBackend"


class Command(BaseCommand):
    help = "Run a background worker for whichever task backend is configured."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--burst", action="store_true", help="Run what is queued, then exit.")
        parser.add_argument("--queue", default="default")

    def handle(self, *args: Any, burst: bool, queue: str, **options: Any) -> None:
        heartbeat.enqueue("worker start")
        backend = settings.TASKS["default"]["BACKEND"]
        verbosity = options.get("verbosity", 1)
        if backend == RQ_BACKEND:
            self.stdout.write(f"cxloop worker: RQ on {settings.REDIS_URL}, queue {queue}")
            call_command(
                "rqworker", queue, job_class="django_tasks_rq.Job", burst=burst,
                verbosity=verbosity,
            )  # fmt: skip
        else:
            self.stdout.write(f"cxloop worker: database queue {queue}")
            call_command(
                "db_worker", queue_name=queue, batch=burst, reload=False, verbosity=verbosity
            )
