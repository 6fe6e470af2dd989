"""Every workspace starts with the 100-day onboarding journey, in its own language, exactly once."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command

from cxloop.accounts import events
from cxloop.accounts.models import Workspace
from cxloop.accounts.services import create_workspace
from cxloop.journeys.models import Journey, Stage, Touchpoint
from cxloop.journeys.onboarding import ONBOARDING
from cxloop.journeys.services import ensure_onboarding_journey

from ..factories import JourneyFactory, TouchpointFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def _onboarding(workspace: Workspace, in_workspace) -> tuple[Journey, list[Stage]]:
    with in_workspace(workspace):
        journey = Journey.objects.get(kind=Journey.Kind.ONBOARDING)
        return journey, list(journey.stages.order_by("position").prefetch_related("touchpoints"))


def test_a_new_workspace_has_the_onboarding_journey(in_workspace):
    workspace = create_workspace("Bookshop", owner=UserFactory())
    journey, stages = _onboarding(workspace, in_workspace)
    assert journey.name == "100-day onboarding"
    # The stages cover the lifecycle clock from the first purchase (day 0) to day 100, no gaps.
    assert [(s.day_from, s.day_to) for s in stages] == [
        (0, 0),
        (1, 7),
        (8, 30),
        (31, 60),
        (61, 100),
    ]
    assert [s.position for s in stages] == [1, 2, 3, 4, 5]
    for stage in stages:
        assert 1 <= len(stage.touchpoints.all()) <= 3
        assert all(t.description and t.channel != "other" for t in stage.touchpoints.all())


def test_a_workspace_created_from_inside_another_gets_its_own(alice, in_workspace):
    with in_workspace(alice.workspace):
        workspace = create_workspace("Second shop")
        assert not Journey.objects.exists()  # nothing landed in Alice's workspace
    assert Journey.unscoped.get(workspace=workspace).kind == Journey.Kind.ONBOARDING


def test_the_createworkspace_command_also_predefines_it(in_workspace):
    call_command("createworkspace", "Shop", slug="shop", language="ru")
    journey, stages = _onboarding(Workspace.objects.get(slug="shop"), in_workspace)
    assert journey.name == "Онбординг: первые 100 дней"
    assert stages[0].name == "Первая покупка и подтверждение"


@pytest.mark.parametrize(
    ("language", "journey_name", "first_touchpoint"),
    [
        ("en", "100-day onboarding", "Order confirmation"),
        ("uk", "Онбординг: перші 100 днів", "Підтвердження замовлення"),
        ("ru", "Онбординг: первые 100 дней", "Подтверждение заказа"),
    ],
)
def test_names_follow_the_workspace_language(
    in_workspace, language, journey_name, first_touchpoint
):
    workspace = create_workspace(f"Shop {language}", default_language=language)
    journey, stages = _onboarding(workspace, in_workspace)
    assert journey.name == journey_name
    assert stages[0].touchpoints.order_by("position")[0].name == first_touchpoint


def test_every_text_is_written_in_all_three_languages():
    texts = [ONBOARDING.name, ONBOARDING.description]
    for stage in ONBOARDING.stages:
        texts += [stage.name, stage.description]
        for point in stage.touchpoints:
            texts += [point.name, point.description]
    assert all(set(t) == {"en", "uk", "ru"} and all(t.values()) for t in texts)


def test_ensuring_it_again_does_not_duplicate_it(in_workspace):
    workspace = create_workspace("Bookshop")
    first = ensure_onboarding_journey(workspace)
    assert ensure_onboarding_journey(workspace) == first
    with in_workspace(workspace):
        assert Journey.objects.count() == 1
        assert Stage.objects.count() == len(ONBOARDING.stages)


def test_a_renamed_onboarding_journey_is_kept_as_the_team_left_it(in_workspace):
    workspace = create_workspace("Bookshop")
    with in_workspace(workspace):
        Journey.objects.update(name="Our first 100 days")
    assert ensure_onboarding_journey(workspace).name == "Our first 100 days"


def test_names_the_team_already_uses_are_not_taken_over(in_workspace):
    workspace = WorkspaceFactory()
    JourneyFactory(workspace=workspace, name="100-day onboarding", kind=Journey.Kind.OTHER)
    mine = TouchpointFactory(workspace=workspace, name="Support chat")
    journey = ensure_onboarding_journey(workspace)
    assert journey.name == "100-day onboarding (2)"
    with in_workspace(workspace):
        assert Touchpoint.objects.filter(name="Support chat (2)", stage__journey=journey).exists()
        assert Touchpoint.objects.get(pk=mine.pk).stage.journey != journey


def test_a_failing_subscriber_rolls_the_new_workspace_back():
    def broken(sender, **kwargs):
        raise RuntimeError("boom")

    events.workspace_created.connect(broken, dispatch_uid="test.broken")
    try:
        with pytest.raises(RuntimeError):
            create_workspace("Half made", slug="half")
    finally:
        events.workspace_created.disconnect(dispatch_uid="test.broken")
    assert not Workspace.objects.filter(slug="half").exists()
    assert not Journey.unscoped.filter(workspace__slug="half").exists()


def test_the_migration_gives_older_workspaces_the_journey_once(in_workspace):
    from importlib import import_module

    backfill = import_module(
        "cxloop.journeys.migrations.0002_onboarding_for_existing_workspaces"
    ).add_onboarding_journeys
    older = WorkspaceFactory(default_language="uk")  # made before the journey existed
    already = create_workspace("New one")
    backfill(apps, None)
    backfill(apps, None)
    journey, stages = _onboarding(older, in_workspace)
    assert journey.name == "Онбординг: перші 100 днів"
    assert len(stages) == len(ONBOARDING.stages)
    assert Journey.unscoped.filter(workspace=already).count() == 1
