"""Serve the web UI with gunicorn; optionally run a background worker beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve cxloop over HTTP (gunicorn), optionally with a background worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("CXLOOP_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("CXLOOP_WEB_WORKERS", "2")),
            help="Web processes (default 2; about two per CPU core in production).",
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also start one background worker and stop it when the server stops.",
        )

    def handle(
        self, *args: Any, bind: str, workers: int, with_worker: bool, **options: Any
    ) -> None:
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        worker = None
        if with_worker:
            worker = subprocess.Popen([sys.executable, "-m", "cxloop", "worker"])
        command = [
            sys.executable, "-m", "gunicorn", "cxloop.wsgi:application",
            "--bind", bind, "--workers", str(workers), "--access-logfile", "-",
            "--forwarded-allow-ips", os.environ.get("CXLOOP_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]  # fmt: skip
        try:
            raise SystemExit(subprocess.call(command))  # noqa: S603
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
