"""Journeys and touchpoints over the REST API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cxloop.accounts.models import Role
from cxloop.accounts.services import issue_token
from cxloop.journeys.models import Touchpoint

from ..conftest import make_tenant
from ..factories import DepartmentFactory, JourneyFactory, StageFactory, TouchpointFactory


def bearer(tenant) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(tenant.membership, 'script').secret}"}


@pytest.fixture
def journey(alice):
    journey = JourneyFactory(workspace=alice.workspace, name="Buying a book")
    second = StageFactory(workspace=alice.workspace, journey=journey, position=2, name="Receive")
    first = StageFactory(workspace=alice.workspace, journey=journey, position=1, name="Buy")
    delivery = DepartmentFactory(workspace=alice.workspace, name="Delivery")
    TouchpointFactory(
        workspace=alice.workspace, stage=second, name="Courier", owner_department=delivery
    )
    TouchpointFactory(workspace=alice.workspace, stage=first, name="Checkout")
    return journey


def test_list_journeys_with_stages_and_touchpoints_in_order(
    alice, journey, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = alice.client.get(reverse("api:list_journeys"), **bearer(alice))
    assert response.status_code == 200
    (found,) = response.json()
    assert [s["name"] for s in found["stages"]] == ["Buy", "Receive"]
    courier = found["stages"][1]["touchpoints"][0]
    assert courier["name"] == "Courier"
    assert courier["owner_department"] == "Delivery"
    assert courier["journey_id"] == journey.pk


def test_get_one_journey(alice, journey):
    response = alice.client.get(
        reverse("api:get_journey", kwargs={"journey_id": journey.pk}), **bearer(alice)
    )
    assert response.json()["name"] == "Buying a book"


def test_list_touchpoints_by_name_filtered_by_journey(alice, journey):
    TouchpointFactory(workspace=alice.workspace, name="Elsewhere")
    url = reverse("api:list_touchpoints")
    everything = alice.client.get(url, **bearer(alice)).json()
    assert [t["name"] for t in everything["items"]] == ["Checkout", "Courier", "Elsewhere"]
    only = alice.client.get(url, {"journey": journey.pk}, **bearer(alice)).json()
    assert [t["name"] for t in only["items"]] == ["Checkout", "Courier"]


def test_a_manager_creates_a_touchpoint(alice, journey):
    stage = StageFactory(workspace=alice.workspace, journey=journey, position=3)
    response = alice.client.post(
        reverse("api:create_touchpoint"),
        {"stage_id": stage.pk, "name": "Review site", "channel": "review_site"},
        content_type="application/json",
        **bearer(alice),
    )
    assert response.status_code == 201, response.content
    assert response.json()["channel"] == "review_site"
    assert Touchpoint.unscoped.get(name="Review site").workspace == alice.workspace


def test_a_viewer_may_not_create_touchpoints(db):
    viewer = make_tenant("Vira", role=Role.VIEWER)
    stage = StageFactory(workspace=viewer.workspace)
    response = viewer.client.post(
        reverse("api:create_touchpoint"),
        {"stage_id": stage.pk, "name": "Nope"},
        content_type="application/json",
        **bearer(viewer),
    )
    assert response.status_code == 403
    assert not Touchpoint.unscoped.filter(name="Nope").exists()


def test_conflicts_and_bad_references_say_what_to_fix(alice, bob, journey):
    stage = StageFactory(workspace=alice.workspace, journey=journey, position=3)
    url = reverse("api:create_touchpoint")
    cases = [
        ({"stage_id": stage.pk, "name": "Checkout"}, 409, "exists already"),
        (
            {"stage_id": StageFactory(workspace=bob.workspace).pk, "name": "X"},
            422,
            "no stage with id",
        ),
        (
            {
                "stage_id": stage.pk,
                "name": "X",
                "owner_department_id": DepartmentFactory(workspace=bob.workspace).pk,
            },
            422,
            "no department with id",
        ),
        ({"stage_id": stage.pk, "name": "X", "channel": "carrier pigeon"}, 422, "channel"),
    ]
    for body, status, words in cases:
        response = alice.client.post(url, body, content_type="application/json", **bearer(alice))
        assert response.status_code == status, body
        assert words in response.content.decode().lower()
    assert not Touchpoint.unscoped.filter(name="X").exists()
