"""Export of any table as CSV or Parquet, streamed so memory stays flat at any size.

A table is a list of :class:`Column` (its name and type) and an iterable of rows (tuples in the
same order). Rows are read from the database with ``iterator(chunk_size=…)`` and written as they
come: CSV line by line into a ``StreamingHttpResponse`` or a file, Parquet in record batches of
:data:`CHUNK` rows through ``pyarrow.parquet.ParquetWriter`` (Apache-2.0). Memory holds one chunk,
never the table.

CSV injection: spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or
a tab or carriage return, which some treat the same) as a formula, so a customer who writes
``=HYPERLINK(...)`` in a review could run it on the analyst's machine. Every such text cell is
written with a leading apostrophe (``'=HYPERLINK(...)``), which spreadsheets show as text and
drop from display. Numbers are not escaped: a negative number stays a number. Parquet is typed
data, not something a spreadsheet evaluates, so it keeps the text exactly as written.

CSV files start with a UTF-8 byte-order mark so that Excel opens Cyrillic text correctly;
Python reads them back with ``encoding="utf-8-sig"``.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from cxloop.core.scoping import bind_workspace, current_workspace

CHUNK = 5000
FORMATS = ("csv", "parquet")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_SET = frozenset(FORMULA_STARTS)
BOM = "\ufeff"

_ARROW_TYPES = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
    "money": pa.decimal128(14, 2),
    "list": pa.list_(pa.string()),
}


@dataclass(frozen=True)
class Column:
    """One column: its header and its type (a key of the Arrow type table above)."""

    name: str
    kind: str = "string"

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW_TYPES[self.kind]


def escape_formula(text: str) -> str:
    """Keep a spreadsheet from running a text cell as a formula (CSV injection)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> str:
    if type(value) is str:  # the common case first: this runs for every cell of every row
        return f"'{value}" if value[:1] in _FORMULA_SET else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return escape_formula("; ".join(str(item) for item in value))
    return escape_formula(str(value))


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text, line by line: a byte-order mark and the header, then every row."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([column.name for column in columns])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def write_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]], target: IO[str]) -> int:
    count = -1
    for count, line in enumerate(csv_lines(columns, rows)):  # noqa: B007 - the count is the point
        target.write(line)
    return count


def _arrow_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "datetime" and isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    if kind == "money":
        return Decimal(value)
    if kind == "list":
        return [str(item) for item in value]
    if kind == "string" and not isinstance(value, str):
        return str(value)
    return value


def record_batches(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]], chunk: int = CHUNK
) -> Iterator[pa.RecordBatch]:
    """Rows as Arrow record batches of ``chunk`` rows each."""
    schema = arrow_schema(columns)
    iterator = iter(rows)
    while block := list(islice(iterator, chunk)):
        arrays = [
            pa.array([_arrow_value(row[i], c.kind) for row in block], type=c.arrow_type)
            for i, c in enumerate(columns)
        ]
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def arrow_schema(columns: Sequence[Column]) -> pa.Schema:
    return pa.schema([pa.field(column.name, column.arrow_type) for column in columns])


def write_parquet(
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    target: str | IO[bytes],
    chunk: int = CHUNK,
) -> int:
    """Write a Parquet file batch by batch; returns the number of rows written."""
    count = 0
    with pq.ParquetWriter(target, arrow_schema(columns), compression="zstd") as writer:
        for batch in record_batches(columns, rows, chunk):
            writer.write_batch(batch)
            count += batch.num_rows
    return count


