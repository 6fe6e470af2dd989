"""Use cases for customers and orders: upserts by external id (import, API, sync)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery

from cxloop.analytics import services as analytics
from cxloop.core.scoping import current_workspace

from . import lifecycle
from .imports import bulk
from .models import Customer, Order, Segment

BATCH = 2000  # ids per ``IN (...)``: within every database's parameter limit
UPSERT_BATCH = 20_000  # rows merged per statement pair; the batch table has no such limit


# Not frozen: a frozen dataclass's __init__ sets each field through object.__setattr__, which
# made building one a third of the import's validation time per row.
@dataclass(slots=True)
class CustomerInput:
    """One customer as an import or the API gives it. ``None`` means "not given: keep"."""

    external_id: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    segment: str | None = None  # a segment's name; created when new
    attributes: dict[str, Any] | None = None
    consent_email: bool | None = None


@dataclass(frozen=True, slots=True)
class OrderInput:
    external_id: str
    customer_external_id: str
    placed_at: datetime
    amount: Decimal
    currency: str | None = None
    status: str | None = None
    delivered_at: datetime | None = None
    items: list[dict[str, Any]] | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    index: int  # position in the rows given, from 0
    external_id: str
    message: str


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    def add(self, other: UpsertResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.errors.extend(other.errors)


def _segment_ids(names: Iterable[str]) -> dict[str, int]:
    wanted = {n for n in names if n}
    if not wanted:
        return {}
    known = dict(Segment.objects.filter(name__in=wanted).values_list("name", "pk"))
    missing = wanted - known.keys()
    if missing:
        Segment.objects.bulk_create(
            [Segment(name=name) for name in sorted(missing)], ignore_conflicts=True
        )
        known = dict(Segment.objects.filter(name__in=wanted).values_list("name", "pk"))
    return known


def _last_per_key(rows: Sequence[Any]) -> list[tuple[int, Any]]:
    """Keep the last row for each external id: a file that repeats an id means its last line."""
    chosen: dict[str, tuple[int, Any]] = {}
    for index, row in enumerate(rows):
        chosen[row.external_id] = (index, row)
    return list(chosen.values())


@transaction.atomic
def upsert_customers(rows: Sequence[CustomerInput]) -> UpsertResult:
    """Create new customers and update changed ones, matched by external id.

    Rows equal to what is stored are not written at all, so importing the same file twice
    changes nothing the second time. The merge is set-based (``imports.bulk``): no model
    instance per row, so an import of a million customers takes seconds.
    """
    workspace = current_workspace()
    result = UpsertResult()
    segments = _segment_ids(r.segment for r in rows if r.segment)
    # Customers who change segment move their answers between segments in the rollups.
    moving: list[int] = []
    dumps = json.dumps
    for start in range(0, len(rows), UPSERT_BATCH):
        batch = _last_per_key(rows[start : start + UPSERT_BATCH])
        values = [
            (
                row.external_id,
                row.name,
                row.email,
                row.phone,
                row.language,
                segments[row.segment] if row.segment else None,
                None if row.attributes is None else dumps(row.attributes),
                row.consent_email,
            )
            for _, row in batch
        ]
        merge = bulk.upsert_customers(workspace.pk, values)
        result.created += merge.created
        result.updated += merge.updated
        result.unchanged += len(values) - merge.created - merge.updated
        moving.extend(merge.moved)
    if moving:
        analytics.refresh_for_customers(moving)
    return result


@transaction.atomic
def upsert_orders(rows: Sequence[OrderInput]) -> UpsertResult:
    """Create or update orders by external id; an order of an unknown customer is an error row.

    Afterwards the purchase dates and lifecycle phase of the customers concerned are refreshed
    set-based.
    """
    workspace = current_workspace()
    result = UpsertResult()
    touched: set[int] = set()
    dumps = json.dumps
    for start in range(0, len(rows), UPSERT_BATCH):
        batch = _last_per_key(rows[start : start + UPSERT_BATCH])
        values = [
            (
                start + index,
                row.external_id,
                row.customer_external_id,
                row.placed_at,
                row.amount,
                row.currency,
                row.status,
                row.delivered_at,
                None if row.items is None else dumps(row.items),
            )
            for index, row in batch
        ]
        merge = bulk.upsert_orders(workspace.pk, values)
        result.errors.extend(
            RowError(
                index,
                external_id,
                f"no customer with external id {customer_external_id!r}; import the customer first",
            )
            for index, external_id, customer_external_id in merge.unknown_customer
        )
        result.created += merge.created
        result.updated += merge.updated
        result.unchanged += len(values) - merge.created - merge.updated
        result.unchanged -= len(merge.unknown_customer)
        touched |= merge.touched_customer_ids
    if touched:
        refresh_purchase_dates(sorted(touched))
    return result


def refresh_purchase_dates(
    customer_ids: Sequence[int] | None = None, *, now: datetime | None = None
) -> None:
    """Set first/last purchase from the orders (cancelled ones excluded), then the phase.

    ``None`` refreshes the whole workspace in one statement; a list is done in chunks so the
    ``IN (...)`` stays within every database's parameter limit.
    """
    # ORDER BY … LIMIT 1 uses the (customer, placed_at) index: one short probe per customer,
    # where MIN/MAX with GROUP BY in a correlated subquery scans far more on SQLite.
    orders = Order.objects.filter(customer_id=OuterRef("pk")).exclude(status="cancelled")
    first = orders.order_by("placed_at").values("placed_at")[:1]
    last = orders.order_by("-placed_at").values("placed_at")[:1]
    if customer_ids is None:
        chunks = [Customer.objects.all()]
    else:
        chunks = [
            Customer.objects.filter(pk__in=customer_ids[start : start + BATCH])
            for start in range(0, len(customer_ids), BATCH)
        ]
    for chunk in chunks:
        chunk.update(first_purchase_at=Subquery(first), last_purchase_at=Subquery(last))
        lifecycle.refresh_phases(chunk, now=now)
