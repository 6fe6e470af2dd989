"""Cases over the API: list with filters and cursor pages, one with its timeline, status, notes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cxloop.accounts.models import Role
from cxloop.core.scoping import bind_workspace
from cxloop.loop.models import Case

from ..api.conftest import api_for
from ..factories import CustomerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.loop.case_fixtures"]


@pytest.fixture
def two_cases(alice, shop, record):
    for name in ("First", "Second"):
        record(
            CustomerFactory(workspace=alice.workspace, name=name),
            touchpoint=shop.courier,
            score=1,
            scale="nps",
            text=f"{name} complaint",
        )
    with bind_workspace(alice.workspace):
        return list(Case.objects.order_by("id"))


def test_cases_are_listed_by_deadline_with_cursor_pages(alice, two_cases):
    api = api_for(alice)
    first = api.get("/cases", {"limit": 1}).json()
    assert [c["id"] for c in first["items"]] == [two_cases[0].pk]
    assert first["items"][0]["about"] == f"touchpoint:{two_cases[0].touchpoint_id}"
    assert first["items"][0]["stance_before"] == "prosecutor"
    rest = api.get("/cases", {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [c["id"] for c in rest["items"]] == [two_cases[1].pk]


def test_the_list_filters_by_overdue_owner_and_status(alice, two_cases):
    with bind_workspace(alice.workspace):
        Case.objects.filter(pk=two_cases[1].pk).update(
            due_at=two_cases[1].opened_at - timedelta(hours=1)
        )
    api = api_for(alice)
    overdue = api.get("/cases", {"overdue": True}).json()["items"]
    assert [(c["id"], c["overdue"]) for c in overdue] == [(two_cases[1].pk, True)]
    mine = api.get("/cases", {"owner": two_cases[0].owner_id}).json()["items"]
    assert [c["id"] for c in mine] == [two_cases[0].pk]
    assert api.get("/cases", {"status": "resolved"}).json()["items"] == []
    assert api.get("/cases", {"status": "bogus"}).status_code == 422


def test_one_case_has_its_timeline(alice, two_cases):
    body = api_for(alice).get(f"/cases/{two_cases[0].pk}").json()
    assert [e["kind"] for e in body["events"]] == ["opened", "assigned"]


def test_an_agent_moves_a_case_and_adds_a_note(alice, two_cases):
    agent = MembershipFactory(
        workspace=alice.workspace, user=UserFactory(email="agent@example.com"), role=Role.AGENT
    )
    api = api_for(alice, agent)
    case = two_cases[0]
    assert api.post(f"/cases/{case.pk}/status", {"status": "contacted"}).status_code == 200
    note = api.post(f"/cases/{case.pk}/notes", {"text": "Will call back at 18:00"})
    assert note.status_code == 201
    assert note.json()["actor_id"] == agent.user_id
    done = api.post(
        f"/cases/{case.pk}/status",
        {
            "status": "resolved",
            "text": "Refunded delivery",
            "goodwill_value": "80",
            "goodwill_currency": "UAH",
        },
    )
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["goodwill_value"], body["goodwill_currency"]) == (
        "resolved",
        "80.00",
        "UAH",
    )
    assert [e["kind"] for e in body["events"]][-3:] == ["status", "note", "status"]


def test_a_transition_that_is_not_allowed_is_409(alice, two_cases):
    api = api_for(alice)
    case = two_cases[0]
    api.post(f"/cases/{case.pk}/status", {"status": "wont_fix", "text": "Duplicate"})
    response = api.post(f"/cases/{case.pk}/status", {"status": "contacted"})
    assert response.status_code == 409
    assert "cannot become" in response.json()["detail"]


def test_missing_input_is_422_with_the_field(alice, two_cases):
    api = api_for(alice)
    case = two_cases[0]
    missing = api.post(f"/cases/{case.pk}/status", {})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "status"
    assert api.post(f"/cases/{case.pk}/status", {"status": "resolved"}).status_code == 422
    assert api.post(f"/cases/{case.pk}/notes", {"text": "  "}).status_code == 422


def test_a_viewers_token_reads_but_cannot_change(alice, two_cases):
    viewer = MembershipFactory(
        workspace=alice.workspace, user=UserFactory(email="viewer@example.com"), role=Role.VIEWER
    )
    api = api_for(alice, viewer)
    case = two_cases[0]
    assert api.get(f"/cases/{case.pk}").status_code == 200
    assert api.post(f"/cases/{case.pk}/status", {"status": "contacted"}).status_code == 403
    assert api.post(f"/cases/{case.pk}/notes", {"text": "hi"}).status_code == 403


def test_bob_lists_none_of_alices_cases(alice, bob, two_cases):
    assert api_for(bob).get("/cases").json()["items"] == []
    assert api_for(bob).get(f"/cases/{two_cases[0].pk}").status_code == 404