def _bound(workspace: Any, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """A streamed body is read after the view returned (and unbound its workspace): bind again."""
    if workspace is None:
        yield from rows
        return
    with bind_workspace(workspace):
        yield from rows


def csv_response(
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    filename: str,
    workspace: Any = None,
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(columns, _bound(workspace, rows)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def parquet_response(
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    filename: str,
    workspace: Any = None,
) -> FileResponse:
    """Parquet's footer comes last, so the file is written to a temporary file, then sent."""
    spool = tempfile.TemporaryFile(prefix="cxloop-export-")  # noqa: SIM115 - FileResponse closes it
    write_parquet(columns, _bound(workspace, rows), spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{filename}.parquet",
        content_type="application/vnd.apache.parquet",
    )


def table_response(
    file_format: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]] | Callable[[], Iterable[Sequence[Any]]],
    filename: str,
    workspace: Any = None,
) -> HttpResponse:
    """The download of one table in ``file_format`` (``csv`` or ``parquet``)."""
    if callable(rows):
        rows = rows()
    if file_format == "parquet":
        return parquet_response(columns, rows, filename, workspace)
    return csv_response(columns, rows, filename, workspace)


# --- whole datasets (`cxloop export`) ---------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """A whole table of one workspace: columns, where each comes from, and the time it filters.

    ``fields`` are ``values_list`` paths, one per column; ``since_field`` is the time a
    ``--since`` date filters on. Rows come ordered by primary key, read in chunks.
    """

    name: str
    model: str  # "app_label.Model"
    columns: tuple[Column, ...]
    fields: tuple[str, ...]
    since_field: str
    enrich: Callable[[list[list[Any]]], None] | None = None

    def rows(self, since: dt.datetime | None = None) -> Iterator[list[Any]]:
        """The rows of the bound workspace, chunk by chunk (the caller binds the workspace)."""
        from django.apps import apps

        queryset = apps.get_model(self.model).objects.order_by("pk")
        if since is not None:
            queryset = queryset.filter(**{f"{self.since_field}__gte": since})
        values = queryset.values_list(*self.fields).iterator(chunk_size=CHUNK)
        while block := [list(row) for row in islice(values, CHUNK)]:
            if self.enrich is not None:
                self.enrich(block)
            yield from block


def _with_topics(block: list[list[Any]]) -> None:
    """Replace the last column (the experience id) by the keys of its analysed topics."""
    from cxloop.insights.models import ExperienceAnalysis

    through = ExperienceAnalysis.topics.through
    # The block is in id order: a range (cheap to build, unlike 5,000 ids in an IN list) of the
    # bound workspace's analyses; only the block's own ids are looked up below.
    first, last = block[0][-1], block[-1][-1]
    topics: dict[int, list[str]] = {}
    for experience_id, key in (
        through.objects.filter(
            experienceanalysis__workspace=current_workspace(),
            experienceanalysis__experience_id__gte=first,
            experienceanalysis__experience_id__lte=last,
        )
        .order_by("topic__key")
        .values_list("experienceanalysis__experience_id", "topic__key")
    ):
        topics.setdefault(experience_id, []).append(key)
    for row in block:
        row[-1] = topics.get(row[-1], [])


def _final_emotion_and_topics(block: list[list[Any]]) -> None:
    """Text emotion (a person's correction wins over the machine's, insights' rule) and topics."""
    _with_topics(block)
    for row in block:
        topics = row.pop()
        corrected = row.pop()
        row[-1] = corrected or row[-1]
        row.append(topics)


def _c(name: str, kind: str = "string") -> Column:
    return Column(name, kind)


DATASETS: dict[str, Dataset] = {
    "customers": Dataset(
        "customers",
        "customers.Customer",
        (
            _c("id", "int"),
            _c("external_id"),
            _c("name"),
            _c("email"),
            _c("phone"),
            _c("language"),
            _c("segment"),
            _c("stance"),
            _c("lifecycle_phase"),
            _c("first_purchase_at", "datetime"),
            _c("last_purchase_at", "datetime"),
            _c("last_experience_at", "datetime"),
            _c("created_at", "datetime"),
        ),
        (
            "pk",
            "external_id",
            "name",
            "email",
            "phone",
            "language",
            "segment__name",
            "stance",
            "lifecycle_phase",
            "first_purchase_at",
            "last_purchase_at",
            "last_experience_at",
            "created_at",
        ),
        "created_at",
    ),
    "orders": Dataset(
        "orders",
        "customers.Order",
        (
            _c("id", "int"),
            _c("external_id"),
            _c("customer_id", "int"),
            _c("customer_external_id"),
            _c("placed_at", "datetime"),
            _c("amount", "money"),
            _c("currency"),
            _c("status"),
            _c("delivered_at", "datetime"),
        ),
        (
            "pk",
            "external_id",
            "customer_id",
            "customer__external_id",
            "placed_at",
            "amount",
            "currency",
            "status",
            "delivered_at",
        ),
        "placed_at",
    ),
    "experiences": Dataset(
        "experiences",
        "experiences.Experience",
        (
            _c("id", "int"),
            _c("customer_id", "int"),
            _c("customer_external_id"),
            _c("occurred_at", "datetime"),
            _c("source"),
            _c("touchpoint"),
            _c("scale"),
            _c("score", "int"),
            _c("outcome"),
            _c("emotion"),
            _c("language"),
            _c("text"),
            _c("text_emotion"),
            _c("topics", "list"),
        ),
        (
            "pk",
            "customer_id",
            "customer__external_id",
            "occurred_at",
            "source",
            "touchpoint__name",
            "scale",
            "score",
            "outcome",
            "emotion",
            "language",
            "text",
            "analysis__emotion",
            "analysis__corrected_emotion",
            "pk",
        ),
        "occurred_at",
        _final_emotion_and_topics,
    ),
    "survey_answers": Dataset(
        "survey_answers",
        "feedback.Answer",
        (
            _c("id", "int"),
            _c("response_id", "int"),
            _c("survey"),
            _c("question"),
            _c("customer_external_id"),
            _c("language"),
            _c("status"),
            _c("completed_at", "datetime"),
            _c("number", "int"),
            _c("text"),
            _c("choices", "list"),
        ),
        (
            "pk",
            "response_id",
            "response__survey__name",
            "question__key",
            "response__customer__external_id",
            "response__language",
            "response__status",
            "response__completed_at",
            "number",
            "text",
            "choices",
        ),
        "response__started_at",
    ),
    "cases": Dataset(
        "cases",
        "loop.Case",
        (
            _c("id", "int"),
            _c("customer_external_id"),
            _c("experience_id", "int"),
            _c("about"),
            _c("touchpoint"),
            _c("department"),
            _c("owner"),
            _c("status"),
            _c("opened_at", "datetime"),
            _c("due_at", "datetime"),
            _c("contacted_at", "datetime"),
            _c("closed_at", "datetime"),
            _c("stance_before"),
            _c("stance_after"),
            _c("resolution"),
        ),
        (
            "pk",
            "customer__external_id",
            "experience_id",
            "dedupe_key",
            "touchpoint__name",
            "department__name",
            "owner__email",
            "status",
            "opened_at",
            "due_at",
            "contacted_at",
            "closed_at",
            "stance_before",
            "stance_after",
            "resolution",
        ),
        "opened_at",
    ),
    "improvements": Dataset(
        "improvements",
        "loop.Improvement",
        (
            _c("id", "int"),
            _c("title"),
            _c("description"),
            _c("process"),
            _c("department"),
            _c("owner"),
            _c("status"),
            _c("planned_for", "date"),
            _c("shipped_on", "date"),
            _c("touchpoint"),
            _c("created_at", "datetime"),
        ),
        (
            "pk",
            "title",
            "description",
            "process__name",
            "department__name",
            "owner__email",
            "status",
            "planned_for",
            "shipped_on",
            "touchpoint__name",
            "created_at",
        ),
        "created_at",
    ),
}


def available_datasets() -> list[str]:
    """The datasets whose tables exist in this installation (cases and improvements are newer)."""
    from django.apps import apps

    names = []
    for name, dataset in DATASETS.items():
        try:
            apps.get_model(dataset.model)
        except LookupError:
            continue
        names.append(name)
    return names
