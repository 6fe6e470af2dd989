"""The import engine: stream rows, validate them, upsert the good ones in batches, report the bad.

Memory holds one batch at a time, whatever the file's size. Every good row is imported even when
others are bad; each batch commits on its own, so a long import shows its progress and a crash
loses at most one batch — importing the same file again finishes the job, because upserts by
external id change nothing that is already stored as the file says.

The workspace must be bound by the caller (a request, a task, the ``import`` command).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import tzinfo
from time import perf_counter
from typing import Any

from django.db import transaction

from ..services import upsert_customers, upsert_orders
from .mapping import CUSTOMERS
from .readers import Table
from .report import BadRow, ReportWriter
from .rows import Problem, make_parser

BATCH_ROWS = 20_000


@dataclass
class Summary:
    rows: int = 0  # data rows read; blank rows are not counted
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def import_table(
    kind: str,
    table: Table,
    targets: Sequence[str],
    report: ReportWriter,
    *,
    on_progress: Callable[[Summary], Any] | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_ROWS,
    zone: tzinfo | None = None,
) -> Summary:
    """Import every row of ``table`` with the mapping ``targets``.

    ``dry_run`` does all the work, the database writes included, in one transaction that is
    rolled back, so its counts are exactly what a real run would report.
    """
    parse = make_parser(kind, table.header, targets, zone)
    upsert: Callable[[list[Any]], Any] = upsert_customers if kind == CUSTOMERS else upsert_orders
    keep_origin = kind != CUSTOMERS  # only orders can fail in the upsert (unknown customer)
    customer_column = (
        table.header[list(targets).index("customer_external_id")] if keep_origin else ""
    )
    summary = Summary()
    started = perf_counter()
    inputs: list[Any] = []
    origins: list[tuple[int, list[str]]] = []

    def flush() -> None:
        result = upsert(inputs)
        summary.created += result.created
        summary.updated += result.updated
        summary.unchanged += result.unchanged
        for error in result.errors:
            number, cells = origins[error.index]
            report.write(BadRow(number, error.external_id, customer_column, error.message, cells))
        summary.bad += len(result.errors)
        inputs.clear()
        origins.clear()
        summary.seconds = perf_counter() - started
        if on_progress is not None:
            on_progress(summary)

    with transaction.atomic() if dry_run else nullcontext():
        for number, cells in table.rows:
            if not any(cells):
                continue
            summary.rows += 1
            parsed = parse(cells)
            if type(parsed) is Problem:
                summary.bad += 1
                report.write(BadRow(number, parsed.external_id, parsed.column, parsed.reason, cells))
                continue
            inputs.append(parsed)
            if keep_origin:
                origins.append((number, cells))
            if len(inputs) >= batch_size:
                flush()
        flush()
        if dry_run:
            transaction.set_rollback(True)
    summary.seconds = perf_counter() - started
    return summary
