"""Read-side queries about customers and orders, for pages, the API and the home page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import overload

from django.db import connections
from django.db.models import Count, F, Func, Q, QuerySet, Sum, TextField
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cxloop.core.db import Casefold

from .models import (
    Customer,
    Expectation,
    LifecyclePhase,
    Order,
    Segment,
    Stance,
    StanceChange,
    WowPlanItem,
)

LAST_EXPERIENCE_CHOICES = ("7", "30", "90", "older", "never")


class _NameAndEmail(Func):
    """``name``, a separator, ``email``: one text. The separator is a control character nobody
    types, so a search term cannot match across the two fields."""

    output_field = TextField()
    template = "(%(expressions)s)"
    arg_joiner = " || E'\\x1f' || "

    def __init__(self) -> None:
        super().__init__(F("name"), F("email"))

    def as_sqlite(self, compiler, connection, **extra):  # type: ignore[no-untyped-def]
        return self.as_sql(compiler, connection, arg_joiner=" || char(31) || ", **extra)


def search_text() -> Casefold:
    """A customer's name and email, case-folded, as one text: what a text search looks in.

    One text rather than two ``LIKE`` tests: PostgreSQL keeps one trigram index on exactly this
    expression (migration customers 0007) instead of one per column, which costs every imported
    row half as many index insertions, and a search folds each row once.
    """
    return Casefold(_NameAndEmail())


def search_customers(
    query: str = "",
    segment_id: int | None = None,
    *,
    stance: str = "",
    lifecycle_phase: str = "",
    last_experience: str = "",
    now: datetime | None = None,
) -> QuerySet[Customer]:
    """Customers matching a search and filters, by name.

    ``last_experience`` is "7"/"30"/"90" (within that many days), "older" (none in 90 days) or
    "never". Every filter has an index that starts with the workspace and ends with the name, so
    the first page of any filter is an index range scan, even at a million customers.
    """
    customers = Customer.objects.select_related("segment")
    query = query.strip()
    if query:
        folded = query.casefold()
        customers = customers.alias(search_text=search_text()).filter(
            Q(search_text__contains=folded) | Q(external_id=query)
        )
    if segment_id:
        customers = customers.filter(segment_id=segment_id)
    if stance in Stance.values or stance == "unknown":
        customers = customers.filter(stance="" if stance == "unknown" else stance)
    if lifecycle_phase in LifecyclePhase.values:
        customers = customers.filter(lifecycle_phase=lifecycle_phase)
    if last_experience in LAST_EXPERIENCE_CHOICES:
        now = now or timezone.now()
        if last_experience == "never":
            customers = customers.filter(last_experience_at__isnull=True)
        elif last_experience == "older":
            customers = customers.filter(last_experience_at__lt=now - timedelta(days=90))
        else:
            since = now - timedelta(days=int(last_experience))
            customers = customers.filter(last_experience_at__gte=since)
    return customers.order_by("name", "id")


SEARCH_CAP = 1_000


class CappedSearch:
    """The customers a capped text search lists, as ids in list order; a page reads its rows.

    A sequence for Django's ``Paginator``: ``len()`` is the number listed, a slice reads only
    the customers of that slice (one query by primary key).
    """

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[Customer]:
        return iter(self[:])

    @overload
    def __getitem__(self, index: int) -> Customer: ...
    @overload
    def __getitem__(self, index: slice) -> list[Customer]: ...
    def __getitem__(self, index: int | slice) -> Customer | list[Customer]:
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        wanted = self.ids[index]
        found = Customer.objects.select_related("segment").in_bulk(wanted)
        return [found[pk] for pk in wanted if pk in found]


def cap_search(customers: QuerySet[Customer], cap: int | None = None) -> tuple[CappedSearch, int]:
    """At most ``cap`` of the customers a text search matched, by name, and how many matched
    (up to ``cap + 1``: more than ``cap`` means the list is cut).

    A common name or surname matches a tenth of a million customers, scattered along the name
    order; the first page by name would read every match (0.2–2 s at 1M customers, see
    bench/customer_pages.py). Instead the ``cap`` most recently added matches are found first (the
    primary key walked backwards until ``cap`` match, or the trigram index when few do: tens of
    milliseconds either way) and sorted by name in the same statement, which returns only their
    ids; a page then reads its 25 rows by primary key. With ``cap`` or fewer matches the list is
    exactly the search's.
    """
    cap = SEARCH_CAP if cap is None else cap
    recent = customers.order_by("-pk").values(cx_id=F("pk"), cx_name=F("name"))[: cap + 1]
    sql, params = recent.query.sql_with_params()
    with connections[customers.db].cursor() as cursor:
        # By name in the database's collation, like every other list of customers.
        cursor.execute(f"SELECT cx_id FROM ({sql}) AS recent ORDER BY cx_name, cx_id", params)  # noqa: S608
        ids = [pk for (pk,) in cursor.fetchall()]
    matched = len(ids)
    if matched > cap:
        ids.remove(min(ids))  # the one past the cap: the least recently added
    return CappedSearch(ids), matched


def segments() -> list[Segment]:
    return list(Segment.objects.order_by("name"))


def customer_orders(customer: Customer, limit: int = 50) -> list[Order]:
    return list(customer.orders.order_by("-placed_at")[:limit])


@dataclass(frozen=True)
class MonthVolume:
    month: datetime
    orders: int
    revenue: Decimal


def orders_by_month(since: datetime) -> list[MonthVolume]:
    rows = (
        Order.objects.filter(placed_at__gte=since)
        .annotate(month=TruncMonth("placed_at"))
        .values("month")
        .annotate(orders=Count("id"), revenue=Sum("amount"))
        .order_by("month")
    )
    return [MonthVolume(r["month"], r["orders"], r["revenue"] or Decimal(0)) for r in rows]


@dataclass(frozen=True)
class CustomerBase:
    customers: int
    with_orders: int
    repeat: int  # customers with two or more orders

    @property
    def repeat_share(self) -> float | None:
        return self.repeat / self.with_orders if self.with_orders else None


def customer_base() -> CustomerBase:
    per_customer = Order.objects.values("customer_id").annotate(n=Count("id"))
    with_orders = per_customer.count()
    repeat = per_customer.filter(n__gte=2).count()
    return CustomerBase(Customer.objects.count(), with_orders, repeat)


def expectations_of(customer: Customer) -> dict[str, list[Expectation]]:
    """The customer's own expectations, and the general ones of their segment."""
    individual = list(customer.expectations.filter(active=True).select_related("noted_by"))
    general = (
        list(Expectation.objects.filter(segment_id=customer.segment_id, active=True))
        if customer.segment_id
        else []
    )
    return {"individual": individual, "general": general}


