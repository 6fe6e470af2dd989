"""Experiences over the API: the ledger read with filters, and new encounters recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cxloop.customers.models import StanceChange
from cxloop.experiences.models import Experience

from ..factories import (
    CustomerFactory,
    ExpectationFactory,
    ExperienceFactory,
    TouchpointFactory,
)

pytestmark = pytest.mark.django_db


def test_an_nps_answer_records_below_negative_and_makes_the_customer_a_prosecutor(alice_api):
    customer = CustomerFactory(workspace=alice_api.workspace)

    response = alice_api.post(
        "/experiences",
        {"source": "survey", "customer_id": customer.pk, "score": 3, "scale": "nps",
         "text": "  Кур'єр спізнився на два дні  ", "language": "uk"},
    )  # fmt: skip

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["outcome"], body["emotion"], body["customer_stance"]) == (
        "below",
        "negative",
        "prosecutor",
    )
    assert body["text"] == "Кур'єр спізнився на два дні"
    customer.refresh_from_db()
    assert customer.stance == "prosecutor"
    assert customer.last_experience_at is not None
    assert StanceChange.unscoped.get(customer=customer).experience_id == body["id"]


def test_a_staff_note_gives_its_outcome_and_finds_the_customer_by_external_id(agent_api):
    customer = CustomerFactory(workspace=agent_api.workspace, external_id="C-1")
    touchpoint = TouchpointFactory(workspace=agent_api.workspace)
    expectation = ExpectationFactory(workspace=agent_api.workspace, customer=customer)
    when = timezone.now() - timedelta(hours=2)

    response = agent_api.post(
        "/experiences",
        {"source": "staff_note", "customer_external_id": "C-1", "outcome": "exceeded",
         "touchpoint_id": touchpoint.pk, "expectation_id": expectation.pk,
         "occurred_at": when.isoformat()},
    )  # fmt: skip

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["customer_id"], body["emotion"], body["scale"]) == (customer.pk, "wow", None)
    assert (body["touchpoint_id"], body["expectation_id"]) == (touchpoint.pk, expectation.pk)
    assert body["customer_stance"] == "advocate"


def test_an_anonymous_signal_has_no_customer(alice_api):
    response = alice_api.post("/experiences", {"source": "review", "score": 5, "scale": "stars5"})

    assert response.status_code == 201
    assert (response.json()["customer_id"], response.json()["customer_stance"]) == (None, None)


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        ({"source": "survey", "score": 7}, "A score needs its scale (nps, csat, ces or stars5)."),
        ({"source": "survey", "score": 11, "scale": "nps"}, "11 is outside the nps scale (0–10)."),
        (
            {"source": "survey"},
            "Give a score with its scale, or an outcome: below, met or exceeded.",
        ),
    ],
)
def test_an_experience_that_cannot_be_recorded_is_a_422_with_the_services_sentence(
    alice_api, body, sentence
):
    response = alice_api.post("/experiences", body)

    assert response.status_code == 422
    assert response.json() == {"detail": sentence, "errors": []}
    assert not Experience.unscoped.exists()


def test_customer_id_and_external_id_together_are_refused(alice_api):
    customer = CustomerFactory(workspace=alice_api.workspace)

    response = alice_api.post(
        "/experiences",
        {"source": "survey", "outcome": "met", "customer_id": customer.pk,
         "customer_external_id": customer.external_id},
    )  # fmt: skip

    assert response.status_code == 422
    assert "not both" in response.json()["detail"]


@pytest.mark.parametrize("reference", ["customer_id", "customer_external_id", "touchpoint_id"])
def test_another_workspaces_customer_or_touchpoint_cannot_be_linked(alice_api, bob, reference):
    bobs_customer = CustomerFactory(workspace=bob.workspace, external_id="BOBS")
    bobs_touchpoint = TouchpointFactory(workspace=bob.workspace)
    value = {
        "customer_id": bobs_customer.pk,
        "customer_external_id": "BOBS",
        "touchpoint_id": bobs_touchpoint.pk,
    }[reference]

    response = alice_api.post(
        "/experiences", {"source": "survey", "outcome": "met", reference: value}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == reference
    assert not Experience.unscoped.exists()
    bobs_customer.refresh_from_db()
    assert bobs_customer.last_experience_at is None


def test_another_customers_expectation_cannot_be_linked(alice_api):
    olena = CustomerFactory(workspace=alice_api.workspace)
    tarases = ExpectationFactory(workspace=alice_api.workspace)

    response = alice_api.post(
        "/experiences",
        {"source": "staff_note", "outcome": "met", "customer_id": olena.pk,
         "expectation_id": tarases.pk},
    )  # fmt: skip

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "expectation_id"


def test_list_is_latest_first_and_filters(alice_api):
    ws = alice_api.workspace
    now = timezone.now()
    olena = CustomerFactory(workspace=ws, external_id="C-1")
    touchpoint = TouchpointFactory(workspace=ws)
    wow = ExperienceFactory(
        workspace=ws, customer=olena, nps=10, occurred_at=now - timedelta(days=1)
    )
    bad = ExperienceFactory(
        workspace=ws,
        customer=olena,
        nps=2,
        touchpoint=touchpoint,
        occurred_at=now - timedelta(days=2),
    )
    other = ExperienceFactory(
        workspace=ws, nps=8, source="review", occurred_at=now - timedelta(days=30)
    )

    def ids(**params):
        response = alice_api.get("/experiences", params)
        assert response.status_code == 200, response.content
        return [e["id"] for e in response.json()["items"]]

    assert ids() == [wow.pk, bad.pk, other.pk]
    assert ids(customer=olena.pk) == [wow.pk, bad.pk]
    assert ids(customer_external_id="C-1", emotion="negative") == [bad.pk]
    assert ids(touchpoint=touchpoint.pk) == [bad.pk]
    assert ids(source="review") == [other.pk]
    assert ids(outcome="exceeded") == [wow.pk]
    assert ids(occurred_after=(now - timedelta(days=3)).isoformat(),
               occurred_before=(now - timedelta(hours=36)).isoformat()) == [bad.pk]  # fmt: skip


def test_one_experience(alice_api):
    experience = ExperienceFactory(workspace=alice_api.workspace, text="<b>Дякую</b>")

    response = alice_api.get(f"/experiences/{experience.pk}")

    assert (response.json()["text"], response.json()["scale"]) == ("<b>Дякую</b>", "nps")
