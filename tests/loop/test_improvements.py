"""The improvement backlog: status flow, links that stay inside the workspace, pages, roles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cxloop.accounts.models import Role
from cxloop.accounts.services import create_workspace
from cxloop.core.scoping import bind_workspace
from cxloop.loop import improvements
from cxloop.loop.models import Improvement, ImprovementEvent, Process

from ..conftest import make_tenant
from ..factories import DepartmentFactory, ExperienceFactory, TouchpointFactory
from .improvement_helpers import make_improvement, make_process

pytestmark = pytest.mark.django_db


def test_a_new_improvement_is_an_idea_owned_by_its_process_department(alice):
    process = make_process(alice.workspace)
    improvement = make_improvement(alice.workspace, process=process)
    assert improvement.status == "idea"
    assert improvement.department == process.department
    with bind_workspace(alice.workspace):
        kinds = list(improvement.events.values_list("kind", flat=True))
    assert kinds == ["created"]


def test_the_status_moves_one_step_at_a_time_and_shipping_stamps_the_date(alice):
    improvement = make_improvement(alice.workspace)
    with bind_workspace(alice.workspace):
        with pytest.raises(improvements.TransitionNotAllowed):
            improvements.move(improvement, "shipped")
        with pytest.raises(improvements.TransitionNotAllowed):
            improvements.move(improvement, "in_progress")
        improvements.move(improvement, "planned")
        improvements.move(improvement, "idea")  # a plan can be dropped back
        improvements.move(improvement, "planned")
        improvements.move(improvement, "in_progress")
        shipped = improvements.move(improvement, "shipped", notify=False)
        assert shipped.status == "shipped"
        assert shipped.shipped_on == timezone.localdate()
        with pytest.raises(improvements.TransitionNotAllowed):
            improvements.move(shipped, "in_progress")
        statuses = list(
            ImprovementEvent.objects.filter(improvement=improvement, kind="status").values_list(
                "from_status", "to_status"
            )
        )
    assert statuses == [
        ("idea", "planned"),
        ("planned", "idea"),
        ("idea", "planned"),
        ("planned", "in_progress"),
        ("in_progress", "shipped"),
    ]


def test_a_ship_date_in_the_future_is_refused(alice):
    improvement = make_improvement(alice.workspace)
    with bind_workspace(alice.workspace):
        improvements.move(improvement, "planned")
        improvements.move(improvement, "in_progress")
        with pytest.raises(improvements.ImprovementInvalid):
            improvements.move(
                improvement, "shipped", shipped_on=timezone.localdate() + timedelta(days=1)
            )
        assert Improvement.objects.get(pk=improvement.pk).status == "in_progress"


def test_the_database_refuses_a_shipped_improvement_without_a_date(alice):
    from django.db import IntegrityError, transaction

    improvement = make_improvement(alice.workspace)
    with bind_workspace(alice.workspace), pytest.raises(IntegrityError), transaction.atomic():
        Improvement.objects.filter(pk=improvement.pk).update(status="shipped")


def test_signals_of_another_workspace_cannot_be_linked(alice, bob):
    foreign = ExperienceFactory(workspace=bob.workspace)
    mine = ExperienceFactory(workspace=alice.workspace)
    process = make_process(alice.workspace)
    with bind_workspace(alice.workspace):
        with pytest.raises(improvements.ImprovementInvalid):
            improvements.create_improvement(
                title="x",
                process=process,
                links=improvements.Links(experience_ids=[mine.pk, foreign.pk]),
            )
        assert not Improvement.objects.exists()
        created = improvements.create_improvement(
            title="x", process=process, links=improvements.Links(experience_ids=[mine.pk])
        )
        assert list(created.experiences.values_list("pk", flat=True)) == [mine.pk]


def test_new_workspaces_get_the_default_processes(db):
    from ..factories import UserFactory

    owner = UserFactory()
    workspace = create_workspace("Shop", slug="shop-processes", owner=owner)
    with bind_workspace(workspace):
        keys = set(Process.objects.values_list("key", flat=True))
    assert {"delivery", "packaging", "site_search", "checkout", "returns"} <= keys


def test_staff_create_an_improvement_from_selected_signals(alice):
    touchpoint = TouchpointFactory(workspace=alice.workspace, name="Courier")
    signals = [
        ExperienceFactory(workspace=alice.workspace, touchpoint=touchpoint, nps=2) for _ in range(3)
    ]
    process = make_process(alice.workspace)
    ids = ",".join(str(s.pk) for s in signals)
    page = alice.client.get(reverse("loop:improvement_new") + f"?experience={ids}")
    assert page.status_code == 200
    assert page.context["form"].initial["touchpoint"] == touchpoint.pk
    response = alice.client.post(
        reverse("loop:improvement_new"),
        {
            "title": "Courier calls before arrival",
            "process": process.pk,
            "touchpoint": touchpoint.pk,
            "experiences": [s.pk for s in signals],
            "message_uk": "Тепер кур'єр телефонує за годину до приїзду.",
        },
    )
    assert response.status_code == 302
    with bind_workspace(alice.workspace):
        improvement = Improvement.objects.get()
        assert set(improvement.experiences.values_list("pk", flat=True)) == {s.pk for s in signals}
        assert improvement.customer_message == {
            "uk": "Тепер кур'єр телефонує за годину до приїзду."
        }
    detail = alice.client.get(response["Location"])
    assert detail.status_code == 200
    assert "Courier calls before arrival" in detail.content.decode()


def test_an_agent_proposes_but_only_a_manager_ships(db):
    agent = make_tenant("Agnes", role=Role.AGENT)
    improvement = make_improvement(agent.workspace)
    url = reverse("loop:improvement_move", args=[improvement.pk])
    assert agent.client.post(url, {"status": "planned"}).status_code == 403
    assert (
        agent.client.get(reverse("loop:improvement_edit", args=[improvement.pk])).status_code == 403
    )
    assert agent.client.get(reverse("loop:improvement_new")).status_code == 200
    viewer = make_tenant("Vera", role=Role.VIEWER)
    assert viewer.client.get(reverse("loop:improvement_new")).status_code == 403
    assert viewer.client.get(reverse("loop:improvements")).status_code == 200


def test_a_manager_moves_an_improvement_through_the_page(alice):
    improvement = make_improvement(alice.workspace)
    url = reverse("loop:improvement_move", args=[improvement.pk])
    alice.client.post(url, {"status": "planned"})
    alice.client.post(url, {"status": "in_progress"})
    day = timezone.localdate() - timedelta(days=3)
    alice.client.post(url, {"status": "shipped", "shipped_on": day.isoformat()})
    with bind_workspace(alice.workspace):
        improvement.refresh_from_db()
    assert (improvement.status, improvement.shipped_on) == ("shipped", day)
    refused = alice.client.post(url, {"status": "idea"}, follow=True)
    assert "cannot become" in refused.content.decode()


def test_the_backlog_page_lists_and_filters_with_a_fixed_number_of_queries(
    alice, django_assert_max_num_queries
):
    process = make_process(alice.workspace)
    other = make_process(alice.workspace, "Packaging")
    for n in range(6):
        make_improvement(alice.workspace, title=f"Change {n}", process=process)
    make_improvement(alice.workspace, title="Better boxes", process=other)
    with django_assert_max_num_queries(12):
        response = alice.client.get(reverse("loop:improvements"))
    assert response.status_code == 200
    assert len(response.context["improvements"]) == 7
    filtered = alice.client.get(reverse("loop:improvements") + f"?process={other.pk}")
    assert [i.title for i in filtered.context["improvements"]] == ["Better boxes"]


def test_a_manager_adds_a_process(alice):
    department = DepartmentFactory(workspace=alice.workspace, name="Site")
    response = alice.client.post(
        reverse("loop:processes"), {"name": "Site search", "department": department.pk}
    )
    assert response.status_code == 302
    with bind_workspace(alice.workspace):
        assert Process.objects.get().department == department


def test_shipped_on_is_what_the_grid_places_it_by(alice):
    improvement = make_improvement(alice.workspace, shipped_on=date(2026, 11, 2))
    assert improvement.shipped_on.isocalendar()[:2] == (2026, 45)


# --- API --------------------------------------------------------------------------------------


def _api(tenant, method: str, path: str, body=None):
    import json

    from cxloop.accounts.services import issue_token

    secret = issue_token(tenant.membership, "script").secret
    return tenant.client.generic(
        method,
        "/api/v1" + path,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )


def test_the_api_proposes_moves_and_ships_an_improvement(alice):
    process = make_process(alice.workspace)
    signal = ExperienceFactory(workspace=alice.workspace, nps=1)
    created = _api(
        alice,
        "POST",
        "/improvements",
        {"title": "Courier calls", "process_id": process.pk, "experience_ids": [signal.pk]},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["experience_ids"]) == ("idea", [signal.pk])
    path = f"/improvements/{body['id']}/status"
    refused = _api(alice, "POST", path, {"status": "shipped"})
    assert refused.status_code == 409
    assert "cannot become" in refused.json()["detail"]
    for status in ("planned", "in_progress"):
        assert _api(alice, "POST", path, {"status": status}).status_code == 200
    shipped = _api(alice, "POST", path, {"status": "shipped", "shipped_on": "2026-11-02"})
    assert shipped.json()["shipped_on"] == "2026-11-02"
    listed = _api(alice, "GET", "/improvements?status=shipped")
    assert [i["id"] for i in listed.json()["items"]] == [body["id"]]
    effect = _api(alice, "GET", f"/improvements/{body['id']}/effect")
    assert effect.status_code == 200
    assert effect.json()["scope"] == ""  # no touchpoint or topic linked


def test_the_api_refuses_another_workspaces_ids_in_a_body(alice, bob):
    process = make_process(alice.workspace)
    foreign = ExperienceFactory(workspace=bob.workspace)
    response = _api(
        alice,
        "POST",
        "/improvements",
        {"title": "x", "process_id": process.pk, "experience_ids": [foreign.pk]},
    )
    assert response.status_code == 422
    bobs_process = make_process(bob.workspace, "Bob's")
    response = _api(alice, "POST", "/improvements", {"title": "x", "process_id": bobs_process.pk})
    assert response.status_code == 422


def test_the_api_goal_is_read_by_all_and_written_by_managers(alice):
    put = _api(
        alice,
        "PUT",
        "/goal",
        {
            "statement": "Readers come back.",
            "targets": [
                {"metric": "nps", "comparison": "gte", "value": 40, "due_on": "2027-06-30"}
            ],
        },
    )
    assert put.status_code == 200, put.content
    got = _api(alice, "GET", "/goal").json()
    assert got["statement"] == "Readers come back."
    assert got["targets"] == [
        {"metric": "nps", "comparison": "gte", "value": 40.0, "due_on": "2027-06-30"}
    ]
    agent = make_tenant("Agnes", role=Role.AGENT)
    assert _api(agent, "PUT", "/goal", {"statement": "x"}).status_code == 403


def test_bobs_pages_do_not_show_alices_improvements(alice, bob):
    make_improvement(alice.workspace, title="ALICE-ONLY change", shipped_on=date(2026, 11, 2))
    for name in ("loop:improvements", "loop:grid", "loop:processes"):
        body = bob.client.get(reverse(name) + "?end=2026-W45").content.decode()
        assert "ALICE-ONLY" not in body


def test_a_workspace_without_processes_adds_the_usual_ones_from_the_page(alice):
    page = alice.client.get(reverse("loop:processes")).content.decode()
    assert "Add the usual processes" in page
    alice.client.post(reverse("loop:processes"), {"defaults": "1"})
    alice.client.post(reverse("loop:processes"), {"defaults": "1"})  # twice adds nothing more
    with bind_workspace(alice.workspace):
        assert Process.objects.count() == len(improvements.DEFAULT_PROCESSES)
