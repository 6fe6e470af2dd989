"""Orders over the API: list with filters, read one, bulk upsert by external id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Customer, LifecyclePhase, Order

from ..factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [o["external_id"] for o in response.json()["items"]]


def test_list_is_newest_first_with_the_customers_external_id(alice_api):
    olena = CustomerFactory(workspace=alice_api.workspace, external_id="C-1")
    OrderFactory(workspace=alice_api.workspace, customer=olena, external_id="O-1", placed_at=WHEN)
    OrderFactory(
        workspace=alice_api.workspace,
        customer=olena,
        external_id="O-2",
        placed_at=WHEN + timedelta(days=1),
        amount=Decimal("99.90"),
    )

    response = alice_api.get("/orders")

    assert _ids(response) == ["O-2", "O-1"]
    newest = response.json()["items"][0]
    assert (newest["customer_id"], newest["customer_external_id"]) == (olena.pk, "C-1")
    assert Decimal(newest["amount"]) == Decimal("99.90")


def test_list_filters_by_customer_time_and_status(alice_api):
    ws = alice_api.workspace
    olena = CustomerFactory(workspace=ws, external_id="C-1")
    taras = CustomerFactory(workspace=ws, external_id="C-2")
    OrderFactory(
        workspace=ws, customer=olena, external_id="O-1", placed_at=WHEN, status="delivered"
    )
    OrderFactory(
        workspace=ws, customer=olena, external_id="O-2", placed_at=WHEN - timedelta(days=40)
    )
    OrderFactory(
        workspace=ws, customer=taras, external_id="O-3", placed_at=WHEN, status="delivered"
    )

    assert _ids(alice_api.get("/orders", {"customer": olena.pk})) == ["O-1", "O-2"]
    assert _ids(alice_api.get("/orders", {"customer_external_id": "C-2"})) == ["O-3"]
    assert _ids(
        alice_api.get(
            "/orders",
            {
                "customer": olena.pk,
                "placed_after": (WHEN - timedelta(days=1)).isoformat(),
                "placed_before": (WHEN + timedelta(days=1)).isoformat(),
                "status": "delivered",
            },
        )
    ) == ["O-1"]


def test_a_time_without_an_offset_is_read_in_the_server_time_zone(alice_api, settings):
    ws = alice_api.workspace
    # 12:00 UTC is 14:00 in Kyiv (winter time): an order placed at 13:30 Kyiv time is before it.
    OrderFactory(workspace=ws, external_id="O-1", placed_at=WHEN)

    assert settings.TIME_ZONE == "Europe/Kyiv"
    assert _ids(alice_api.get("/orders", {"placed_after": "2026-03-01T13:30"})) == ["O-1"]
    assert _ids(alice_api.get("/orders", {"placed_after": "2026-03-01T14:30"})) == []


def test_one_order(alice_api):
    order = OrderFactory(workspace=alice_api.workspace, external_id="O-7")

    response = alice_api.get(f"/orders/{order.pk}")

    assert response.json()["external_id"] == "O-7"


def test_bulk_imports_orders_reports_unknown_customers_and_refreshes_the_lifecycle(alice_api):
    CustomerFactory(workspace=alice_api.workspace, external_id="C-1")
    rows = [
        {"external_id": "O-1", "customer_external_id": "C-1", "placed_at": WHEN.isoformat(),
         "amount": "350.00", "status": "delivered", "items": [{"sku": "BOOK-1", "qty": 1}]},
        {"external_id": "O-2", "customer_external_id": "NOPE", "placed_at": WHEN.isoformat(),
         "amount": "10.00"},
        {"external_id": "O-3", "customer_external_id": "C-1", "placed_at": "yesterday",
         "amount": "1.00"},
        {"external_id": "O-4", "customer_external_id": "C-1", "placed_at": WHEN.isoformat(),
         "amount": "12.345"},
        {"external_id": "O-5", "customer_external_id": "C-1",
         "placed_at": (WHEN + timedelta(days=2)).isoformat(), "amount": 99.9, "currency": "EUR"},
    ]  # fmt: skip

    response = alice_api.post("/orders/bulk", {"rows": rows})

    body = response.json()
    assert response.status_code == 200
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    assert [(e["index"], e["external_id"]) for e in body["errors"]] == [
        (1, "O-2"),
        (2, "O-3"),
        (3, "O-4"),
    ]
    assert "'NOPE'" in body["errors"][0]["message"]
    assert body["errors"][1]["message"].startswith("placed_at: ")
    assert body["errors"][2]["message"].startswith("amount: ")
    with bind_workspace(alice_api.workspace):
        assert Order.objects.get(external_id="O-5").currency == "EUR"
        customer = Customer.objects.get(external_id="C-1")
    assert customer.first_purchase_at == WHEN
    assert customer.lifecycle_phase != LifecyclePhase.PROSPECT


def test_bulk_orders_twice_changes_nothing_the_second_time(alice_api):
    CustomerFactory(workspace=alice_api.workspace, external_id="C-1")
    rows = [
        {"external_id": f"O-{i}", "customer_external_id": "C-1",
         "placed_at": (WHEN + timedelta(hours=i)).isoformat(), "amount": "100.00"}
        for i in range(20)
    ]  # fmt: skip

    first = alice_api.post("/orders/bulk", {"rows": rows}).json()
    second = alice_api.post("/orders/bulk", {"rows": rows}).json()

    assert (first["created"], first["updated"]) == (20, 0)
    assert second == {"created": 0, "updated": 0, "unchanged": 20, "errors": []}


def test_bulk_orders_cannot_reach_another_workspaces_customer(alice_api, bob):
    CustomerFactory(workspace=bob.workspace, external_id="BOBS")
    row = {"external_id": "O-1", "customer_external_id": "BOBS", "placed_at": WHEN.isoformat(),
           "amount": "1.00"}  # fmt: skip

    body = alice_api.post("/orders/bulk", {"rows": [row]}).json()

    assert body["created"] == 0
    assert body["errors"][0]["index"] == 0
    assert not Order.unscoped.exists()


def test_bulk_orders_take_at_most_a_thousand_rows(alice_api):
    row = {"external_id": "O", "customer_external_id": "C", "placed_at": WHEN.isoformat(),
           "amount": "1"}  # fmt: skip

    response = alice_api.post("/orders/bulk", {"rows": [row] * 1001})

    assert response.status_code == 413
