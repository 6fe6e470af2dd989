"""The bad-row report: one CSV line per row that was not imported, with the reason and the row.

Columns: ``row`` (its number in the file, as a spreadsheet shows it), ``external_id``,
``column`` (the column at fault, as the file names it), ``error`` (what is wrong and how to fix
it), then the row's own cells under the file's header — so a person can fix the cells in place
and import the report again (its ``external_id`` column is the row's own; the others match no
field and are skipped). The file is written as it goes (memory
stays flat however many rows are bad), in UTF-8 with a byte-order mark so that Excel opens
Cyrillic text correctly, with the delimiter of the file it reports on.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .readers import UNDECODABLE

REPORT_COLUMNS = ["row", "external_id", "column", "error"]


@dataclass(frozen=True, slots=True)
class BadRow:
    number: int
    external_id: str
    column: str
    reason: str
    cells: Sequence[str]


class ReportWriter:
    """Writes bad rows to ``path``; the file is only created when there is a first bad row."""

    def __init__(self, path: Path | None, header: Sequence[str], delimiter: str = ",") -> None:
        self.path, self.header, self.delimiter = path, list(header), delimiter
        self.count = 0
        self._handle: IO[str] | None = None
        self._writer = None
        self._lock = threading.Lock()  # rows come from the reading and the writing thread

    def write(self, bad: BadRow) -> None:
        with self._lock:
            self._write(bad)

    def _write(self, bad: BadRow) -> None:
        self.count += 1
        if self.path is None:
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._handle, delimiter=self.delimiter)
            self._writer.writerow([*REPORT_COLUMNS, *self.header])
        row = [bad.number, bad.external_id, bad.column, bad.reason, *bad.cells]
        self._writer.writerow([UNDECODABLE.sub("\ufffd", v) if type(v) is str else v for v in row])

    @property
    def written(self) -> bool:
        return self._handle is not None

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