def wow_plan(customer: Customer) -> list[WowPlanItem]:
    return list(
        customer.wow_plan.select_related("owner", "expectation").order_by("done_on", "due_on")
    )


def stance_history(customer: Customer, limit: int = 20) -> list[StanceChange]:
    return list(customer.stance_changes.order_by("-changed_at", "-id")[:limit])


@dataclass(frozen=True)
class StanceMix:
    prosecutors: int
    neutrals: int
    advocates: int
    unknown: int

    @property
    def known(self) -> int:
        return self.prosecutors + self.neutrals + self.advocates


def stance_mix() -> StanceMix:
    counts = dict(Customer.objects.order_by().values_list("stance").annotate(n=Count("id")))
    return StanceMix(
        prosecutors=counts.get(Stance.PROSECUTOR, 0),
        neutrals=counts.get(Stance.NEUTRAL, 0),
        advocates=counts.get(Stance.ADVOCATE, 0),
        unknown=counts.get("", 0),
    )


def recovered_prosecutors(since: datetime) -> int:
    """Customers who were prosecutors and became neutral or advocates since ``since``."""
    return (
        StanceChange.objects.filter(
            changed_at__gte=since,
            from_stance=Stance.PROSECUTOR,
            to_stance__in=[Stance.NEUTRAL, Stance.ADVOCATE],
        )
        .values("customer_id")
        .distinct()
        .count()
    )
