"""The import engine: stream rows, validate them, upsert the good ones in batches, report the bad.

Memory holds one batch at a time, whatever the file's size. Every good row is imported even when
others are bad; each batch commits on its own, so a long import shows its progress and a crash
loses at most one batch — importing the same file again finishes the job, because upserts by
external id change nothing that is already stored as the file says.

The workspace must be bound by the caller (a request, a task, the ``import`` command).
"""

from __future__ import annotations

import contextvars
import gc
import queue
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import tzinfo
from time import perf_counter
from typing import Any

from django.db import connections, transaction

from ..services import upsert_customers, upsert_orders
from . import bulk
from .mapping import CUSTOMERS
from .readers import Table
from .report import BadRow, ReportWriter
from .rows import Problem, make_parser

BATCH_ROWS = 20_000
WRITER_SWITCH_INTERVAL = 0.0005  # seconds; see import_table


@dataclass
class Summary:
    rows: int = 0  # data rows read; blank rows are not counted
    processed: int = 0  # of those, rows whose batch is written (what progress shows)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0  # bad rows found while reading (a cell is wrong)
    unmatched: int = 0  # bad rows found while writing (an order's customer is unknown)
    seconds: float = 0.0

    @property
    def bad(self) -> int:
        return self.invalid + self.unmatched

    @property
    def rows_per_second(self) -> float:
        return self.processed / self.seconds if self.seconds else 0.0


@dataclass
class _Batch:
    inputs: list[Any]
    origins: list[tuple[int, list[str]]]  # (row number, cells) per input, for orders' errors
    rows_through: int  # ``Summary.rows`` when the batch was complete
    part: int = 0  # which writer it goes to, when several share the work


class _Writer:
    """Writes batches on its own thread and database connection while the caller reads on.

    Python validates the next batch while the database merges this one: SQLite runs a statement
    without holding the GIL, and PostgreSQL works in its own process. At most two batches wait,
    so memory stays flat. The workspace binding travels with ``copy_context``.
    """

    def __init__(self, write: Callable[[_Batch], None], dry_run: bool) -> None:
        self.write, self.dry_run = write, dry_run
        self.queue: queue.Queue[_Batch | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(
            target=contextvars.copy_context().run, args=(self._work,), name="cxloop-import"
        )
        self.thread.start()

    def _work(self) -> None:
        try:
            bulk.prepare_writer()
            with transaction.atomic() if self.dry_run else nullcontext():
                while (batch := self.queue.get()) is not None:
                    if self.error is None:
                        try:
                            self.write(batch)
                        except BaseException as exc:  # handed to the caller by finish()
                            self.error = exc
                if self.dry_run:
                    transaction.set_rollback(True)
        except BaseException as exc:
            self.error = self.error or exc
        finally:
            connections.close_all()  # this thread's connections only

    def put(self, batch: _Batch) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def finish(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error


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
    threaded: bool | None = None,
) -> Summary:
    """Import every row of ``table`` with the mapping ``targets``.

    ``dry_run`` does all the work, the database writes included, in one transaction that is
    rolled back, so its counts are exactly what a real run would report. ``threaded`` (by
    default: when no transaction is open, so that the writers' connections see what the caller
    committed) writes on other threads; ``on_progress`` is then called from those threads.

    Customers may be written by several writers at once (``bulk.parallel_writers``): each batch
    is split by external id, so a given id always goes to the same writer and a later row of the
    file still wins over an earlier one.
    """
    parse = make_parser(kind, table.header, targets, zone)
    upsert: Callable[[list[Any]], Any] = upsert_customers if kind == CUSTOMERS else upsert_orders
    keep_origin = kind != CUSTOMERS  # only orders can fail in the upsert (unknown customer)
    customer_column = (
        table.header[list(targets).index("customer_external_id")] if keep_origin else ""
    )
    if threaded is None:
        threaded = not transaction.get_connection().in_atomic_block
    parts = bulk.parallel_writers() if threaded and kind == CUSTOMERS and not dry_run else 1
    summary = Summary()
    started = perf_counter()
    lock = threading.Lock()
    done_through = [0] * parts  # per writer: rows of the file written so far

    def write(batch: _Batch) -> None:
        result = upsert(batch.inputs)
        with lock:
            summary.created += result.created
            summary.updated += result.updated
            summary.unchanged += result.unchanged
            for error in result.errors:
                number, cells = batch.origins[error.index]
                report.write(
                    BadRow(number, error.external_id, customer_column, error.message, cells)
                )
            summary.unmatched += len(result.errors)
            done_through[batch.part] = batch.rows_through
            summary.processed = min(done_through)
            summary.seconds = perf_counter() - started
            if on_progress is not None:
                on_progress(summary)

    writers = [_Writer(write, dry_run) for _ in range(parts)] if threaded else []
    switch_interval, collecting = sys.getswitchinterval(), gc.isenabled()
    if writers:
        # A writer waiting for the database gives up the GIL; taking it back must not wait the
        # default 5 ms behind the parsing thread each time, or the writers fall behind.
        sys.setswitchinterval(min(switch_interval, WRITER_SWITCH_INTERVAL))
    # Nothing made per row is cyclic; the cycle collector would only rescan the live batches
    # (a tenth of the parsing time).
    gc.disable()

    def send(inputs: list[Any], origins: list[tuple[int, list[str]]]) -> None:
        if not writers:
            write(_Batch(inputs, origins, summary.rows))
        elif parts == 1:
            writers[0].put(_Batch(inputs, origins, summary.rows))
        else:
            split: list[list[Any]] = [[] for _ in range(parts)]
            for row in inputs:
                split[hash(row.external_id) % parts].append(row)
            for part, (writer, share) in enumerate(zip(writers, split, strict=True)):
                writer.put(_Batch(share, [], summary.rows, part))

    inputs: list[Any] = []
    origins: list[tuple[int, list[str]]] = []
    try:
        with transaction.atomic() if dry_run and not threaded else nullcontext():
            for number, cells in table.rows:
                if not any(cells):
                    continue
                summary.rows += 1
                parsed = parse(cells)
                if type(parsed) is Problem:
                    summary.invalid += 1
                    report.write(
                        BadRow(number, parsed.external_id, parsed.column, parsed.reason, cells)
                    )
                    continue
                inputs.append(parsed)
                if keep_origin:
                    origins.append((number, cells))
                if len(inputs) >= batch_size:
                    send(inputs, origins)
                    inputs, origins = [], []
            send(inputs, origins)
            if dry_run and not threaded:
                transaction.set_rollback(True)
    finally:
        errors = []
        for writer in writers:  # also when reading failed: the batches read so far are written
            try:
                writer.finish()
            except BaseException as exc:
                errors.append(exc)
        sys.setswitchinterval(switch_interval)
        if collecting:
            gc.enable()
        if errors:
            raise errors[0]
    summary.seconds = perf_counter() - started
    return summary
