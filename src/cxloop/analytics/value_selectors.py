"""Read side of customer value: the latest snapshot for the page, one customer's predictions."""

from __future__ import annotations

from dataclasses import dataclass

from cxloop.customers.models import Customer

from .claims import Claim
from .cohorts import CohortRow, CohortTable, ValueKpis
from .models import CustomerValue, ValueSnapshot

# Upper bounds (in %) of the heatmap's colour buckets: retention after the first month is
# usually a few per cent, so the scale is finer at the bottom.
HEAT_BUCKETS = (0, 2, 5, 10, 15, 20, 30, 40, 60, 80, 100)


@dataclass(frozen=True)
class HeatCell:
    percent: float | None  # None: the month has not begun
    bucket: int  # CSS class heat-<bucket>


@dataclass(frozen=True)
class CohortLine:
    row: CohortRow
    cells: list[HeatCell]


@dataclass(frozen=True)
class CustomerValueView:
    snapshot: ValueSnapshot
    kpis: ValueKpis
    cohorts: CohortTable
    lines: list[CohortLine]
    claims: dict[str, Claim]
    model: dict
    top_customers: list[CustomerValue]


def heat_bucket(percent: float) -> int:
    for index, bound in enumerate(HEAT_BUCKETS):
        if percent <= bound:
            return index
    return len(HEAT_BUCKETS) - 1


def latest_snapshot() -> ValueSnapshot | None:
    return ValueSnapshot.objects.order_by("-as_of", "-pk").first()


def customer_value_view(top: int = 10) -> CustomerValueView | None:
    """Everything the Customer value page shows, from the latest snapshot (two queries)."""
    snapshot = latest_snapshot()
    if snapshot is None:
        return None
    cohorts = CohortTable.from_json(snapshot.cohorts)
    lines = [
        CohortLine(
            row=row,
            cells=[
                HeatCell(None, 0)
                if share is None
                else HeatCell(share * 100, heat_bucket(share * 100))
                for share in row.retention
            ],
        )
        for row in reversed(cohorts.rows)
    ]
    claims = {c.key: c for c in (Claim.from_json(item) for item in snapshot.claims)}
    top_customers = list(
        CustomerValue.objects.select_related("customer").order_by("-lifetime_value", "pk")[:top]
    )
    return CustomerValueView(
        snapshot=snapshot,
        kpis=ValueKpis(**snapshot.kpis),
        cohorts=cohorts,
        lines=lines,
        claims=claims,
        model=snapshot.model,
        top_customers=top_customers,
    )


def predicted_value_of(customer: Customer) -> CustomerValue | None:
    """The customer's predictions from the latest refresh, or None (no purchase, no fit yet)."""
    return CustomerValue.objects.filter(customer=customer).first()
