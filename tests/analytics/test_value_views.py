"""refresh_clv stores what the Customer value page and the customer 360 show; both render it."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cxloop.analytics.models import CustomerValue, ValueSnapshot
from cxloop.analytics.value_services import refresh_clv
from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Customer, Order, Stance

from ..factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 30, 12, tzinfo=timezone.get_current_timezone())


def _shop(workspace, customers: int = 120, seed: int = 7) -> list[Customer]:
    """Customers who buy at their own pace for a year, some stopping; a few advocates."""
    rng = random.Random(seed)
    start = NOW - timedelta(days=365)
    with bind_workspace(workspace):
        rows = Customer.objects.bulk_create(
            [
                Customer(
                    external_id=f"S-{i}",
                    name=f"Shopper {i}",
                    stance=Stance.ADVOCATE if i % 6 == 0 else Stance.NEUTRAL,
                    created_at=start,
                )
                for i in range(customers)
            ]
        )
        Customer.objects.update(created_at=start)
        orders = []
        for customer in rows:
            day = rng.uniform(0, 300)
            rate = rng.uniform(5, 60)  # days between orders while active
            while day < 365:
                orders.append(
                    Order(
                        customer=customer,
                        external_id=f"{customer.external_id}-{len(orders)}",
                        placed_at=start + timedelta(days=day),
                        amount=Decimal(rng.randint(200, 900)),
                        status="delivered",
                    )
                )
                if rng.random() < 0.3:
                    break
                day += rng.expovariate(1 / rate)
        Order.objects.bulk_create(orders)
    return rows


def test_refresh_stores_a_snapshot_and_one_prediction_per_buyer(alice):
    _shop(alice.workspace)
    result = refresh_clv(alice.workspace, now=NOW)
    with bind_workspace(alice.workspace):
        buyers = Order.objects.values("customer_id").distinct().count()
        values = list(CustomerValue.objects.all())
    assert result.predictions == buyers == len(values)
    model = result.snapshot.model
    assert model["fitted"], model
    assert model["bgnbd"]["converged"]
    for value in values:
        assert 0 < value.probability_alive <= 1
        assert value.expected_purchases >= 0
        assert value.lifetime_value >= 0
        assert value.spent > 0
    one_timers = [v for v in values if v.repeat_purchases == 0]
    assert one_timers
    assert all(v.probability_alive == 1 for v in one_timers)  # BG/NBD: no repeat, no dropout yet
    assert result.snapshot.kpis["customers"] == buyers
    assert {c["key"] for c in result.snapshot.claims} == {
        "repeat_spend",
        "repeat_sale",
        "advocate_value",
    }


def test_a_second_refresh_replaces_the_predictions(alice):
    _shop(alice.workspace)
    first = refresh_clv(alice.workspace, now=NOW)
    second = refresh_clv(alice.workspace, now=NOW + timedelta(days=30))
    with bind_workspace(alice.workspace):
        assert CustomerValue.objects.count() == second.predictions == first.predictions
        assert ValueSnapshot.objects.count() == 2
        assert not CustomerValue.objects.filter(as_of=first.snapshot.as_of).exists()


def test_too_little_data_stores_the_reason_and_no_predictions(alice):
    customer = CustomerFactory(workspace=alice.workspace)
    OrderFactory(workspace=alice.workspace, customer=customer, placed_at=NOW - timedelta(days=9))
    result = refresh_clv(alice.workspace, now=NOW)
    assert result.predictions == 0
    assert result.snapshot.model["fitted"] is False
    assert "needs at least 5 customers who bought again" in result.snapshot.model["reason"]
    page = alice.client.get(reverse("analytics:value")).content.decode()
    assert "No model yet" in page


def test_the_command_refreshes_one_workspace(alice, bob):
    _shop(alice.workspace, customers=60)
    out = StringIO()
    call_command("refresh_clv", workspace="alice", stdout=out)
    assert "alice:" in out.getvalue()
    assert "model fitted" in out.getvalue()
    with bind_workspace(bob.workspace):
        assert not ValueSnapshot.objects.exists()


def test_the_page_needs_a_login(client):
    response = client.get(reverse("analytics:value"))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_the_page_before_any_refresh_says_how_it_gets_computed(alice):
    page = alice.client.get(reverse("analytics:value")).content.decode()
    assert "has not been computed for this workspace yet" in page


def test_the_page_shows_the_heatmap_kpis_model_and_claims(alice, django_assert_max_num_queries):
    _shop(alice.workspace)
    refresh_clv(alice.workspace, now=NOW)
    with django_assert_max_num_queries(12):
        response = alice.client.get(reverse("analytics:value"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="num heat heat-10"' in page  # month 0 of every cohort is 100 %
    assert "Repeat-purchase rate" in page
    assert "BG/NBD r" in page
    assert page.count("In your data:") == 3
    assert "95% CI" in page
    assert "Shopper" in page  # the highest predicted values, with links to the 360
    assert "style=" not in page  # CSP: colours come from classes


def test_the_360_shows_the_customers_predictions(alice):
    shoppers = _shop(alice.workspace)
    refresh_clv(alice.workspace, now=NOW)
    with bind_workspace(alice.workspace):
        value = CustomerValue.objects.filter(customer__in=shoppers).order_by("-pk").first()
    page = alice.client.get(reverse("customers:detail", args=[value.customer_id])).content.decode()
    assert "Expected purchases next 12 months" in page
    assert "Predicted lifetime value" in page
    assert "Probability still active" in page
    assert f"{round(value.probability_alive * 100)}%" in page


def test_the_360_of_a_customer_without_prediction_says_why(alice):
    customer = CustomerFactory(workspace=alice.workspace)
    page = alice.client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "No prediction: the customer has not bought yet" in page


def test_bob_sees_only_his_own_customer_value(alice, bob):
    _shop(alice.workspace, customers=60)
    with bind_workspace(alice.workspace):
        Customer.objects.update(name="ALICE-ONLY shopper")
    refresh_clv(alice.workspace, now=NOW)
    _shop(bob.workspace, customers=60, seed=8)
    refresh_clv(bob.workspace, now=NOW)
    page = bob.client.get(reverse("analytics:value")).content.decode()
    assert "ALICE-ONLY" not in page
    assert "Shopper" in page
    with bind_workspace(bob.workspace):
        bobs = ValueSnapshot.objects.get()
    assert bob.client.get(reverse("analytics:value")).context["value"].snapshot == bobs


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_a_manager_recomputes_now_through_the_background_task(
    alice, immediate_tasks, django_capture_on_commit_callbacks
):
    _shop(alice.workspace, customers=60)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.client.post(reverse("analytics:value_refresh"))
    assert response.status_code == 302
    assert response.url == reverse("analytics:value")
    with bind_workspace(alice.workspace):
        assert ValueSnapshot.objects.count() == 1
        assert CustomerValue.objects.exists()


def test_a_viewer_cannot_ask_for_a_recompute(alice):
    alice.membership.role = "viewer"
    alice.membership.save()
    assert alice.client.post(reverse("analytics:value_refresh")).status_code == 403
    assert "Recompute now" not in alice.client.get(reverse("analytics:value")).content.decode()
