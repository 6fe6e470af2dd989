"""The workspace's purchases as columns: one pass over the orders, then vectorised arithmetic.

Every customer-value figure (cohorts, KPIs, the lifetime-value model, the seeds' claims) is built
from the same arrays, so they cannot disagree about what a purchase is:

- an **order** counts unless it was cancelled or returned (no money stayed with the company);
- a **purchase** is everything one customer ordered on one local calendar day (the unit of the
  BG/NBD literature: two parcels ordered the same evening are one buying decision);
- days and months are local to ``settings.TIME_ZONE``, so a purchase at 00:30 in Kyiv belongs to
  the day and month the shop saw it in.

The orders are read with one ``SELECT customer_id, placed_at, amount`` (no per-row ORM objects) and
sorted in numpy; at a million orders that is a few seconds on SQLite (see bench/customer_value.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from django.db import connection
from django.db.models import CharField, F, FloatField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from numpy.typing import NDArray

from cxloop.customers.models import Order

EXCLUDED_STATUSES = (Order.Status.CANCELLED, Order.Status.RETURNED)
SECONDS_PER_DAY = 86_400
CHUNK = 50_000


@dataclass(frozen=True)
class Purchases:
    """Purchases sorted by customer, then day; plus the per-customer summary the models need."""

    customer: NDArray[np.int64]  # customer id of each purchase
    day: NDArray[np.int64]  # local day number (days since 1970-01-01) of each purchase
    amount: NDArray[np.float64]  # value of each purchase (sum of that day's orders)
    orders: int  # order rows behind the purchases
    today: int  # local day number of "now"
    currency: str  # the most common order currency ("" without orders)

    @property
    def customers(self) -> NDArray[np.int64]:
        """Customer ids with at least one purchase, ascending (one per customer)."""
        return self.customer[self._starts]

    @property
    def _starts(self) -> NDArray[np.intp]:
        if not len(self.customer):
            return np.zeros(0, dtype=np.intp)
        return np.flatnonzero(np.r_[True, self.customer[1:] != self.customer[:-1]])

    def per_customer(self) -> CustomerHistory:
        starts = self._starts
        ends = np.r_[starts[1:], len(self.customer)] - 1 if len(starts) else starts
        count = (ends - starts + 1).astype(np.float64)
        total = np.add.reduceat(self.amount, starts) if len(starts) else np.zeros(0)
        return CustomerHistory(
            customer=self.customer[starts],
            first_day=self.day[starts],
            last_day=self.day[ends],
            purchases=count,
            total=total,
            first_amount=self.amount[starts],
            today=self.today,
        )


@dataclass(frozen=True)
class CustomerHistory:
    """One row per customer who bought: the RFM summary (recency, frequency, monetary value)."""

    customer: NDArray[np.int64]
    first_day: NDArray[np.int64]
    last_day: NDArray[np.int64]
    purchases: NDArray[np.float64]
    total: NDArray[np.float64]
    first_amount: NDArray[np.float64]
    today: int

    @property
    def repeat_purchases(self) -> NDArray[np.float64]:
        """x of the BG/NBD model: purchases after the first."""
        return self.purchases - 1

    @property
    def repeat_value(self) -> NDArray[np.float64]:
        """Total value of the purchases after the first."""
        return self.total - self.first_amount

    @property
    def mean_repeat_value(self) -> NDArray[np.float64]:
        """zbar of the Gamma-Gamma model: mean value of the repeat purchases (0 when none)."""
        x = self.repeat_purchases
        return np.divide(self.repeat_value, x, out=np.zeros_like(x), where=x > 0)

    def weeks(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(t_x, T) in weeks: last purchase and end of observation, from the first purchase."""
        t_x = (self.last_day - self.first_day) / 7.0
        T = (self.today - self.first_day) / 7.0
        return t_x, T


