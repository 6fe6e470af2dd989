"""Set-based upserts by external id: the dialect-specific SQL of imports, in this one module.

A batch of rows is first loaded into a temporary *batch table* — ``COPY`` on PostgreSQL, one
prepared ``executemany`` on SQLite — and then merged into the real table with a few statements,
so that no model instance is built per row and a million-row import takes seconds:

Customers: ``INSERT … SELECT … ON CONFLICT DO NOTHING`` first, whose row count is the *created*
figure; a first import of a big file thus pays for one insertion per row and nothing else. Only
when some rows were stored already (a re-import, an update) does more run: on PostgreSQL the same
``INSERT`` with ``ON CONFLICT DO UPDATE … WHERE <changed>``, whose ``RETURNING`` also reads each
updated row's segment as it was (see ``_update_customers_postgres``); on SQLite a probe for the
customers whose segment changes, then ``UPDATE … FROM`` the batch. On PostgreSQL no statement here
depends on the planner's statistics: while a big import grows the table, or a new workspace's
first import makes its rows look rare, a join plan may scan the whole table for every batch.

Orders (PostgreSQL): one ``INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE <changed>`` whose
``RETURNING (xmax = 0)`` tells created rows from updated ones; the arbiter index of ``ON
CONFLICT`` and scalar subqueries into the batch table's primary key are per-row probes whatever
the statistics say. SQLite: ``UPDATE … FROM``, then ``INSERT … ON CONFLICT DO NOTHING``.

A ``NULL`` in the batch means "not given: keep the stored value", as ``CustomerInput`` documents;
every other row of a batch was already stored as given (*unchanged*). New rows are inserted in
name order, which is the order of four of the customer table's indexes: the B-tree pages they
touch are then neighbours, which makes inserts into a large table markedly faster on both.

Columns that an import never sets (``created_at``, ``lifecycle_phase``, ``stance``, any field added
later) are filled from the model's own defaults, read from ``_meta`` so that this SQL keeps up with
the model. Callers pass rows already de-duplicated by external id and hold the transaction.
"""

# Every statement here is built from identifiers of the models' _meta and this module's constants;
# values always travel as parameters or through COPY.
# ruff: noqa: S608

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from ..models import Customer, Order

# Columns of one customer row, in the order callers give them.
CUSTOMER_COLUMNS = (
    "external_id",
    "name",
    "email",
    "phone",
    "language",
    "segment_id",
    "attributes",
    "consent_email",
)
# Columns of one order row; ``ord`` is the row's position in the caller's list, for errors.
ORDER_COLUMNS = (
    "ord",
    "external_id",
    "customer_external_id",
    "placed_at",
    "amount",
    "currency",
    "status",
    "delivered_at",
    "items",
)
# Filled in by the merge, from the customer and order tables.
ORDER_LOOKUPS = ("customer_id", "old_customer_id")
ORDER_OPTIONAL = ("currency", "status", "delivered_at", "items")
CUSTOMER_BATCH, ORDER_BATCH = "cx_import_customer", "cx_import_order"
SQLITE_CACHE_KIB = 128 * 1024  # page cache while merging: keeps the table's indexes in memory
SORT_MEMORY = "64MB"  # PostgreSQL, per merge statement


def parallel_writers() -> int:
    """How many connections may merge customer batches at once.

    SQLite has one writer at a time. PostgreSQL merges a batch in its own server process, and
    the merge (ten index insertions per customer) is where a big import spends most of its time,
    so two connections, each given the ids of one half of every batch, keep two cores busy.
    """
    if not _postgres():
        return 1
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def prepare_writer() -> None:
    """Set up a connection that only an import's writer uses (closed when the import ends).

    PostgreSQL: commits do not wait for their WAL to reach the disk (``synchronous_commit``
    off, for this session only): a crash can lose the last batches' commits — never corrupt
    anything — and importing the file again finishes the job, since the upsert changes nothing
    already stored as the file says. Each batch's commit would otherwise wait for tens of
    megabytes of WAL to be flushed while the next batch could be merging.
    """
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")


@dataclass
class CustomerMerge:
    created: int
    updated: int
    moved: list[int]  # stored customers whose segment the rows change


