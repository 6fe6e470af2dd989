"""Prepare and serve the demo: migrate, load the demo workspace once, print how to log in."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from cxloop.demo.services import DEMO_EMAIL, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Create the database, load the demo workspace (once) and serve the web UI."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Prepare only; do not serve.")
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args: Any, no_serve: bool, bind: str, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        summary = load_demo(progress=lambda line: self.stdout.write(f"  {line}"))
        verb = "Loaded" if summary.created else "Reusing"
        self.stdout.write(
            f"{verb} the demo workspace “{summary.workspace.name}”: {summary.customers} customers, "
            f"{summary.orders} orders, {summary.experiences} experiences"
            + (f" in {summary.seconds:.1f} s." if summary.created else ".")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"\ncxloop is at http://{bind}/\n"
                f"Log in as {DEMO_EMAIL} with the password {DEMO_PASSWORD}\n"
            )
        )
        if not no_serve:
            call_command("serve", bind=bind, with_worker=True)
