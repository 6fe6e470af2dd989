"""Upserting customers and orders by external id: the engine under imports and the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cxloop.core.scoping import bind_workspace
from cxloop.customers.imports import bulk
from cxloop.customers.models import Customer, LifecyclePhase, Order, Segment
from cxloop.customers.services import CustomerInput, OrderInput, upsert_customers, upsert_orders

pytestmark = pytest.mark.django_db


def test_new_customers_are_created_with_their_segment(alice):
    with bind_workspace(alice.workspace):
        result = upsert_customers(
            [
                CustomerInput("C1", name="Олена", email="olena@ukr.net", segment="Батьки"),
                CustomerInput("C2", name="Taras", segment="Батьки"),
            ]
        )
        assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
        assert Segment.objects.get().name == "Батьки"
        assert Customer.objects.get(external_id="C1").segment.name == "Батьки"


def test_reimporting_the_same_rows_changes_nothing(alice):
    rows = [CustomerInput(f"C{i}", name=f"Name {i}", email=f"c{i}@x.ua") for i in range(50)]
    with bind_workspace(alice.workspace):
        upsert_customers(rows)
        again = upsert_customers(rows)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 50)


def test_a_batch_of_new_and_stored_rows_reports_only_the_customers_who_change_segment(alice):
    """The merge's third figure feeds the rollups: stored customers given another segment,
    never the new ones nor those whose segment stays or is not given."""
    with bind_workspace(alice.workspace):
        upsert_customers(
            [
                CustomerInput("MOVES", segment="Батьки"),
                CustomerInput("STAYS", segment="Батьки"),
                CustomerInput("KEEPS", segment="Батьки"),
                CustomerInput("JOINS"),
            ]
        )
        students = Segment.objects.create(name="Студенти")
        parents = Segment.objects.get(name="Батьки")
        stored = dict(Customer.objects.values_list("external_id", "pk"))
        merge = bulk.upsert_customers(
            alice.workspace.pk,
            [
                ("MOVES", None, None, None, None, students.pk, None, None),
                ("STAYS", None, None, None, None, parents.pk, None, None),
                ("KEEPS", "New name", None, None, None, None, None, None),
                ("JOINS", None, None, None, None, students.pk, None, None),
                ("NEW", None, None, None, None, students.pk, None, None),
            ],
        )
        assert (merge.created, merge.updated) == (1, 3)
        assert sorted(merge.moved) == sorted([stored["MOVES"], stored["JOINS"]])
        assert Customer.objects.get(external_id="KEEPS").segment == parents


def test_fields_not_given_keep_their_stored_value(alice):
    with bind_workspace(alice.workspace):
        upsert_customers([CustomerInput("C1", name="Olena", email="o@x.ua", phone="+380501112233")])
        result = upsert_customers([CustomerInput("C1", email="new@x.ua")])
        customer = Customer.objects.get(external_id="C1")
    assert result.updated == 1
    assert (customer.name, customer.email, customer.phone) == ("Olena", "new@x.ua", "+380501112233")


def test_a_repeated_id_in_one_batch_keeps_the_last_row(alice):
    with bind_workspace(alice.workspace):
        upsert_customers([CustomerInput("C1", name="First"), CustomerInput("C1", name="Last")])
        assert Customer.objects.get(external_id="C1").name == "Last"


def test_orders_of_unknown_customers_are_reported_and_the_rest_imported(alice):
    when = datetime(2026, 10, 1, 12, tzinfo=UTC)
    with bind_workspace(alice.workspace):
        upsert_customers([CustomerInput("C1", name="Olena")])
        result = upsert_orders(
            [
                OrderInput("O1", "C1", when, Decimal("350.00")),
                OrderInput("O2", "NOPE", when, Decimal("10.00")),
                OrderInput("O3", "C1", when + timedelta(days=20), Decimal("99.90")),
            ]
        )
        assert result.created == 2
        assert [(e.index, e.external_id) for e in result.errors] == [(1, "O2")]
        assert "NOPE" in result.errors[0].message
        assert Order.objects.count() == 2


def test_orders_set_purchase_dates_and_the_lifecycle_phase(alice):
    now = timezone.now()
    with bind_workspace(alice.workspace):
        upsert_customers([CustomerInput("NEW"), CustomerInput("OLD"), CustomerInput("GONE")])
        upsert_orders(
            [
                OrderInput("O1", "NEW", now - timedelta(days=10), Decimal(1)),
                OrderInput("O2", "OLD", now - timedelta(days=400), Decimal(1)),
                OrderInput("O3", "OLD", now - timedelta(days=30), Decimal(1)),
                OrderInput("O4", "GONE", now - timedelta(days=300), Decimal(1)),
            ]
        )
        phases = dict(Customer.objects.values_list("external_id", "lifecycle_phase"))
        old = Customer.objects.get(external_id="OLD")
    assert phases == {
        "NEW": LifecyclePhase.ONBOARDING,
        "OLD": LifecyclePhase.ACTIVE,
        "GONE": LifecyclePhase.LAPSED,
    }
    assert old.first_purchase_at == now - timedelta(days=400)
    assert old.last_purchase_at == now - timedelta(days=30)


def test_reimporting_orders_changes_nothing(alice):
    when = datetime(2026, 10, 1, 12, tzinfo=UTC)
    rows = [OrderInput(f"O{i}", "C1", when, Decimal("10.50")) for i in range(20)]
    with bind_workspace(alice.workspace):
        upsert_customers([CustomerInput("C1")])
        upsert_orders(rows)
        again = upsert_orders(rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 20)


def test_upserts_never_touch_another_workspace(alice, bob):
    with bind_workspace(bob.workspace):
        upsert_customers([CustomerInput("C1", name="Bob's")])
    with bind_workspace(alice.workspace):
        result = upsert_customers([CustomerInput("C1", name="Alice's")])
    assert result.created == 1
    assert Customer.unscoped.get(workspace=bob.workspace).name == "Bob's"
