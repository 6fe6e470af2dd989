"""Use cases of an import run: upload, preview, confirm, execute — and the command line's run.

Small files (under ``INLINE_ROWS`` rows) are imported inside the request that confirms them;
larger ones are queued as a background task after the transaction commits. Either way
``execute`` claims the run with a compare-and-set (``queued`` → ``running``), so a task delivered
twice imports once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cxloop.core.scoping import bind_workspace

from ..models import ImportRun
from . import mapping, storage
from .pipeline import Summary, import_table
from .readers import Table, UnreadableFile, estimate_rows, open_table
from .report import ReportWriter
from .rows import Problem, make_parser

logger = logging.getLogger(__name__)

INLINE_ROWS = 5_000
PREVIEW_ROWS = 10


def start(kind: str, upload: UploadedFile, user: Any, language: str = "") -> ImportRun:
    """Store an uploaded file and open a draft run with the suggested mapping.

    Raises ``UnreadableFile`` (and keeps nothing) when the file cannot be read at all.
    """
    stored_name = storage.save_upload(upload)
    try:
        with open_table(storage.path_for(stored_name)) as table:
            header = table.header
    except UnreadableFile:
        storage.remove(stored_name)
        raise
    return ImportRun.objects.create(
        kind=kind,
        file_name=Path(upload.name or "upload").name[:255],
        stored_name=stored_name,
        mapping=mapping.as_json(header, mapping.suggest(kind, header)),
        created_by=user,
        language=language[:8],
    )


@dataclass
class PreviewRow:
    number: int
    values: list[Any]
    problem: Problem | None


@dataclass
class Preview:
    header: list[str]
    samples: list[str]  # the first non-empty value of each column
    fields: list[str]  # labels of the mapped fields, in the order of ``PreviewRow.values``
    rows: list[PreviewRow]
    problems: list[str]  # of the mapping; when there are some, rows are not validated
    description: str  # "CSV, UTF-8, separated by ;"

    @property
    def keeps_values(self) -> bool:
        """Some shown cell is empty, so the stored value will stay."""
        return any(value is None for row in self.rows for value in row.values)


def preview(run: ImportRun, targets: Sequence[str] | None = None) -> Preview:
    """The first rows of the file as they will be imported with ``targets`` (default: the
    run's mapping), each with its validation problem."""
    with open_table(storage.path_for(run.stored_name)) as table:
        header = table.header
        if targets is None:
            targets = mapping.from_json(run.mapping, header) or mapping.suggest(run.kind, header)
        raw = [(n, cells) for n, cells in islice(table.rows, PREVIEW_ROWS * 5) if any(cells)]
        raw = raw[:PREVIEW_ROWS]
        description = _describe(table)
    samples = [
        next((cells[i].strip() for _n, cells in raw if i < len(cells) and cells[i].strip()), "")
        for i in range(len(header))
    ]
    problems = mapping.problems(run.kind, header, targets)
    shown = [field for field in mapping.FIELDS[run.kind] if field in targets]
    labels = [str(mapping.FIELDS[run.kind][field]) for field in shown]
    if mapping.ATTRIBUTE in targets:
        labels.append(_("Attributes"))
    rows = []
    if not problems:
        parse = make_parser(run.kind, header, targets)
        for number, cells in raw:
            parsed = parse(cells)
            if isinstance(parsed, Problem):
                rows.append(PreviewRow(number, [], parsed))
                continue
            values = [getattr(parsed, field) for field in shown]
            if mapping.ATTRIBUTE in targets:
                attributes = getattr(parsed, "attributes", None) or {}
                values.append("; ".join(f"{k}: {v}" for k, v in attributes.items()))
            rows.append(PreviewRow(number, values, None))
    return Preview(header, samples, labels, rows, problems, description)


def _describe(table: Table) -> str:
    if table.format == "xlsx":
        return _("Excel workbook (XLSX), first sheet")
    names = {",": _("commas"), ";": _("semicolons"), "\t": _("tabs"), "|": _("pipes")}
    return _("CSV in %(encoding)s, separated by %(delimiter)s") % {
        "encoding": table.encoding.upper(),
        "delimiter": names.get(table.delimiter, table.delimiter),
    }


def confirm(run: ImportRun, targets: Sequence[str]) -> ImportRun:
    """Save the confirmed mapping and run the import: inline when small, else as a task."""
    with open_table(storage.path_for(run.stored_name)) as table:
        header = table.header
    run.mapping = mapping.as_json(header, targets)
    run.rows_total = estimate_rows(storage.path_for(run.stored_name))
    run.status = ImportRun.Status.QUEUED
    run.save(update_fields=["mapping", "rows_total", "status"])
    if run.rows_total is not None and run.rows_total < INLINE_ROWS:
        execute(run.pk)
        run.refresh_from_db()
    else:
        from cxloop.customers.tasks import run_import

        transaction.on_commit(lambda: run_import.enqueue(run.pk))
    return run


def execute(run_id: int) -> str:
    """Claim a queued run and import it; returns the run's status. Idempotent: a run that is not
    ``queued`` any more (another worker took it, or it finished) is left alone."""
    run = ImportRun.unscoped.select_related("workspace").filter(pk=run_id).first()
    if run is None:
        return "missing"
    now = timezone.now()
    claimed = ImportRun.unscoped.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, started_at=now
    )
    if not claimed:
        return run.status
    run.status, run.started_at = ImportRun.Status.RUNNING, now
    language = run.language or settings.LANGUAGE_CODE
    with bind_workspace(run.workspace), translation.override(language):
        _execute(run)
    return run.status