@dataclass
class OrderMerge:
    created: int
    updated: int
    unknown_customer: list[tuple[int, str, str]]  # (ord, order external id, customer external id)
    touched_customer_ids: set[int]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _column_type(model: type[Model], column: str) -> str:
    if column == "ord":
        return "integer"
    if column == "customer_external_id":
        column = "external_id"
    if column == "old_customer_id":
        column = "customer_id"
    return model._meta.get_field(column).db_type(connection)


def _prepare(
    cursor: Any, model: type[Model], table: str, columns: Sequence[str], keyed: bool = True
) -> None:
    """Create the batch table once per connection and empty it. On PostgreSQL a ``keyed`` one's
    primary key serves the per-row subqueries of ``ON CONFLICT DO UPDATE``; SQLite needs none."""
    key = " PRIMARY KEY" if _postgres() and keyed else ""
    definition = ", ".join(
        f"{_q(c)} {_column_type(model, c)}{key if c == 'external_id' else ''}" for c in columns
    )
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({definition})")
    _empty(cursor, table)
    if not _postgres():
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")


def _empty(cursor: Any, table: str) -> None:
    cursor.execute(f"TRUNCATE {table}" if _postgres() else f"DELETE FROM {table}")


def _load(cursor: Any, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Fill the batch table in a few calls: ``COPY`` on PostgreSQL; on SQLite, multi-row
    ``INSERT … VALUES`` as long as the parameter limit allows. (``executemany`` would drop and
    retake the GIL once per row, which starves it while another thread parses the next batch.)
    """
    names = ", ".join(_q(c) for c in columns)
    if _postgres():
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    group = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, connection.features.max_query_params // len(columns))
    for start in range(0, len(rows), per_statement):
        part = rows[start : start + per_statement]
        cursor.execute(
            f"INSERT INTO {table} ({names}) VALUES {', '.join([group] * len(part))}",
            list(chain.from_iterable(part)),
        )


def _defaults(model: type[Model]) -> dict[str, Any]:
    """The database-ready default of every column but the key ones, in the model's order."""
    now = timezone.now()
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in ("workspace_id", "external_id"):
            continue
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            value = now
        else:
            value = field.get_default()
        values[field.column] = field.get_db_prep_save(value, connection)
    return values


def _insert_select(
    model: type[Model], workspace_id: int, computed: dict[str, str], given: Sequence[str]
) -> tuple[str, list[Any], str]:
    """Column list, select list and parameters of an ``INSERT … SELECT`` from a batch table.

    ``computed`` gives SQL for some columns; a ``given`` column falls back to its default when
    the batch has ``NULL``; every other column takes its default.
    """
    columns, selected, params = (
        ["workspace_id", "external_id"],
        ["%s", "t.external_id"],
        [workspace_id],
    )
    for column, default in _defaults(model).items():
        columns.append(column)
        if column in computed:
            selected.append(computed[column])
        elif column in given:
            selected.append(f"COALESCE(t.{_q(column)}, %s)")
            params.append(default)
        else:
            selected.append("%s")
            params.append(default)
    return ", ".join(_q(c) for c in columns), ", ".join(selected), params


def _changed(columns: Sequence[str], stored: str) -> str:
    """SQL: some given (non-NULL) value of the batch row ``t`` differs from the stored row."""
    differs = "IS DISTINCT FROM" if _postgres() else "IS NOT"
    return " OR ".join(
        f"(t.{_q(c)} IS NOT NULL AND t.{_q(c)} {differs} {stored}.{_q(c)})" for c in columns
    )


# --- customers --------------------------------------------------------------------------------


def upsert_customers(workspace_id: int, rows: Sequence[tuple]) -> CustomerMerge:
    """Merge customer rows (``CUSTOMER_COLUMNS``, unique external ids).

    Also returns the stored customers whose segment the batch changes, so that their answers can
    move between segments in the rollups.
    """
    if not rows:
        return CustomerMerge(0, 0, [])
    given = CUSTOMER_COLUMNS[1:]
    customer = _q(Customer._meta.db_table)
    columns, selected, params = _insert_select(
        Customer, workspace_id, {"name": "COALESCE(t.name, t.external_id)"}, given
    )
    insert = (
        f"INSERT INTO {customer} AS c ({columns}) SELECT {selected} "
        f"FROM {CUSTOMER_BATCH} AS t WHERE true ORDER BY t.name "
        "ON CONFLICT (workspace_id, external_id) "
    )
    with connection.cursor() as cursor:
        _prepare(cursor, Customer, CUSTOMER_BATCH, CUSTOMER_COLUMNS, keyed=False)
        _load(cursor, CUSTOMER_BATCH, CUSTOMER_COLUMNS, rows)
        if _postgres():
            # The batch is sorted by name in memory, not in 4 MB runs spilled to disk.
            cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
        cursor.execute(f"{insert} DO NOTHING", params)
        created = cursor.rowcount
        if created == len(rows):
            updated, moved = 0, []
        elif _postgres():
            more, updated, moved = _update_customers_postgres(cursor, insert, params, given)
            created += more  # rows another import stored between the two statements
        else:
            updated, moved = _update_customers_sqlite(cursor, workspace_id, given)
        _empty(cursor, CUSTOMER_BATCH)
    return CustomerMerge(created, updated, moved)


def _update_customers_postgres(
    cursor: Any, insert: str, params: list[Any], given: Sequence[str]
) -> tuple[int, int, list[int]]:
    """The batch's stored rows that differ, updated: (created, updated, moved).

    Every lookup here is fixed whatever the planner's statistics say (a new workspace's first
    import can leave them far behind): the arbiter index of ``ON CONFLICT``, the batch table's
    own index, and the primary key — through which ``RETURNING`` reads each updated row's
    segment as it was before this statement (a statement does not see its own changes).
    Rows this import has just inserted are as the batch says, so they are not touched.
    """
    cursor.execute(
        f"CREATE INDEX IF NOT EXISTS {CUSTOMER_BATCH}_key ON {CUSTOMER_BATCH} (external_id)"
    )
    customer = _q(Customer._meta.db_table)
    mine = f"FROM {CUSTOMER_BATCH} AS t WHERE t.external_id = excluded.external_id"
    names = ", ".join(_q(c) for c in given)
    merged = ", ".join(f"COALESCE(t.{_q(c)}, c.{_q(c)})" for c in given)
    cursor.execute(
        f"{insert} DO UPDATE SET ({names}) = (SELECT {merged} {mine}) "
        f"WHERE (SELECT {_changed(given, 'c')} {mine}) "
        f"RETURNING (xmax = 0), c.id, c.segment_id, "
        f"(SELECT o.segment_id FROM {customer} AS o WHERE o.id = c.id)",
        params,
    )
    created = updated = 0
    moved = []
    for was_created, pk, segment, before in cursor.fetchall():
        if was_created:
            created += 1
            continue
        updated += 1
        if segment != before:
            moved.append(pk)
    return created, updated, moved


def _update_customers_sqlite(
    cursor: Any, workspace_id: int, given: Sequence[str]
) -> tuple[int, list[int]]:
    """The batch's stored rows that differ, updated: (updated, moved). SQLite's planner probes
    the unique index per batch row (the batch table, with no index, is the outer loop)."""
    customer = _q(Customer._meta.db_table)
    cursor.execute(
        f"SELECT c.id FROM {CUSTOMER_BATCH} AS t CROSS JOIN {customer} AS c "
        "WHERE c.workspace_id = %s AND c.external_id = t.external_id "
        "AND t.segment_id IS NOT NULL AND c.segment_id IS NOT t.segment_id",
        [workspace_id],
    )
    moved = [pk for (pk,) in cursor.fetchall()]
    assignments = ", ".join(f"{_q(c)} = COALESCE(t.{_q(c)}, c.{_q(c)})" for c in given)
    cursor.execute(
        f"UPDATE {customer} AS c SET {assignments} FROM {CUSTOMER_BATCH} AS t "
        "WHERE c.workspace_id = %s AND c.external_id = t.external_id "
        f"AND ({_changed(given, 'c')})",
        [workspace_id],
    )
    return cursor.rowcount, moved


# --- orders -----------------------------------------------------------------------------------


def upsert_orders(workspace_id: int, rows: Sequence[tuple]) -> OrderMerge:
    """Merge order rows (``ORDER_COLUMNS``, unique external ids), matching customers by their
    external id; rows of unknown customers are returned, not written."""
    if not rows:
        return OrderMerge(0, 0, [], set())
    order, customer = _q(Order._meta.db_table), _q(Customer._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    rows = [(*r[:3], adapt(r[3]), r[4], r[5], r[6], adapt(r[7]), r[8]) for r in rows]
    given = ("customer_id", "placed_at", "amount", *ORDER_OPTIONAL)
    columns, selected, params = _insert_select(
        Order,
        workspace_id,
        {"customer_id": "t.customer_id", "placed_at": "t.placed_at", "amount": "t.amount"},
        given,
    )
    with connection.cursor() as cursor:
        _prepare(cursor, Order, ORDER_BATCH, ORDER_COLUMNS + ORDER_LOOKUPS)
        _load(cursor, ORDER_BATCH, ORDER_COLUMNS, rows)
        # Scalar subqueries: one index probe per batch row, whatever the statistics say.
        cursor.execute(
            f"UPDATE {ORDER_BATCH} SET customer_id = (SELECT c.id FROM {customer} AS c "
            f"WHERE c.workspace_id = %s AND c.external_id = {ORDER_BATCH}.customer_external_id), "
            f"old_customer_id = (SELECT o.customer_id FROM {order} AS o "
            f"WHERE o.workspace_id = %s AND o.external_id = {ORDER_BATCH}.external_id)",
            [workspace_id, workspace_id],
        )
        cursor.execute(
            f"SELECT ord, external_id, customer_external_id FROM {ORDER_BATCH} "
            "WHERE customer_id IS NULL ORDER BY ord"
        )
        unknown = [tuple(row) for row in cursor.fetchall()]
        insert = (
            f"INSERT INTO {order} AS o ({columns}) SELECT {selected} FROM {ORDER_BATCH} AS t "
            "WHERE t.customer_id IS NOT NULL ON CONFLICT (workspace_id, external_id) "
        )
        if _postgres():
            mine = f"FROM {ORDER_BATCH} AS t WHERE t.external_id = excluded.external_id"
            names = ", ".join(_q(c) for c in given)
            merged = ", ".join(
                f"COALESCE(t.{_q(c)}, o.{_q(c)})" if c in ORDER_OPTIONAL else f"t.{_q(c)}"
                for c in given
            )
            cursor.execute(
                f"WITH merged AS ({insert} DO UPDATE SET ({names}) = (SELECT {merged} {mine}) "
                f"WHERE (SELECT {_changed(given, 'o')} {mine}) "
                "RETURNING (xmax = 0) AS created, external_id, customer_id) "
                "SELECT m.created, m.customer_id, t.old_customer_id FROM merged AS m "
                f"JOIN {ORDER_BATCH} AS t ON t.external_id = m.external_id",
                params,
            )
            merges = cursor.fetchall()
            created = sum(1 for was_created, *_ids in merges if was_created)
            updated = len(merges) - created
            touched = {pk for _created, *ids in merges for pk in ids if pk is not None}
        else:
            # Customers whose purchase dates may move: those of new or changed orders, and the
            # previous customer of an order that moved to another one.
            cursor.execute(
                f"SELECT t.customer_id, t.old_customer_id FROM {ORDER_BATCH} AS t "
                f"LEFT JOIN {order} AS o ON o.workspace_id = %s AND o.external_id = t.external_id "
                f"WHERE t.customer_id IS NOT NULL AND (o.id IS NULL OR {_changed(given, 'o')})",
                [workspace_id],
            )
            touched = {pk for pair in cursor.fetchall() for pk in pair if pk is not None}
            assignments = ", ".join(
                f"{_q(c)} = COALESCE(t.{_q(c)}, o.{_q(c)})" if c in ORDER_OPTIONAL
                else f"{_q(c)} = t.{_q(c)}"
                for c in given
            )  # fmt: skip
            cursor.execute(
                f"UPDATE {order} AS o SET {assignments} FROM {ORDER_BATCH} AS t "
                "WHERE o.workspace_id = %s AND o.external_id = t.external_id "
                f"AND t.customer_id IS NOT NULL AND ({_changed(given, 'o')})",
                [workspace_id],
            )
            updated = cursor.rowcount
            cursor.execute(f"{insert} DO NOTHING", params)
            created = cursor.rowcount
        _empty(cursor, ORDER_BATCH)
    return OrderMerge(created, updated, unknown, touched)
