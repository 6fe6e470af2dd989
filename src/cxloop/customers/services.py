"""Use cases for customers and orders: upserts by external id (import, API, sync)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, OuterRef, Subquery

from cxloop.core.scoping import current_workspace

from . import lifecycle
from .models import Customer, Order, Segment

BATCH = 2000


@dataclass(frozen=True, slots=True)
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


CUSTOMER_FIELDS = (
    "name",
    "email",
    "phone",
    "language",
    "segment_id",
    "attributes",
    "consent_email",
)
ORDER_FIELDS = ("customer_id", "placed_at", "amount", "currency", "status", "delivered_at", "items")


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
    changes nothing the second time.
    """
    workspace = current_workspace()
    result = UpsertResult()
    segments = _segment_ids(r.segment for r in rows if r.segment)
    for start in range(0, len(rows), BATCH):
        batch = _last_per_key(rows[start : start + BATCH])
        existing = {
            values[0]: values[1:]
            for values in Customer.objects.filter(
                external_id__in=[r.external_id for _, r in batch]
            ).values_list("external_id", "pk", *CUSTOMER_FIELDS)
        }
        to_create: list[Customer] = []
        to_update: list[Customer] = []
        for _, row in batch:
            stored = existing.get(row.external_id)
            given = {
                "name": row.name,
                "email": row.email,
                "phone": row.phone,
                "language": row.language,
                "segment_id": segments.get(row.segment) if row.segment else None,
                "attributes": row.attributes,
                "consent_email": row.consent_email,
            }
            if stored is None:
                values = {k: v for k, v in given.items() if v is not None}
                values.setdefault("name", row.external_id)
                to_create.append(
                    Customer(workspace=workspace, external_id=row.external_id, **values)
                )
                continue
            pk, *old = stored
            merged = {
                name: (given[name] if given[name] is not None else old_value)
                for name, old_value in zip(CUSTOMER_FIELDS, old, strict=True)
            }
            if list(merged.values()) == old:
                result.unchanged += 1
                continue
            to_update.append(
                Customer(pk=pk, workspace=workspace, external_id=row.external_id, **merged)
            )
        Customer.objects.bulk_create(to_create, batch_size=BATCH)
        Customer.objects.bulk_update(to_update, list(CUSTOMER_FIELDS), batch_size=500)
        result.created += len(to_create)
        result.updated += len(to_update)
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
    for start in range(0, len(rows), BATCH):
        batch = _last_per_key(rows[start : start + BATCH])
        customers = dict(
            Customer.objects.filter(
                external_id__in={r.customer_external_id for _, r in batch}
            ).values_list("external_id", "pk")
        )
        existing = {
            values[0]: values[1:]
            for values in Order.objects.filter(
                external_id__in=[r.external_id for _, r in batch]
            ).values_list("external_id", "pk", *ORDER_FIELDS)
        }
        to_create: list[Order] = []
        to_update: list[Order] = []
        for index, row in batch:
            customer_id = customers.get(row.customer_external_id)
            if customer_id is None:
                result.errors.append(
                    RowError(
                        start + index,
                        row.external_id,
                        f"no customer with external id {row.customer_external_id!r}; "
                        "import the customer first",
                    )
                )
                continue
            given = {
                "customer_id": customer_id,
                "placed_at": row.placed_at,
                "amount": row.amount,
                "currency": row.currency,
                "status": row.status,
                "delivered_at": row.delivered_at,
                "items": row.items,
            }
            stored = existing.get(row.external_id)
            if stored is None:
                values = {k: v for k, v in given.items() if v is not None}
                to_create.append(Order(workspace=workspace, external_id=row.external_id, **values))
                touched.add(customer_id)
                continue
            pk, *old = stored
            merged = {
                name: (given[name] if given[name] is not None else old_value)
                for name, old_value in zip(ORDER_FIELDS, old, strict=True)
            }
            if list(merged.values()) == old:
                result.unchanged += 1
                continue
            to_update.append(
                Order(pk=pk, workspace=workspace, external_id=row.external_id, **merged)
            )
            touched.update({customer_id, old[0]})
        Order.objects.bulk_create(to_create, batch_size=BATCH)
        Order.objects.bulk_update(to_update, list(ORDER_FIELDS), batch_size=500)
        result.created += len(to_create)
        result.updated += len(to_update)
    if touched:
        refresh_purchase_dates(sorted(touched))
    return result


def refresh_purchase_dates(customer_ids: Sequence[int] | None = None) -> None:
    """Set first/last purchase from the orders (cancelled ones excluded), then the phase.

    ``None`` refreshes the whole workspace in one statement; a list is done in chunks so the
    ``IN (...)`` stays within every database's parameter limit.
    """
    orders = Order.objects.filter(customer_id=OuterRef("pk")).exclude(status="cancelled").order_by()
    first = orders.values("customer_id").annotate(v=Min("placed_at")).values("v")
    last = orders.values("customer_id").annotate(v=Max("placed_at")).values("v")
    if customer_ids is None:
        chunks = [Customer.objects.all()]
    else:
        chunks = [
            Customer.objects.filter(pk__in=customer_ids[start : start + BATCH])
            for start in range(0, len(customer_ids), BATCH)
        ]
    for chunk in chunks:
        chunk.update(first_purchase_at=Subquery(first), last_purchase_at=Subquery(last))
        lifecycle.refresh_phases(chunk)
