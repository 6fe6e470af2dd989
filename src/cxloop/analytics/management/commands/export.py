"""``cxloop export DATASET --workspace SLUG --format csv|parquet --output PATH [--since DATE]``.

Writes one whole dataset of one workspace (customers, orders, experiences with their text's
emotion and topics, survey answers, cases, improvements) to a file, reading the database in
chunks so memory stays flat. ``--output -`` writes CSV to standard output. Exit status 2 when the
input is unusable (unknown dataset or workspace, bad date, Parquet to standard output).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cxloop.accounts.models import Workspace
from cxloop.analytics.export import DATASETS, FORMATS, available_datasets, write_csv, write_parquet
from cxloop.core.scoping import bind_workspace


class Command(BaseCommand):
    help = "Export a whole dataset of one workspace as CSV or Parquet."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("dataset", choices=sorted(DATASETS), help="What to export.")
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        parser.add_argument("--format", choices=FORMATS, default="csv", dest="file_format")
        parser.add_argument("--output", required=True, help="File to write; - for stdout (CSV).")
        parser.add_argument(
            "--since", help="Only rows from this date on (YYYY-MM-DD, the workspace's time zone)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name, output = options["dataset"], options["output"]
        if name not in available_datasets():
            raise CommandError(
                f"The {name} table does not exist in this installation.", returncode=2
            )
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(
                f"No workspace with the slug {options['workspace']!r}.", returncode=2
            )
        since = None
        if options["since"]:
            try:
                day = dt.date.fromisoformat(options["since"])
            except ValueError as error:
                raise CommandError(
                    f"--since: {error}; write the date as YYYY-MM-DD.", returncode=2
                ) from None
            since = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
        dataset = DATASETS[name]
        started = time.perf_counter()
        with bind_workspace(workspace):
            rows = dataset.rows(since)
            if options["file_format"] == "parquet":
                if output == "-":
                    raise CommandError("Parquet needs a file: give --output PATH.", returncode=2)
                count = write_parquet(dataset.columns, rows, output)
            elif output == "-":
                count = write_csv(dataset.columns, rows, sys.stdout)
            else:
                with open(output, "w", encoding="utf-8", newline="") as target:
                    count = write_csv(dataset.columns, rows, target)
        seconds = time.perf_counter() - started
        if output != "-":
            self.stdout.write(f"{count:,} {name} rows written to {output} in {seconds:.1f} s")
