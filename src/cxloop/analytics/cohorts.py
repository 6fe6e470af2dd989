"""Cohorts of first purchase and the everyday customer-value KPIs, from :mod:`.purchases`.

Definitions (each also shown as help on the Customer value page):

- **Cohort**: the customers whose first purchase fell in the same local calendar month.
- **Retention in month k**: the share of a cohort that bought in the k-th calendar month after
  the cohort's month (month 0 is the cohort's own month, 100 % by definition). A cell is left
  empty when that month has not begun; the current month is still filling up.
- **Churned**: a buyer whose last purchase is ``LAPSE_AFTER`` (180 days) or more ago, the same rule
  that moves a customer to the *lapsed* lifecycle phase. **Churn rate** = churned / buyers.
- **Repeat-purchase rate**: buyers with two or more purchases (days with an order) / buyers.
- **Average order value (AOV)**: revenue / orders.
- **Purchase frequency**: orders / buyers, over all the history loaded.
- **Historical customer lifetime value**: revenue / buyers, i.e. the mean of what each customer
  has spent so far; per cohort, the same mean within the cohort (older cohorts have had longer).

All of it is vectorised over the purchase arrays: no loop over customers or orders in Python.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import numpy as np

from cxloop.customers.lifecycle import LAPSE_AFTER

from .purchases import CustomerHistory, Purchases, month_of

LAPSE_DAYS = LAPSE_AFTER.days


@dataclass(frozen=True)
class CohortRow:
    month: date  # first day of the cohort's month
    customers: int
    retention: list[float | None]  # share buying in month k; None where month k has not begun
    historical_clv: float  # mean spend per customer of the cohort so far
    churned: int

    @property
    def churn_rate(self) -> float:
        return self.churned / self.customers if self.customers else 0.0


@dataclass(frozen=True)
class CohortTable:
    rows: list[CohortRow]
    months: int  # columns: month 0 … months − 1

    def to_json(self) -> dict:
        return {
            "months": self.months,
            "rows": [{**asdict(row), "month": row.month.isoformat()} for row in self.rows],
        }

    @classmethod
    def from_json(cls, data: dict) -> CohortTable:
        rows = [
            CohortRow(**{**row, "month": date.fromisoformat(row["month"])})
            for row in data.get("rows", [])
        ]
        return cls(rows=rows, months=int(data.get("months", 0)))


@dataclass(frozen=True)
class ValueKpis:
    customers: int  # buyers: customers with at least one purchase
    orders: int
    purchases: int
    revenue: float
    repeat_customers: int
    churned: int

    @property
    def average_order_value(self) -> float | None:
        return self.revenue / self.orders if self.orders else None

    @property
    def purchase_frequency(self) -> float | None:
        return self.orders / self.customers if self.customers else None

    @property
    def repeat_rate(self) -> float | None:
        return self.repeat_customers / self.customers if self.customers else None

    @property
    def churn_rate(self) -> float | None:
        return self.churned / self.customers if self.customers else None

    @property
    def historical_clv(self) -> float | None:
        return self.revenue / self.customers if self.customers else None

    def to_json(self) -> dict:
        return asdict(self)


def value_kpis(purchases: Purchases, history: CustomerHistory | None = None) -> ValueKpis:
    history = history or purchases.per_customer()
    return ValueKpis(
        customers=len(history.customer),
        orders=purchases.orders,
        purchases=len(purchases.customer),
        revenue=float(purchases.amount.sum()),
        repeat_customers=int((history.purchases >= 2).sum()),
        churned=int((history.today - history.last_day >= LAPSE_DAYS).sum()),
    )


def cohort_table(
    purchases: Purchases, history: CustomerHistory | None = None, *, max_cohorts: int = 24
) -> CohortTable:
    """The retention triangle of the latest ``max_cohorts`` monthly cohorts."""
    history = history or purchases.per_customer()
    if not len(history.customer):
        return CohortTable(rows=[], months=0)
    this_month = int(month_of(np.array([history.today]))[0])
    cohort_of_customer = month_of(history.first_day)
    # Each purchase's cohort: purchases are sorted by customer, as are the history rows.
    cohort = np.repeat(cohort_of_customer, history.purchases.astype(np.int64))
    k = month_of(purchases.day) - cohort
    # One count per (customer, month k), however many purchases they made in that month.
    distinct = np.r_[True, (purchases.customer[1:] != purchases.customer[:-1]) | (k[1:] != k[:-1])]
    first_cohort = max(int(cohort_of_customer.min()), this_month - max_cohorts + 1)
    width = this_month - first_cohort + 1
    keep = distinct & (cohort >= first_cohort)
    active = np.zeros((width, width), dtype=np.int64)
    np.add.at(active, (cohort[keep] - first_cohort, k[keep]), 1)

    in_window = cohort_of_customer >= first_cohort
    index = cohort_of_customer[in_window] - first_cohort
    sizes = np.bincount(index, minlength=width)
    spend = np.bincount(index, weights=history.total[in_window], minlength=width)
    lapsed = history.today - history.last_day[in_window] >= LAPSE_DAYS
    churned = np.bincount(index, weights=lapsed.astype(np.float64), minlength=width)

    rows = []
    for i in range(width):
        size = int(sizes[i])
        if not size:
            continue
        observed = width - i  # months 0 … this month
        retention: list[float | None] = [
            float(active[i, m]) / size if m < observed else None for m in range(width)
        ]
        rows.append(
            CohortRow(
                month=_month_start(first_cohort + i),
                customers=size,
                retention=retention,
                historical_clv=float(spend[i]) / size,
                churned=int(churned[i]),
            )
        )
    months = max((sum(v is not None for v in row.retention) for row in rows), default=0)
    rows = [CohortRow(**{**asdict(row), "retention": row.retention[:months]}) for row in rows]
    return CohortTable(rows=rows, months=months)


def _month_start(months_since_1970: int) -> date:
    return date(1970 + months_since_1970 // 12, months_since_1970 % 12 + 1, 1)