def _execute(run: ImportRun) -> None:
    report = ReportWriter(None, [])
    summary = Summary()

    def progress(done: Summary) -> None:
        nonlocal summary
        summary = done
        _save_progress(run, done)

    try:
        with open_table(storage.path_for(run.stored_name)) as table:
            targets = mapping.from_json(run.mapping, table.header)
            if targets is None:
                raise UnreadableFile(_("The file's columns changed after the mapping was saved."))
            report_name = storage.report_name_for(run.stored_name)
            report = ReportWriter(storage.path_for(report_name), table.header, table.delimiter)
            summary = import_table(run.kind, table, targets, report, on_progress=progress)
    except UnreadableFile as exc:
        _finish(run, summary, report, error=str(exc))
    except Exception:
        # Recorded on the run for the person who started it, with the traceback in the log.
        logger.exception("import run %s failed", run.pk)
        _finish(run, summary, report, error=_unexpected(summary))
    else:
        _finish(run, summary, report)
        storage.remove(run.stored_name)
    finally:
        report.close()


def _unexpected(summary: Summary) -> str:
    return _(
        "The import stopped on an unexpected error after %(rows)s rows; those are imported. "
        "Import the file again to finish (nothing is imported twice), or ask your administrator "
        "to look at the server log."
    ) % {"rows": summary.processed}


def _save_progress(run: ImportRun, summary: Summary) -> None:
    ImportRun.unscoped.filter(pk=run.pk).update(
        rows_processed=summary.processed,
        created_count=summary.created,
        updated_count=summary.updated,
        unchanged_count=summary.unchanged,
        bad_count=summary.bad,
    )


def _finish(run: ImportRun, summary: Summary, report: ReportWriter, error: str = "") -> None:
    run.rows_processed = summary.processed
    if not error:
        run.rows_total = summary.rows
    run.created_count, run.updated_count = summary.created, summary.updated
    run.unchanged_count, run.bad_count = summary.unchanged, summary.bad
    run.report_name = report.path.name if report.written and report.path else ""
    run.status = ImportRun.Status.FAILED if error else ImportRun.Status.DONE
    run.error = error
    run.finished_at = timezone.now()
    run.save()


def report_path(run: ImportRun) -> Path | None:
    if not run.report_name:
        return None
    path = storage.path_for(run.report_name)
    return path if path.is_file() else None


def recent_runs(limit: int = 10) -> list[ImportRun]:
    return list(ImportRun.objects.select_related("created_by")[:limit])


# --- The command line -------------------------------------------------------------------------


def import_path(
    kind: str,
    path: Path,
    targets: Sequence[str],
    report_path: Path,
    *,
    dry_run: bool = False,
    on_progress: Callable[[Summary], Any] | None = None,
    batch_size: int | None = None,
) -> tuple[Summary, ImportRun | None]:
    """Import a file on the server's disk (``cxloop import``), recorded as a run unless dry."""
    with open_table(path) as table:
        run = None
        if not dry_run:
            run = ImportRun.objects.create(
                kind=kind,
                file_name=path.name[:255],
                mapping=mapping.as_json(table.header, targets),
                status=ImportRun.Status.RUNNING,
                rows_total=estimate_rows(path),
                started_at=timezone.now(),
            )

        def progress(summary: Summary) -> None:
            if run is not None:
                _save_progress(run, summary)
            if on_progress is not None:
                on_progress(summary)

        report = ReportWriter(report_path, table.header, table.delimiter)
        options = {"batch_size": batch_size} if batch_size else {}
        # The report lies beside the file, outside VAR_DIR: the web page does not offer it.
        unlisted = ReportWriter(None, [])
        try:
            summary = import_table(
                kind, table, targets, report, on_progress=progress, dry_run=dry_run, **options
            )
        except UnreadableFile as exc:
            if run is not None:
                run.refresh_from_db()
                done = Summary(rows=run.rows_processed, processed=run.rows_processed,
                               created=run.created_count, updated=run.updated_count,
                               unchanged=run.unchanged_count, invalid=run.bad_count)  # fmt: skip
                _finish(run, done, unlisted, error=str(exc))
            raise
        finally:
            report.close()
        if run is not None:
            _finish(run, summary, unlisted)
    return summary, run