def local_days(timestamps: NDArray[np.float64]) -> NDArray[np.int64]:
    """Local calendar day numbers of UTC epoch seconds, honouring daylight saving time.

    The offset is looked up once per distinct UTC hour (a few thousand for years of orders), not
    once per row.
    """
    if not len(timestamps):
        return np.zeros(0, dtype=np.int64)
    zone = timezone.get_current_timezone()
    hours = np.floor_divide(timestamps, 3600).astype(np.int64)
    distinct, inverse = np.unique(hours, return_inverse=True)
    offsets = np.array(
        [
            datetime.fromtimestamp(int(h) * 3600, UTC).astimezone(zone).utcoffset().total_seconds()
            for h in distinct
        ]
    )
    return np.floor_divide(timestamps + offsets[inverse], SECONDS_PER_DAY).astype(np.int64)


def month_of(days: NDArray[np.int64]) -> NDArray[np.int64]:
    """Months since January 1970 of local day numbers."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _epoch_seconds(values: tuple) -> NDArray[np.float64]:
    """UTC epoch seconds of ``placed_at`` as the database driver returns it: aware datetimes
    (PostgreSQL), or naive UTC text (SQLite with ``USE_TZ``), parsed by numpy in one call."""
    if values and isinstance(values[0], str):
        try:
            micros = np.array(values, dtype="datetime64[us]").astype(np.int64)
            return micros / 1e6
        except ValueError:  # not the text Django writes; parse it the slow, general way
            values = tuple(parse_datetime(v) for v in values)
    # A naive datetime from the database is UTC (USE_TZ), never the process's local time.
    return np.array(
        [(v if v.tzinfo else v.replace(tzinfo=UTC)).timestamp() for v in values], dtype=np.float64
    )


def load_purchases(now: datetime | None = None) -> Purchases:
    """The bound workspace's purchases up to ``now`` (one query, no model instances)."""
    now = now or timezone.now()
    orders = (
        Order.objects.filter(placed_at__lte=now).exclude(status__in=EXCLUDED_STATUSES).order_by()
    )
    # SQLite keeps datetimes as naive UTC text: read it as text and let numpy parse a whole chunk
    # at once, instead of a Python converter per row.
    placed = Cast("placed_at", CharField()) if connection.vendor == "sqlite" else F("placed_at")
    rows = orders.values_list("customer_id", placed, Cast("amount", FloatField()), "currency")
    # The compiled SQL through a plain cursor: Django's per-row converters (a datetime parsed from
    # text on SQLite, a Decimal built and dropped) cost more than the query at a million rows.
    sql, params = rows.query.sql_with_params()
    id_chunks: list[NDArray[np.int64]] = []
    stamp_chunks: list[NDArray[np.float64]] = []
    amount_chunks: list[NDArray[np.float64]] = []
    currencies: Counter[str] = Counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            ids, placed, amounts, codes = zip(*chunk, strict=True)
            id_chunks.append(np.array(ids, dtype=np.int64))
            stamp_chunks.append(_epoch_seconds(placed))
            amount_chunks.append(np.array(amounts, dtype=np.float64))
            currencies.update(codes)
    customer = np.concatenate(id_chunks) if id_chunks else np.zeros(0, dtype=np.int64)
    stamps = np.concatenate(stamp_chunks) if stamp_chunks else np.zeros(0)
    amount = np.concatenate(amount_chunks) if amount_chunks else np.zeros(0)
    day = local_days(stamps)
    today = int(local_days(np.array([now.timestamp()]))[0])
    order_count = len(customer)
    if order_count:
        # Sort by (customer, day), then merge each customer's orders of one day into a purchase.
        order = np.lexsort((day, customer))
        customer, day, amount = customer[order], day[order], amount[order]
        first = np.r_[True, (customer[1:] != customer[:-1]) | (day[1:] != day[:-1])]
        starts = np.flatnonzero(first)
        amount = np.add.reduceat(amount, starts)
        customer, day = customer[starts], day[starts]
    return Purchases(
        customer=customer,
        day=day,
        amount=amount,
        orders=order_count,
        today=today,
        currency=currencies.most_common(1)[0][0] if currencies else "",
    )
