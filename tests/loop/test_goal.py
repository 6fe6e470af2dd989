"""The CX goal: one per workspace, edited by owners and managers, shown on the home page."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from cxloop.accounts.models import Role
from cxloop.loop import goal
from cxloop.loop.improvements import ImprovementInvalid
from cxloop.loop.models import CxGoal

from ..conftest import make_tenant
from ..factories import ExperienceFactory

pytestmark = pytest.mark.django_db


def _post(tenant, **extra):
    data = {
        "statement": "Every parcel arrives when we said, and every reader feels remembered.",
        "atmosphere": "Calm, kind, quick.",
        "targets-TOTAL_FORMS": "2",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "8",
        "targets-0-metric": "nps",
        "targets-0-comparison": "gte",
        "targets-0-value": "40",
        "targets-0-due_on": "2027-06-30",
        "targets-1-metric": "",
        "targets-1-comparison": "gte",
        "targets-1-value": "",
        "targets-1-due_on": "",
    }
    data.update(extra)
    return tenant.client.post(reverse("loop:goal_edit"), data)


def test_a_manager_writes_the_goal_with_a_target(alice, in_workspace):
    response = _post(alice)
    assert response.status_code == 302
    with in_workspace(alice.workspace):
        row = CxGoal.objects.get()
        target = row.targets.get()
    assert row.atmosphere == "Calm, kind, quick."
    assert (target.metric, target.comparison, float(target.value), target.due_on) == (
        "nps",
        "gte",
        40.0,
        date(2027, 6, 30),
    )
    page = alice.client.get(reverse("loop:goal")).content.decode()
    assert "Every parcel arrives" in page
    assert "≥ 40" in page


def test_the_goal_page_compares_each_target_with_the_last_90_days(alice, in_workspace):
    for score in (10, 10, 9, 3):  # NPS = 75 − 25 = 50
        ExperienceFactory(workspace=alice.workspace, customer=None, nps=score)
    _post(alice)
    response = alice.client.get(reverse("loop:goal"))
    [progress] = response.context["progress"]
    assert progress.current == pytest.approx(50)
    assert progress.met is True


def test_agents_and_viewers_read_but_do_not_edit(db):
    agent = make_tenant("Agnes", role=Role.AGENT)
    assert agent.client.get(reverse("loop:goal")).status_code == 200
    assert agent.client.get(reverse("loop:goal_edit")).status_code == 403
    assert _post(agent).status_code == 403


def test_a_target_out_of_range_is_refused_beside_the_form(alice, in_workspace):
    response = _post(alice, **{"targets-0-value": "140"})
    assert response.status_code == 200
    assert "between" in response.content.decode()
    with in_workspace(alice.workspace), pytest.raises(ImprovementInvalid):
        goal.update_goal(
            statement="x",
            atmosphere="",
            targets=[goal.TargetInput("csat", "gte", 7, date(2027, 1, 1))],
        )


def test_the_goal_is_on_the_home_page(alice):
    _post(alice)
    body = alice.client.get(reverse("web:home")).content.decode()
    assert "Our CX goal" in body
    assert "Every parcel arrives" in body
