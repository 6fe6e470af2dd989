"""Set-based upserts by external id: the dialect-specific SQL of imports, in this one module.

A batch of rows is first loaded into a temporary table — with ``COPY`` on PostgreSQL and one
prepared ``executemany`` on SQLite — and then merged into the real table with two statements:

1. ``UPDATE … FROM`` the batch, only where a given value differs from the stored one. A ``NULL``
   in the batch means "not given: keep the stored value", as ``CustomerInput`` documents.
2. ``INSERT … SELECT`` the rest, ``ON CONFLICT (workspace_id, external_id) DO NOTHING``.

The row counts of those two statements are the *updated* and *created* figures; every other row
of the batch was already stored as given (*unchanged*). No model instance is built per row, which
is what makes a million-row import take seconds instead of minutes.

Columns that an import never sets (``created_at``, ``lifecycle_phase``, ``stance``, any field added
later) are filled from the model's own defaults, read from ``_meta`` so that this SQL keeps up with
the model. Callers pass rows already de-duplicated by external id and hold the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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
CUSTOMER_BATCH_TABLE = "cx_import_customer"
ORDER_BATCH_TABLE = "cx_import_order"


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


def _differs() -> str:
    """The null-safe "not equal" operator."""
    return "IS DISTINCT FROM" if _postgres() else "IS NOT"


def _column_type(model: type[Model], column: str) -> str:
    if column == "ord":
        return "integer"
    if column == "customer_external_id":
        column = "external_id"
    return model._meta.get_field(column).db_type(connection)


def _prepare_batch_table(cursor: Any, model: type[Model], table: str, columns: Sequence[str]):
    definition = ", ".join(f"{_q(c)} {_column_type(model, c)}" for c in columns)
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({definition})")
    cursor.execute(f"TRUNCATE {table}" if _postgres() else f"DELETE FROM {table}")


def _load(cursor: Any, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    names = ", ".join(_q(c) for c in columns)
    if _postgres():
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        # Without statistics the planner may scan the whole customer table for each batch.
        cursor.execute(f"ANALYZE {table}")
    else:
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _defaults(model: type[Model], given: Sequence[str]) -> dict[str, Any]:
    """Database-ready default of every column an import may leave out."""
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
    return {column: values.pop(column) for column in given if column in values} | values


def upsert_customers(workspace_id: int, rows: Sequence[tuple]) -> tuple[int, int]:
    """Merge customer rows (``CUSTOMER_COLUMNS``, unique external ids); returns (created, updated)."""
    if not rows:
        return 0, 0
    table = CUSTOMER_BATCH_TABLE
    customer = _q(Customer._meta.db_table)
    given = CUSTOMER_COLUMNS[1:]
    defaults = _defaults(Customer, given)
    differs = _differs()
    with connection.cursor() as cursor:
        if not _postgres():
            # A bigger page cache keeps the customer table's indexes in memory during the merge.
            cursor.execute("PRAGMA cache_size = -131072")
        _prepare_batch_table(cursor, Customer, table, CUSTOMER_COLUMNS)
        _load(cursor, table, CUSTOMER_COLUMNS, rows)

        assignments = ", ".join(f"{_q(c)} = COALESCE(t.{_q(c)}, c.{_q(c)})" for c in given)
        changed = " OR ".join(
            f"(t.{_q(c)} IS NOT NULL AND t.{_q(c)} {differs} c.{_q(c)})" for c in given
        )
        cursor.execute(
            f"UPDATE {customer} AS c SET {assignments} FROM {table} AS t "
            f"WHERE c.workspace_id = %s AND c.external_id = t.external_id AND ({changed})",
            [workspace_id],
        )
        updated = cursor.rowcount

        columns = ["workspace_id", "external_id", *defaults]
        selected, params = ["%s", "t.external_id"], [workspace_id]
        for column, default in defaults.items():
            if column == "name":
                selected.append("COALESCE(t.name, t.external_id)")
            elif column in given:
                selected.append(f"COALESCE(t.{_q(column)}, %s)")
                params.append(default)
            else:
                selected.append("%s")
                params.append(default)
        # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT to parse it unambiguously.
        cursor.execute(
            f"INSERT INTO {customer} ({', '.join(_q(c) for c in columns)}) "
            f"SELECT {', '.join(selected)} FROM {table} AS t WHERE true "
            "ON CONFLICT (workspace_id, external_id) DO NOTHING",
            params,
        )
        created = cursor.rowcount
        cursor.execute(f"TRUNCATE {table}" if _postgres() else f"DELETE FROM {table}")
    return created, updated


def upsert_orders(workspace_id: int, rows: Sequence[tuple]) -> OrderMerge:
    """Merge order rows (``ORDER_COLUMNS``, unique external ids), matching customers by their
    external id; rows of unknown customers are returned, not written."""
    if not rows:
        return OrderMerge(0, 0, [], set())
    table = ORDER_BATCH_TABLE
    order, customer = _q(Order._meta.db_table), _q(Customer._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (*row[:3], adapt(row[3]), row[4], row[5], row[6], adapt(row[7]), row[8]) for row in rows
    ]
    optional = ("currency", "status", "delivered_at", "items")
    defaults = _defaults(Order, ("customer_id", "placed_at", "amount", *optional))
    differs = _differs()
    join_customer = (
        f"JOIN {customer} AS c ON c.workspace_id = %s AND c.external_id = t.customer_external_id"
    )
    changed = " OR ".join(
        [
            "o.customer_id <> c.id",
            f"t.placed_at {differs} o.placed_at",
            f"t.amount {differs} o.amount",
            *(f"(t.{_q(c)} IS NOT NULL AND t.{_q(c)} {differs} o.{_q(c)})" for c in optional),
        ]
    )
    with connection.cursor() as cursor:
        _prepare_batch_table(cursor, Order, table, ORDER_COLUMNS)
        _load(cursor, table, ORDER_COLUMNS, rows)

        cursor.execute(
            f"SELECT t.ord, t.external_id, t.customer_external_id FROM {table} AS t "
            f"WHERE NOT EXISTS (SELECT 1 FROM {customer} AS c WHERE c.workspace_id = %s "
            "AND c.external_id = t.customer_external_id) ORDER BY t.ord",
            [workspace_id],
        )
        unknown = [tuple(row) for row in cursor.fetchall()]

        # Customers whose purchase dates may move: those of new or changed orders, and the
        # previous customer of an order that moved to another one.
        cursor.execute(
            f"SELECT c.id, o.customer_id FROM {table} AS t {join_customer} "
            f"LEFT JOIN {order} AS o ON o.workspace_id = %s AND o.external_id = t.external_id "
            f"WHERE o.id IS NULL OR {changed}",
            [workspace_id, workspace_id],
        )
        touched = {pk for pair in cursor.fetchall() for pk in pair if pk is not None}

        assignments = ", ".join(
            [
                "customer_id = c.id",
                "placed_at = t.placed_at",
                "amount = t.amount",
                *(f"{_q(c)} = COALESCE(t.{_q(c)}, o.{_q(c)})" for c in optional),
            ]
        )
        cursor.execute(
            f"UPDATE {order} AS o SET {assignments} FROM {table} AS t {join_customer} "
            f"WHERE o.workspace_id = %s AND o.external_id = t.external_id AND ({changed})",
            [workspace_id, workspace_id],
        )
        updated = cursor.rowcount

        columns = ["workspace_id", "external_id", *defaults]
        selected, params = ["%s", "t.external_id"], [workspace_id]
        for column, default in defaults.items():
            if column == "customer_id":
                selected.append("c.id")
            elif column in ("placed_at", "amount"):
                selected.append(f"t.{column}")
            elif column in optional:
                selected.append(f"COALESCE(t.{_q(column)}, %s)")
                params.append(default)
            else:
                selected.append("%s")
                params.append(default)
        params.append(workspace_id)
        cursor.execute(
            f"INSERT INTO {order} ({', '.join(_q(c) for c in columns)}) "
            f"SELECT {', '.join(selected)} FROM {table} AS t {join_customer} WHERE true "
            "ON CONFLICT (workspace_id, external_id) DO NOTHING",
            params,
        )
        created = cursor.rowcount
        cursor.execute(f"TRUNCATE {table}" if _postgres() else f"DELETE FROM {table}")
    return OrderMerge(created, updated, unknown, touched)
