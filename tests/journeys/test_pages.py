"""The journeys list, the journey map and the manager's forms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cxloop.accounts.models import Role
from cxloop.journeys.models import Journey, Stage, Touchpoint

from ..conftest import make_tenant
from ..factories import (
    DepartmentFactory,
    ExpectationFactory,
    ExperienceFactory,
    JourneyFactory,
    StageFactory,
    TouchpointFactory,
)

LIST = reverse("journeys:list")


def felt(touchpoint, score, *, days_ago=1, text=""):
    return ExperienceFactory(
        workspace=touchpoint.workspace,
        touchpoint=touchpoint,
        customer=None,
        nps=score,
        text=text,
        occurred_at=timezone.now() - timedelta(days=days_ago),
    )


def map_url(journey, **params):
    url = reverse("journeys:detail", args=[journey.pk])
    return f"{url}?days={params['days']}" if params else url


@pytest.fixture
def viewer(db):
    return make_tenant("Vira", role=Role.VIEWER)


def test_list_shows_each_journey_with_its_size_and_the_worst_touchpoints(alice):
    journey = JourneyFactory(workspace=alice.workspace, name="Buying a book")
    stage = StageFactory(workspace=alice.workspace, journey=journey)
    courier = TouchpointFactory(workspace=alice.workspace, stage=stage, name="Courier")
    TouchpointFactory(workspace=alice.workspace, stage=stage)
    for score in (3, 3, 3, 7, 10):
        felt(courier, score, text="late again")
    response = alice.client.get(LIST)
    row = next(j for j in response.context["journeys"] if j.name == "Buying a book")
    assert (row.stage_count, row.touchpoint_count) == (1, 2)
    body = response.content.decode()
    assert "Courier" in body
    assert "60% negative" in body
    assert "late again" in body
    assert "at least 5 experiences are ranked" in body


def test_the_map_shows_stages_in_order_with_touchpoints_expectations_and_shares(alice):
    journey = JourneyFactory(workspace=alice.workspace)
    second = StageFactory(workspace=alice.workspace, journey=journey, position=2, name="Receive")
    first = StageFactory(
        workspace=alice.workspace, journey=journey, position=1, name="Buy", day_from=0, day_to=0
    )
    delivery = DepartmentFactory(workspace=alice.workspace, name="Delivery team")
    courier = TouchpointFactory(
        workspace=alice.workspace, stage=second, name="Courier", owner_department=delivery
    )
    TouchpointFactory(workspace=alice.workspace, stage=first, name="Checkout")
    ExpectationFactory(
        workspace=alice.workspace,
        kind="general",
        customer=None,
        touchpoint=courier,
        text="Calls an hour ahead",
    )
    for score in (3, 3, 7, 10):
        felt(courier, score)
    body = alice.client.get(map_url(journey)).content.decode()
    columns = body[body.index('class="journey-map"') :]
    assert (
        columns.index("Buy")
        < columns.index("Checkout")
        < columns.index("Receive")
        < columns.index("Courier")
    )
    assert "Delivery team" in body
    assert "Calls an hour ahead" in body
    assert 'aria-label="50% negative, 25% OK, 25% WOW"' in body
    assert "<svg" in body
    assert "<polyline" not in body  # one stage with data: a point, no line
    assert ">−25<" in body  # the stage's net emotion on the curve: 25% WOW − 50% negative


def test_the_period_picker_changes_what_is_counted(alice):
    point = TouchpointFactory(workspace=alice.workspace)
    felt(point, 3, days_ago=60)
    journey = point.stage.journey
    assert alice.client.get(map_url(journey, days=90)).context["map"].total == 1
    assert alice.client.get(map_url(journey, days=30)).context["map"].total == 0
    # Anything but the offered periods falls back to 90 days, never an error.
    for bad in ("7", "abc", "-1"):
        assert alice.client.get(map_url(journey, days=bad)).context["days"] == 90


def test_empty_states(alice):
    journey = JourneyFactory(workspace=alice.workspace)
    body = alice.client.get(map_url(journey)).content.decode()
    assert "This journey has no stages yet." in body
    StageFactory(workspace=alice.workspace, journey=journey)
    body = alice.client.get(map_url(journey)).content.decode()
    assert "No touchpoints in this stage yet." in body
    assert "No experiences at this journey" in body
    Journey.unscoped.filter(workspace=alice.workspace).delete()
    assert "No journeys yet." in alice.client.get(LIST).content.decode()


def test_the_map_query_count_is_flat_as_touchpoints_grow(alice, django_assert_max_num_queries):
    def build(stages: int, per_stage: int) -> Journey:
        journey = JourneyFactory(workspace=alice.workspace)
        for position in range(1, stages + 1):
            stage = StageFactory(workspace=alice.workspace, journey=journey, position=position)
            for _ in range(per_stage):
                point = TouchpointFactory(
                    workspace=alice.workspace,
                    stage=stage,
                    owner_department=DepartmentFactory(workspace=alice.workspace),
                )
                ExpectationFactory(
                    workspace=alice.workspace, kind="general", customer=None, touchpoint=point
                )
                for score in (3, 3, 3, 3, 10):
                    felt(point, score, text="words")
        return journey

    small, large = build(1, 1), build(6, 4)
    with django_assert_max_num_queries(16) as small_queries:
        alice.client.get(map_url(small))
    with django_assert_max_num_queries(16) as large_queries:
        assert alice.client.get(map_url(large)).status_code == 200
    assert len(large_queries) == len(small_queries)


def test_a_manager_adds_a_stage_and_a_touchpoint(alice, in_workspace):
    alice.membership.role = Role.MANAGER
    alice.membership.save()
    journey = JourneyFactory(workspace=alice.workspace)
    support = DepartmentFactory(workspace=alice.workspace, name="Support")
    response = alice.client.post(
        reverse("journeys:stage_create", args=[journey.pk]),
        {"name": "Get help", "day_from": "", "day_to": ""},
    )
    assert response.status_code == 302
    with in_workspace(alice.workspace):
        stage = Stage.objects.get(journey=journey)
    response = alice.client.post(
        reverse("journeys:touchpoint_create", args=[journey.pk]),
        {
            "stage": stage.pk,
            "name": "Support chat",
            "channel": "web_chat",
            "owner_department": support.pk,
        },
    )
    assert response.status_code == 302
    with in_workspace(alice.workspace):
        point = Touchpoint.objects.get(name="Support chat")
    assert (point.stage, point.channel, point.owner_department) == (stage, "web_chat", support)


def test_a_manager_creates_a_journey(alice):
    response = alice.client.post(reverse("journeys:create"), {"name": "Returns", "kind": "other"})
    journey = Journey.unscoped.get(workspace=alice.workspace, name="Returns")
    assert response.url == reverse("journeys:detail", args=[journey.pk])


def test_form_errors_are_shown_beside_the_field(alice):
    TouchpointFactory(workspace=alice.workspace, name="Checkout")
    journey = JourneyFactory(workspace=alice.workspace)
    stage = StageFactory(workspace=alice.workspace, journey=journey)
    response = alice.client.post(
        reverse("journeys:touchpoint_create", args=[journey.pk]),
        {"stage": stage.pk, "name": "Checkout", "channel": "site"},
    )
    assert response.status_code == 200
    assert "A touchpoint named “Checkout” exists already" in response.content.decode()
    response = alice.client.post(
        reverse("journeys:stage_create", args=[journey.pk]),
        {"name": "Later", "day_from": "30", "day_to": "7"},
    )
    assert "The last day cannot come before the first day." in response.content.decode()


def test_a_touchpoint_cannot_be_added_to_a_stage_of_another_journey(alice):
    journey = JourneyFactory(workspace=alice.workspace)
    elsewhere = StageFactory(workspace=alice.workspace)
    response = alice.client.post(
        reverse("journeys:touchpoint_create", args=[journey.pk]),
        {"stage": elsewhere.pk, "name": "Stray", "channel": "site"},
    )
    assert response.status_code == 200
    assert not Touchpoint.unscoped.filter(name="Stray").exists()


def test_a_manager_gives_a_touchpoint_an_owner(alice):
    point = TouchpointFactory(workspace=alice.workspace, name="First delivery")
    delivery = DepartmentFactory(workspace=alice.workspace, name="Delivery")
    response = alice.client.post(
        reverse("journeys:touchpoint_edit", args=[point.pk]),
        {"stage": point.stage_id, "name": "First delivery", "channel": "delivery",
         "owner_department": delivery.pk, "description": "On the promised day"},
    )  # fmt: skip
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.owner_department, point.channel) == (delivery, "delivery")


def test_a_viewer_sees_the_map_but_may_change_nothing(viewer):
    journey = JourneyFactory(workspace=viewer.workspace)
    stage = StageFactory(workspace=viewer.workspace, journey=journey)
    point = TouchpointFactory(workspace=viewer.workspace, stage=stage)
    body = viewer.client.get(map_url(journey)).content.decode()
    assert "Add a touchpoint" not in body
    assert viewer.client.get(LIST).status_code == 200
    attempts = [
        (reverse("journeys:create"), {"name": "Mine", "kind": "other"}),
        (reverse("journeys:stage_create", args=[journey.pk]), {"name": "Mine"}),
        (
            reverse("journeys:touchpoint_create", args=[journey.pk]),
            {"stage": stage.pk, "name": "Mine", "channel": "site"},
        ),
        (reverse("journeys:touchpoint_edit", args=[point.pk]), {"name": "Mine"}),
    ]
    for url, data in attempts:
        assert viewer.client.post(url, data).status_code == 403, url
    assert not Touchpoint.unscoped.filter(name="Mine").exists()
    assert not Journey.unscoped.filter(name="Mine").exists()


def test_customer_words_are_escaped_on_the_map(alice):
    point = TouchpointFactory(workspace=alice.workspace, name="<b>Checkout</b>")
    for _ in range(5):
        felt(point, 3, text="<script>alert('x')</script> card declined")
    body = alice.client.get(map_url(point.stage.journey)).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; card declined" in body
    assert "&lt;b&gt;Checkout&lt;/b&gt;" in body


def test_pages_have_no_inline_scripts_or_styles(alice):
    point = TouchpointFactory(workspace=alice.workspace)
    felt(point, 10)
    for url in (LIST, map_url(point.stage.journey), reverse("journeys:create")):
        body = alice.client.get(url).content.decode()
        assert "<script>" not in body
        assert " style=" not in body


def test_the_curve_svg_has_no_decimal_commas_in_ukrainian(alice):
    journey = JourneyFactory(workspace=alice.workspace)
    for position in range(1, 4):
        stage = StageFactory(workspace=alice.workspace, journey=journey, position=position)
        felt(TouchpointFactory(workspace=alice.workspace, stage=stage), (3, 7, 10)[position - 1])
    alice.client.cookies["django_language"] = "uk"
    body = alice.client.get(map_url(journey)).content.decode()
    polyline = body.split('points="')[1].split('"')[0]
    assert all(part.replace(",", "").isdigit() for part in polyline.split())


def test_the_onboarding_journey_is_predefined_not_created_by_hand(alice):
    response = alice.client.post(
        reverse("journeys:create"), {"name": "Second", "kind": "onboarding"}
    )
    assert response.status_code == 200
    assert not Journey.unscoped.filter(name="Second").exists()
