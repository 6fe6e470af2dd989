"""``cxloop import customers FILE`` and ``cxloop import orders FILE``: import from the shell.

Exit status 0 when the import ran, bad rows or not (they are in the report); 2 when the input is
unusable (no such file, unreadable, no column for the external id, no or an unknown workspace).
"""

from __future__ import annotations

from pathlib import Path
from time import monotonic
from typing import Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from cxloop.accounts.models import Workspace
from cxloop.core.scoping import bind_workspace
from cxloop.customers.imports import mapping
from cxloop.customers.imports import services as imports
from cxloop.customers.imports.pipeline import BATCH_ROWS, Summary
from cxloop.customers.imports.readers import UnreadableFile, estimate_rows, open_table

UNUSABLE = 2


class ProgressBar:
    """``[#######.......]  45%  450,000/1,000,000 rows  52,000 rows/s`` redrawn with ``\\r``."""

    WIDTH = 30

    def __init__(self, out: OutputWrapper, total: int | None, enabled: bool = True) -> None:
        self.out, self.total, self.enabled = out, total, enabled
        self.last_drawn = 0.0
        self.drawn = False

    def update(self, summary: Summary, force: bool = False) -> None:
        if not self.enabled or (not force and monotonic() - self.last_drawn < 0.2):
            return
        self.last_drawn = monotonic()
        rate = f"{summary.rows_per_second:,.0f} rows/s"
        if self.total:
            share = min(summary.processed / self.total, 1.0)
            filled = round(share * self.WIDTH)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            line = f"[{bar}] {share:4.0%}  {summary.processed:,}/{self.total:,} rows  {rate}"
        else:
            line = f"{summary.processed:,} rows  {rate}"
        self.out.write(f"\r{line}", ending="")
        self.out.flush()
        self.drawn = True

    def finish(self, summary: Summary) -> None:
        if self.enabled:
            self.total = max(self.total or 0, summary.processed) or None
            self.update(summary, force=True)
            self.out.write("")


class Command(BaseCommand):
    help = (
        "Import customers or orders from a CSV or XLSX file, upserting by external id: rows "
        "already stored as given change nothing. Columns are matched by their header names "
        "(English, Ukrainian, Russian); name others with --map. Bad rows go to a report, "
        "FILE.errors.csv beside the file unless --report says where."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=[mapping.CUSTOMERS, mapping.ORDERS])
        parser.add_argument("file", type=Path, help="A .csv or .xlsx file.")
        parser.add_argument(
            "--workspace", metavar="SLUG", help="Needed when there is more than one workspace."
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="Feed FIELD from COLUMN (its header, or its number from 1); FIELD may be "
            "'skip' or, for customers, 'attribute'. Repeat for several columns.",
        )
        parser.add_argument(
            "--keep-unmapped",
            action="store_true",
            help="Customers: keep the columns that feed no field as attributes.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check everything and count what would change; save nothing but the report.",
        )
        parser.add_argument("--report", type=Path, metavar="PATH", help="Where bad rows go.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")
        parser.add_argument("--batch-size", type=int, default=BATCH_ROWS, help="Rows per batch.")

    def handle(self, *args: Any, kind: str, file: Path, workspace: str | None,
               map: list[str], keep_unmapped: bool, dry_run: bool, report: Path | None,
               no_progress: bool, batch_size: int, **options: Any) -> None:  # fmt: skip
        file, report = Path(file), Path(report) if report else None  # call_command passes str
        target = self._workspace(workspace)
        try:
            with open_table(file) as table:
                header = table.header
        except (UnreadableFile, OSError) as exc:
            raise CommandError(f"{file}: {exc}", returncode=UNUSABLE) from exc
        targets = mapping.suggest(kind, header, keep_unmapped)
        try:
            targets = mapping.apply_overrides(kind, header, targets, map)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=UNUSABLE) from exc
        if problems := mapping.problems(kind, header, targets):
            raise CommandError(
                f"{file}: " + " ".join(problems) + " Name columns with --map COLUMN=FIELD "
                f"(the columns are: {', '.join(header)}).",
                returncode=UNUSABLE,
            )
        self.stdout.write(f"Columns of {file.name}:")
        for column, field in zip(header, targets, strict=True):
            self.stdout.write(f"  {column} → {field or '(skipped)'}")

        report_path = report or file.with_suffix(".errors.csv")
        report_path.unlink(missing_ok=True)  # a report from an earlier run would mislead
        bar = ProgressBar(self.stdout, estimate_rows(file), enabled=not no_progress)
        with bind_workspace(target):
            try:
                summary, _run = imports.import_path(
                    kind,
                    file,
                    targets,
                    report_path,
                    dry_run=dry_run,
                    on_progress=bar.update,
                    batch_size=batch_size,
                )
            except UnreadableFile as exc:
                bar.finish(Summary())
                raise CommandError(f"{file}: {exc}", returncode=UNUSABLE) from exc
        bar.finish(summary)
        self._summarise(summary, file, target, report_path, dry_run)

    def _workspace(self, slug: str | None) -> Workspace:
        slugs = ", ".join(Workspace.objects.values_list("slug", flat=True))
        if slug:
            found = Workspace.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(
                    f"No workspace with the slug {slug!r}; the workspaces are: {slugs or 'none'}.",
                    returncode=UNUSABLE,
                )
            return found
        workspaces = list(Workspace.objects.all()[:2])
        if not workspaces:
            raise CommandError(
                "There is no workspace yet; create one with `cxloop createworkspace NAME`.",
                returncode=UNUSABLE,
            )
        if len(workspaces) > 1:
            raise CommandError(
                f"There are several workspaces; name one with --workspace SLUG ({slugs}).",
                returncode=UNUSABLE,
            )
        return workspaces[0]

    def _summarise(self, summary: Summary, file: Path, workspace: Workspace, report_path: Path,
                   dry_run: bool) -> None:  # fmt: skip
        verb = "Checked" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {summary.rows:,} rows of {file.name} into {workspace.name} "
            f"in {summary.seconds:.1f} s ({summary.rows_per_second:,.0f} rows/s)."
        )
        would = "would be " if dry_run else ""
        for label, count in [
            (f"{would}created", summary.created),
            (f"{would}updated", summary.updated),
            ("unchanged", summary.unchanged),
            ("bad", summary.bad),
        ]:
            self.stdout.write(f"  {label:<18} {count:>12,}")
        if summary.bad:
            self.stdout.write(f"Bad rows, each with the reason: {report_path}")
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
