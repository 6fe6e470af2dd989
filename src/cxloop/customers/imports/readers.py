"""Reading rows out of an uploaded file, one at a time, whatever produced it.

CSV files come from everywhere: UTF-8 with or without a byte-order mark, Windows-1251 (what a
Ukrainian or Russian Excel writes as "CSV"), UTF-16 (Excel's "Unicode text"), separated by commas,
semicolons (Excel wherever the comma is the decimal mark), tabs or pipes. The encoding and the
dialect are detected from the first 64 KiB; the rest is streamed, so memory does not grow with the
file. XLSX workbooks are read with openpyxl in read-only mode, first (active) sheet only.

Rows are numbered as a spreadsheet numbers them: the header is row 1, blank rows keep their number,
so "row 17" in a report is row 17 in Excel.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97–2003 .xls
# Bytes that did not decode are kept as lone surrogates ("surrogateescape") and reported per row.
UNDECODABLE = re.compile("[\udc80-\udcff]")


class UnreadableFile(Exception):
    """The file cannot be imported at all; the message says why and how to fix it."""


@dataclass
class Table:
    """A header and a stream of ``(row number, cells)``; cells are strings, never ``None``."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ","
    rows_hint: int | None = None  # XLSX: the data rows the sheet says it has


def detect_format(path: Path) -> str:
    with path.open("rb") as handle:
        start = handle.read(8)
    if start.startswith(XLSX_MAGIC):
        return "xlsx"
    if start.startswith(OLE_MAGIC):
        raise UnreadableFile(
            _("Excel 97–2003 (.xls) files cannot be read; save the sheet as .xlsx or CSV.")
        )
    return "csv"


@contextmanager
def open_table(path: Path) -> Iterator[Table]:
    """Open ``path`` (CSV or XLSX, told apart by content, not by name) for streaming."""
    if not path.is_file():
        raise UnreadableFile(_("There is no file at %(path)s.") % {"path": path})
    if detect_format(path) == "xlsx":
        with _open_xlsx(path) as table:
            yield table
    else:
        with path.open("rb") as raw:
            yield _open_csv(raw)


def estimate_rows(path: Path) -> int | None:
    """Data rows in the file, counted fast (line breaks for CSV, the sheet's size for XLSX).

    Exact unless cells hold line breaks; used for progress and to choose inline or background.
    """
    if detect_format(path) == "xlsx":
        with _open_xlsx(path) as table:
            return table.rows_hint
    lines, last = 0, b"\n"
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


# --- CSV --------------------------------------------------------------------------------------


def detect_encoding(sample: bytes) -> str:
    """UTF-8 unless the sample reads better as Windows-1251.

    A few stray bytes in an otherwise UTF-8 file keep it UTF-8 (their rows are reported as bad);
    Cyrillic written in Windows-1251 is almost never valid UTF-8, so there the errors win.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # Not final: the sample may end in the middle of a multi-byte character.
    final = len(sample) < SAMPLE_BYTES
    text = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(sample, final=final)
    errors = text.count("\ufffd")
    if not errors:
        return "utf-8-sig"
    letters = len(text) - len(text.encode("ascii", "ignore")) - errors
    return "utf-8-sig" if letters > 10 * errors else "cp1251"


def detect_delimiter(text: str) -> str:
    """The delimiter csv.Sniffer finds, checked against the header line."""
    lines = text.splitlines()
    header = lines[0] if lines else ""
    sample = "\n".join(lines[:50])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    if delimiter and delimiter in header:
        return delimiter
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _open_csv(raw: IO[bytes]) -> Table:
    sample = raw.read(SAMPLE_BYTES)
    raw.seek(0)
    if not sample.strip():
        raise UnreadableFile(_("The file is empty."))
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(
            _("This does not look like a CSV or XLSX file; export the sheet as CSV or XLSX.")
        )
    encoding = detect_encoding(sample)
    text = sample.decode(encoding, errors="ignore")
    delimiter = detect_delimiter(text)
    stream = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")
    reader = csv.reader(stream, delimiter=delimiter, quotechar='"', doublequote=True)
    number, header = 0, []
    try:
        for number, header in enumerate(reader, start=1):  # noqa: B007 - the first non-blank
            if any(cell.strip() for cell in header):
                break
    except (csv.Error, UnicodeError) as exc:
        raise UnreadableFile(
            _("The header row cannot be read: %(error)s.") % {"error": exc}
        ) from exc
    if not any(cell.strip() for cell in header):
        raise UnreadableFile(_("The file has no header row; the first row must name the columns."))
    return Table(
        header=_clean_header(header),
        rows=_csv_rows(reader, number),
        format="csv",
        encoding=encoding.removesuffix("-sig"),
        delimiter=delimiter,
    )


def _csv_rows(reader: Any, header_number: int) -> Iterator[tuple[int, list[str]]]:
    number = header_number
    try:
        for number, cells in enumerate(reader, start=header_number + 1):
            yield number, cells
    except csv.Error as exc:
        raise UnreadableFile(
            _("Row %(row)s cannot be read (%(error)s); check its quotes.")
            % {"row": number + 1, "error": exc}
        ) from exc


def _clean_header(cells: list[str]) -> list[str]:
    header = []
    for index, cell in enumerate(cells, start=1):
        name = UNDECODABLE.sub("?", cell.strip().lstrip("\ufeff"))
        header.append(name or _("column %(number)s") % {"number": index})
    return header


# --- XLSX -------------------------------------------------------------------------------------


@contextmanager
def _open_xlsx(path: Path) -> Iterator[Table]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise UnreadableFile(
            _("The workbook cannot be opened (%(error)s); save it again as .xlsx or CSV.")
            % {"error": exc}
        ) from exc
    try:
        sheet = workbook.active or workbook.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        number, header = 0, []
        for number, row in enumerate(values, start=1):  # noqa: B007 - the first non-blank
            header = [_xlsx_cell(value) for value in row]
            if any(cell.strip() for cell in header):
                break
        if not any(cell.strip() for cell in header):
            raise UnreadableFile(_("The first sheet is empty; put the header in its first row."))
        yield Table(
            header=_clean_header(_trim(header)),
            rows=((n, [_xlsx_cell(v) for v in row]) for n, row in enumerate(values, number + 1)),
            format="xlsx",
            rows_hint=max((sheet.max_row or 0) - number, 0) or None,
        )
    finally:
        workbook.close()


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


def _xlsx_cell(value: Any) -> str:
    """A cell as the text a person sees, in the forms the row validation accepts."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
