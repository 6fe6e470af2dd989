"""Read-side queries about customers and orders, for pages, the API and the home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from .models import Customer, Order, Segment


def search_customers(query: str = "", segment_id: int | None = None) -> QuerySet[Customer]:
    customers = Customer.objects.select_related("segment")
    query = query.strip()
    if query:
        customers = customers.filter(
            Q(name__icontains=query) | Q(email__icontains=query) | Q(external_id__iexact=query)
        )
    if segment_id:
        customers = customers.filter(segment_id=segment_id)
    return customers.order_by("name", "id")


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
