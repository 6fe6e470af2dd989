"""Cohort triangle and value KPIs on a handful of customers computed by hand."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cxloop.analytics.cohorts import cohort_table, value_kpis
from cxloop.analytics.purchases import load_purchases
from cxloop.core.scoping import bind_workspace

from ..factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.get_current_timezone())


NOW = local(2026, 4, 15, 12)


@pytest.fixture
def shop(alice):
    """Five buyers, a customer whose only order was cancelled and one who never bought.

    - C1: 10 Jan (100), 5 Feb (50), 20 Mar (150), and 25 Mar (500) returned → cohort Jan 2026
    - C2: 20 Sep 2025 (200) → cohort Sep 2025, silent for 207 days: churned
    - C3: 25 Jan twice (80 + 20, one purchase), 1 Apr (60) → cohort Jan 2026
    - C4: 1 Feb 00:30 Kyiv time (still 31 Jan in UTC) (300), 28 Feb (100) → cohort Feb 2026
    - C5: 3 Mar (40), 10 Apr (40) → cohort Mar 2026
    """
    ws = alice.workspace
    plan = {
        "C1": [((2026, 1, 10, 12), "100"), ((2026, 2, 5, 12), "50"), ((2026, 3, 20, 12), "150"),
               ((2026, 3, 25, 12), "500", "returned")],
        "C2": [((2025, 9, 20, 12), "200")],
        "C3": [((2026, 1, 25, 10), "80"), ((2026, 1, 25, 18), "20"), ((2026, 4, 1, 12), "60")],
        "C4": [((2026, 2, 1, 0, 30), "300"), ((2026, 2, 28, 12), "100")],
        "C5": [((2026, 3, 3, 12), "40"), ((2026, 4, 10, 12), "40")],
        "C6": [((2026, 2, 1, 12), "999", "cancelled")],
    }  # fmt: skip
    customers = {}
    for name, orders in plan.items():
        customers[name] = CustomerFactory(workspace=ws, name=name)
        for when, amount, *status in orders:
            OrderFactory(
                workspace=ws,
                customer=customers[name],
                placed_at=local(*when),
                amount=Decimal(amount),
                status=status[0] if status else "delivered",
            )
    CustomerFactory(workspace=ws, name="C7 never bought")
    # An order after "now" is not history yet.
    OrderFactory(workspace=ws, customer=customers["C5"], placed_at=local(2026, 4, 20), amount=9)
    with bind_workspace(ws):
        return load_purchases(NOW), customers


def test_purchases_merge_same_day_orders_and_skip_cancelled_and_returned(shop):
    purchases, customers = shop
    history = purchases.per_customer()
    by_id = dict(zip(history.customer.tolist(), history.purchases.tolist(), strict=True))
    assert by_id == {customers["C1"].pk: 3, customers["C2"].pk: 1, customers["C3"].pk: 2,
                     customers["C4"].pk: 2, customers["C5"].pk: 2}  # fmt: skip
    assert purchases.orders == 11
    c3 = history.customer.tolist().index(customers["C3"].pk)
    assert history.first_amount[c3] == 100  # 80 + 20 on 25 January
    assert history.mean_repeat_value[c3] == 60


def test_value_kpis_by_hand(shop):
    purchases, _ = shop
    kpis = value_kpis(purchases)
    assert kpis.customers == 5
    assert kpis.orders == 11
    assert kpis.revenue == 1140  # 300 + 200 + 160 + 400 + 80
    assert kpis.average_order_value == pytest.approx(1140 / 11)
    assert kpis.purchase_frequency == pytest.approx(11 / 5)
    assert kpis.repeat_customers == 4  # everybody but C2
    assert kpis.repeat_rate == pytest.approx(0.8)
    assert kpis.churned == 1  # C2
    assert kpis.churn_rate == pytest.approx(0.2)
    assert kpis.historical_clv == pytest.approx(1140 / 5)


def test_cohort_triangle_by_hand(shop):
    purchases, _ = shop
    table = cohort_table(purchases)
    rows = {row.month: row for row in table.rows}
    assert list(rows) == [date(2025, 9, 1), date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert table.months == 8  # September to April
    assert rows[date(2025, 9, 1)].retention == [1, 0, 0, 0, 0, 0, 0, 0]
    half = pytest.approx(0.5)
    # January: C1 and C3; C1 again in February and March, C3 in April.
    assert rows[date(2026, 1, 1)].retention == [1, half, half, half, None, None, None, None]
    # February: C4 alone (its 00:30 order is February in Kyiv), twice within month 0 only.
    assert rows[date(2026, 2, 1)].retention == [1, 0, 0, None, None, None, None, None]
    assert rows[date(2026, 3, 1)].retention == [1, 1, None, None, None, None, None, None]
    assert [row.customers for row in table.rows] == [1, 2, 1, 1]
    assert rows[date(2026, 1, 1)].historical_clv == pytest.approx(230)  # (300 + 160) / 2
    assert rows[date(2026, 2, 1)].historical_clv == pytest.approx(400)
    assert rows[date(2025, 9, 1)].churned == 1
    assert rows[date(2025, 9, 1)].churn_rate == 1


def test_cohort_table_survives_its_json_round_trip(shop):
    purchases, _ = shop
    table = cohort_table(purchases)
    assert type(table).from_json(table.to_json()) == table


def test_only_the_latest_cohorts_are_kept(shop):
    purchases, _ = shop
    table = cohort_table(purchases, max_cohorts=2)  # March and April 2026
    assert [row.month for row in table.rows] == [date(2026, 3, 1)]
    assert table.rows[0].retention == [1, 1]


def test_a_workspace_without_orders_has_empty_figures(bob):
    with bind_workspace(bob.workspace):
        purchases = load_purchases(NOW)
    assert cohort_table(purchases).rows == []
    kpis = value_kpis(purchases)
    assert kpis.customers == 0
    assert kpis.average_order_value is None
    assert kpis.repeat_rate is None
