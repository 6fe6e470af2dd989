"""Customers over the API: list with filters, read, add, change, and bulk upsert by external id."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Customer, Segment

from ..factories import CustomerFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["name"] for c in response.json()["items"]]


# --- reading ---------------------------------------------------------------------------------


def test_list_is_ordered_by_name_and_carries_the_customer_360_fields(alice_api):
    segment = SegmentFactory(workspace=alice_api.workspace, name="Батьки")
    CustomerFactory(workspace=alice_api.workspace, name="Тарас", segment=segment, stance="advocate")
    CustomerFactory(workspace=alice_api.workspace, name="Олена")

    response = alice_api.get("/customers")

    assert _names(response) == ["Олена", "Тарас"]
    taras = response.json()["items"][1]
    assert (taras["segment"], taras["segment_id"], taras["stance"]) == (
        "Батьки",
        segment.pk,
        "advocate",
    )
    assert response.json()["items"][0]["stance"] is None  # not known yet
    assert response.json()["next_cursor"] is None


def test_list_filters_combine(alice_api):
    now = timezone.now()
    ws = alice_api.workspace
    segment = SegmentFactory(workspace=ws)
    CustomerFactory(
        workspace=ws, name="Match", segment=segment, stance="prosecutor", language="ru",
        lifecycle_phase="onboarding", last_experience_at=now - timedelta(days=3),
    )  # fmt: skip
    CustomerFactory(workspace=ws, name="Other segment", stance="prosecutor", language="ru")
    CustomerFactory(
        workspace=ws, name="Too old", segment=segment, stance="prosecutor", language="ru",
        lifecycle_phase="onboarding", last_experience_at=now - timedelta(days=40),
    )  # fmt: skip
    params = {
        "segment": segment.pk,
        "stance": "prosecutor",
        "language": "ru",
        "lifecycle_phase": "onboarding",
        "last_experience_after": (now - timedelta(days=7)).isoformat(),
        "last_experience_before": now.isoformat(),
    }

    assert _names(alice_api.get("/customers", params)) == ["Match"]


def test_search_finds_part_of_a_name_or_the_exact_external_id(alice_api):
    CustomerFactory(workspace=alice_api.workspace, name="Олена Коваленко", external_id="SHOP-1")
    CustomerFactory(workspace=alice_api.workspace, name="Taras", external_id="SHOP-2")

    assert _names(alice_api.get("/customers", {"q": "Коваленко"})) == ["Олена Коваленко"]
    assert _names(alice_api.get("/customers", {"q": "SHOP-2"})) == ["Taras"]


def test_stance_unknown_lists_customers_without_one(alice_api):
    CustomerFactory(workspace=alice_api.workspace, name="Known", stance="neutral")
    CustomerFactory(workspace=alice_api.workspace, name="Unknown")

    assert _names(alice_api.get("/customers", {"stance": "unknown"})) == ["Unknown"]


def test_a_filter_value_outside_its_choices_is_a_422_naming_the_parameter(alice_api):
    response = alice_api.get("/customers", {"stance": "angry"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "stance"


def test_one_customer(alice_api):
    customer = CustomerFactory(workspace=alice_api.workspace, name="Олена")

    response = alice_api.get(f"/customers/{customer.pk}")

    assert response.status_code == 200
    assert response.json()["external_id"] == customer.external_id


def test_an_unknown_id_is_a_404_in_the_error_shape(alice_api):
    response = alice_api.get("/customers/999999")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "No customer with id 999999 in this workspace.",
        "errors": [],
    }


def test_markup_in_a_name_comes_back_as_a_json_string_not_html(alice_api):
    CustomerFactory(workspace=alice_api.workspace, name="<script>alert(1)</script>")

    response = alice_api.get("/customers")

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["items"][0]["name"] == "<script>alert(1)</script>"
    assert b"&lt;script" not in response.content


# --- adding and changing -----------------------------------------------------------------------


def test_an_agent_adds_a_customer_in_the_workspace_language(agent_api):
    segment = SegmentFactory(workspace=agent_api.workspace)
    agent_api.workspace.default_language = "ru"
    agent_api.workspace.save()

    response = agent_api.post(
        "/customers",
        {
            "external_id": " C-1 ",
            "name": "Олена",
            "email": "olena@ukr.net",
            "segment_id": segment.pk,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["external_id"], body["language"], body["segment"]) == ("C-1", "ru", segment.name)
    with bind_workspace(agent_api.workspace):
        assert Customer.objects.get(pk=body["id"]).email == "olena@ukr.net"


def test_adding_an_external_id_that_exists_is_a_409(alice_api):
    CustomerFactory(workspace=alice_api.workspace, external_id="C-1")

    response = alice_api.post("/customers", {"external_id": "C-1", "name": "Again"})

    assert response.status_code == 409
    assert "C-1" in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "external_id"


def test_the_same_external_id_in_another_workspace_is_no_conflict(alice_api, bob):
    CustomerFactory(workspace=bob.workspace, external_id="C-1")

    assert alice_api.post("/customers", {"external_id": "C-1", "name": "Mine"}).status_code == 201


def test_invalid_fields_are_a_422_with_every_field_named(alice_api):
    response = alice_api.post(
        "/customers", {"external_id": "", "name": "X", "email": "not-an-email", "language": "de"}
    )

    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"external_id", "email", "language"}
    assert response.json()["detail"].startswith("external_id: ")


def test_another_workspaces_segment_cannot_be_linked(alice_api, bob):
    bobs_segment = SegmentFactory(workspace=bob.workspace)

    response = alice_api.post(
        "/customers", {"external_id": "C-1", "name": "X", "segment_id": bobs_segment.pk}
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "segment_id",
            "message": f"No segment with id {bobs_segment.pk} in this workspace.",
        }
    ]
    assert not Customer.unscoped.filter(external_id="C-1").exists()


def test_patch_changes_only_the_fields_sent(alice_api):
    segment = SegmentFactory(workspace=alice_api.workspace)
    customer = CustomerFactory(
        workspace=alice_api.workspace, name="Olena", phone="+380501112233", segment=segment
    )

    response = alice_api.patch(f"/customers/{customer.pk}", {"email": "new@ukr.net"})

    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.email) == (
        "Olena",
        "+380501112233",
        "new@ukr.net",
    )
    assert customer.segment == segment


def test_patch_with_a_null_segment_takes_the_customer_out_of_it(alice_api):
    customer = CustomerFactory(
        workspace=alice_api.workspace, segment=SegmentFactory(workspace=alice_api.workspace)
    )

    response = alice_api.patch(f"/customers/{customer.pk}", {"segment_id": None})

    assert response.json()["segment_id"] is None
    customer.refresh_from_db()
    assert customer.segment_id is None


def test_patch_refuses_null_for_a_required_field(alice_api):
    customer = CustomerFactory(workspace=alice_api.workspace, name="Olena")

    response = alice_api.patch(f"/customers/{customer.pk}", {"name": None})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"


def test_patch_to_an_external_id_in_use_is_a_409(alice_api):
    CustomerFactory(workspace=alice_api.workspace, external_id="TAKEN")
    customer = CustomerFactory(workspace=alice_api.workspace, external_id="MINE")

    response = alice_api.patch(f"/customers/{customer.pk}", {"external_id": "TAKEN"})

    assert response.status_code == 409
    customer.refresh_from_db()
    assert customer.external_id == "MINE"


# --- bulk upsert ------------------------------------------------------------------------------


def test_bulk_creates_then_updates_then_changes_nothing(alice_api):
    rows = [
        {"external_id": f"C-{i}", "name": f"Name {i}", "segment": "Батьки", "language": "uk"}
        for i in range(30)
    ]

    first = alice_api.post("/customers/bulk", {"rows": rows})
    rows[0]["name"] = "Renamed"
    second = alice_api.post("/customers/bulk", {"rows": rows})
    third = alice_api.post("/customers/bulk", {"rows": rows})

    assert first.json() == {"created": 30, "updated": 0, "unchanged": 0, "errors": []}
    assert second.json() == {"created": 0, "updated": 1, "unchanged": 29, "errors": []}
    assert third.json() == {"created": 0, "updated": 0, "unchanged": 30, "errors": []}
    with bind_workspace(alice_api.workspace):
        assert Customer.objects.count() == 30
        assert Segment.objects.get().name == "Батьки"


def test_bulk_reports_bad_rows_by_position_and_imports_the_rest(alice_api):
    rows = [
        {"external_id": "C-1", "name": "Good"},
        {"external_id": "C-2", "email": "nope"},
        {"name": "no external id"},
        {"external_id": "C-4", "language": "de"},
        {"external_id": "C-5"},
    ]

    response = alice_api.post("/customers/bulk", {"rows": rows})

    body = response.json()
    assert response.status_code == 200
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    assert [(e["index"], e["external_id"]) for e in body["errors"]] == [
        (1, "C-2"),
        (2, ""),
        (3, "C-4"),
    ]
    assert body["errors"][1]["message"].startswith("external_id: ")
    assert "email: " in body["errors"][0]["message"]
    with bind_workspace(alice_api.workspace):
        assert set(Customer.objects.values_list("external_id", flat=True)) == {"C-1", "C-5"}


def test_bulk_takes_at_most_a_thousand_rows(alice_api):
    rows = [{"external_id": f"C-{i}"} for i in range(1001)]

    response = alice_api.post("/customers/bulk", {"rows": rows})

    assert response.status_code == 413
    assert response.json()["detail"] == (
        "Send at most 1,000 rows per request; this one has 1,001. Split the rows into batches."
    )
    assert not Customer.unscoped.exists()


def test_bulk_takes_exactly_a_thousand_rows(alice_api):
    rows = [{"external_id": f"C-{i}"} for i in range(1000)]

    response = alice_api.post("/customers/bulk", {"rows": rows})

    assert response.json()["created"] == 1000


def test_bulk_never_touches_another_workspaces_customer_with_the_same_external_id(alice_api, bob):
    bobs = CustomerFactory(workspace=bob.workspace, external_id="C-1", name="Bob's")

    response = alice_api.post("/customers/bulk", {"rows": [{"external_id": "C-1", "name": "X"}]})

    assert response.json()["created"] == 1
    bobs.refresh_from_db()
    assert bobs.name == "Bob's"


def test_bulk_takes_ids_and_phone_numbers_sent_as_json_numbers(alice_api):
    rows = [{"external_id": 10045, "name": "Olena", "phone": 380501112233}]

    assert alice_api.post("/customers/bulk", {"rows": rows}).json()["created"] == 1
    with bind_workspace(alice_api.workspace):
        customer = Customer.objects.get()
    assert (customer.external_id, customer.phone) == ("10045", "380501112233")
