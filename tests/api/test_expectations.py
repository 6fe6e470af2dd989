"""Expectations and WOW plan steps over the API.

An expectation is *individual* (one customer's) or *general* (a segment's or a touchpoint's); the
database refuses any other combination, and the API says so in a sentence before it gets there.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from cxloop.customers.models import Expectation, WowPlanItem

from ..factories import (
    CustomerFactory,
    ExpectationFactory,
    MembershipFactory,
    SegmentFactory,
    TouchpointFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- expectations -----------------------------------------------------------------------------


def test_an_individual_expectation_is_noted_by_the_tokens_member(alice_api):
    customer = CustomerFactory(workspace=alice_api.workspace)

    response = alice_api.post(
        "/expectations",
        {"kind": "individual", "customer_id": customer.pk, "text": "  Prefers   a call first "},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["text"], body["source"], body["noted_by_id"]) == (
        "Prefers a call first",
        "staff",
        alice_api.tenant.user.pk,
    )
    assert body["noted_on"] == timezone.localdate().isoformat()


def test_a_general_expectation_belongs_to_a_segment_and_a_touchpoint(alice_api):
    segment = SegmentFactory(workspace=alice_api.workspace)
    touchpoint = TouchpointFactory(workspace=alice_api.workspace)

    response = alice_api.post(
        "/expectations",
        {"kind": "general", "segment_id": segment.pk, "touchpoint_id": touchpoint.pk,
         "text": "Delivery within two days", "noted_on": "2026-01-15"},
    )  # fmt: skip

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["segment_id"], body["touchpoint_id"], body["customer_id"]) == (
        segment.pk,
        touchpoint.pk,
        None,
    )
    assert (body["source"], body["noted_on"]) == ("research", "2026-01-15")


@pytest.mark.parametrize(
    ("given", "sentence"),
    [
        ({"kind": "individual"}, "An individual expectation belongs to one customer"),
        ({"kind": "individual", "customer_id": 1, "segment_id": 1}, "belongs to its customer only"),
        ({"kind": "general"}, "A general expectation belongs to a segment or a touchpoint"),
        ({"kind": "general", "customer_id": 1, "segment_id": 1}, "not for one customer"),
    ],
)
def test_a_kind_without_its_owner_is_a_422_sentence_never_an_integrity_error(
    alice_api, given, sentence
):
    response = alice_api.post("/expectations", {"text": "Something", **given})

    assert response.status_code == 422
    assert sentence in response.json()["detail"]
    assert not Expectation.unscoped.exists()


@pytest.mark.parametrize("reference", ["customer_id", "segment_id", "touchpoint_id"])
def test_another_workspaces_rows_cannot_own_an_expectation(alice_api, bob, reference):
    kind = "individual" if reference == "customer_id" else "general"
    bobs = {
        "customer_id": lambda: CustomerFactory(workspace=bob.workspace),
        "segment_id": lambda: SegmentFactory(workspace=bob.workspace),
        "touchpoint_id": lambda: TouchpointFactory(workspace=bob.workspace),
    }[reference]()

    response = alice_api.post("/expectations", {"kind": kind, "text": "X", reference: bobs.pk})

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": reference, "message": response.json()["detail"]}]
    assert not Expectation.unscoped.exists()


def test_list_filters_by_kind_owner_and_activity(alice_api):
    ws = alice_api.workspace
    customer = CustomerFactory(workspace=ws)
    segment = SegmentFactory(workspace=ws)
    mine = ExpectationFactory(workspace=ws, customer=customer)
    retired = ExpectationFactory(workspace=ws, customer=customer, active=False)
    general = ExpectationFactory(workspace=ws, kind="general", customer=None, segment=segment)

    def ids(**params):
        return {e["id"] for e in alice_api.get("/expectations", params).json()["items"]}

    assert ids() == {mine.pk, retired.pk, general.pk}
    assert ids(customer=customer.pk, active=True) == {mine.pk}
    assert ids(kind="general") == ids(segment=segment.pk) == {general.pk}


def test_patch_rewords_and_retires_an_expectation(alice_api):
    expectation = ExpectationFactory(workspace=alice_api.workspace, text="Old words")

    response = alice_api.patch(
        f"/expectations/{expectation.pk}", {"text": "New words", "active": False}
    )

    assert response.status_code == 200, response.content
    expectation.refresh_from_db()
    assert (expectation.text, expectation.active) == ("New words", False)
    assert alice_api.patch(f"/expectations/{expectation.pk}", {"active": True}).json()["active"]


def test_one_expectation(alice_api):
    expectation = ExpectationFactory(workspace=alice_api.workspace)

    assert alice_api.get(f"/expectations/{expectation.pk}").json()["text"] == expectation.text


# --- WOW plan steps ---------------------------------------------------------------------------


def test_a_wow_step_is_planned_for_a_customer_with_an_owner_and_an_expectation(alice_api):
    customer = CustomerFactory(workspace=alice_api.workspace)
    expectation = ExpectationFactory(workspace=alice_api.workspace, customer=customer)

    response = alice_api.post(
        "/wow-plan-steps",
        {"customer_id": customer.pk, "action": "Handwritten thank-you note", "due_on": "2026-05-01",
         "owner_id": alice_api.tenant.user.pk, "expectation_id": expectation.pk},
    )  # fmt: skip

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["owner_id"], body["expectation_id"], body["done_on"]) == (
        alice_api.tenant.user.pk,
        expectation.pk,
        None,
    )


def test_the_owner_must_be_a_member_of_this_workspace(alice_api, bob):
    customer = CustomerFactory(workspace=alice_api.workspace)

    response = alice_api.post(
        "/wow-plan-steps",
        {"customer_id": customer.pk, "action": "Call", "due_on": "2026-05-01",
         "owner_id": bob.user.pk},
    )  # fmt: skip

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "owner_id"


def test_a_wow_step_cannot_use_another_customers_expectation(alice_api):
    customer = CustomerFactory(workspace=alice_api.workspace)
    someone_elses = ExpectationFactory(workspace=alice_api.workspace)

    response = alice_api.post(
        "/wow-plan-steps",
        {"customer_id": customer.pk, "action": "Call", "due_on": "2026-05-01",
         "expectation_id": someone_elses.pk},
    )  # fmt: skip

    assert response.status_code == 422
    assert response.json()["detail"] == "That expectation belongs to another customer."


@pytest.mark.parametrize("reference", ["customer_id", "expectation_id"])
def test_a_wow_step_cannot_link_another_workspaces_rows(alice_api, bob, reference):
    customer = CustomerFactory(workspace=alice_api.workspace)
    bobs = ExpectationFactory(workspace=bob.workspace)
    body = {"customer_id": customer.pk, "action": "Call", "due_on": "2026-05-01"}
    body[reference] = bobs.customer_id if reference == "customer_id" else bobs.pk

    response = alice_api.post("/wow-plan-steps", body)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == reference
    assert not WowPlanItem.unscoped.exists()


def _step(alice_api, **kwargs) -> int:
    customer = kwargs.pop("customer", None) or CustomerFactory(workspace=alice_api.workspace)
    response = alice_api.post(
        "/wow-plan-steps",
        {"customer_id": customer.pk, "action": "Call", "due_on": "2026-05-01", **kwargs},
    )
    return response.json()["id"]


def test_marking_a_step_done_records_today_and_whether_it_made_a_wow(alice_api):
    step = _step(alice_api)

    response = alice_api.patch(f"/wow-plan-steps/{step}", {"done": True, "produced_wow": True})

    assert response.status_code == 200, response.content
    assert response.json()["done_on"] == timezone.localdate().isoformat()
    assert response.json()["produced_wow"] is True
    reopened = alice_api.patch(f"/wow-plan-steps/{step}", {"done": False}).json()
    assert (reopened["done_on"], reopened["produced_wow"]) == (None, None)


def test_produced_wow_needs_the_step_done_first(alice_api):
    step = _step(alice_api)

    response = alice_api.patch(f"/wow-plan-steps/{step}", {"produced_wow": True})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "produced_wow"


def test_a_step_is_rescheduled_and_handed_to_another_member(alice_api):
    agent = MembershipFactory(workspace=alice_api.workspace, user=UserFactory(), role="agent")
    step = _step(alice_api)

    response = alice_api.patch(
        f"/wow-plan-steps/{step}", {"due_on": "2026-06-01", "owner_id": agent.user.pk}
    )

    assert (response.json()["due_on"], response.json()["owner_id"]) == ("2026-06-01", agent.user.pk)
    assert WowPlanItem.unscoped.get(pk=step).due_on == date(2026, 6, 1)


def test_steps_list_by_due_date_per_customer_and_open_or_done(alice_api):
    customer = CustomerFactory(workspace=alice_api.workspace)
    later = _step(alice_api, customer=customer, due_on="2026-07-01")
    sooner = _step(alice_api, customer=customer, due_on="2026-06-01")
    done = _step(alice_api, customer=customer, due_on="2026-05-01")
    _step(alice_api)  # another customer's
    alice_api.patch(f"/wow-plan-steps/{done}", {"done": True})

    def ids(**params):
        return [s["id"] for s in alice_api.get("/wow-plan-steps", params).json()["items"]]

    assert ids(customer=customer.pk) == [done, sooner, later]
    assert ids(customer=customer.pk, done=False) == [sooner, later]
    assert ids(customer=customer.pk, done=True) == [done]
    assert ids(customer=customer.pk, due_before="2026-06-15") == [done, sooner]
    assert alice_api.get(f"/wow-plan-steps/{later}").json()["due_on"] == "2026-07-01"
