"""Creating and changing journeys, stages and touchpoints."""

from __future__ import annotations

import pytest

from cxloop.core.scoping import CrossWorkspaceWrite
from cxloop.journeys import services
from cxloop.journeys.models import Journey

from ..factories import DepartmentFactory, JourneyFactory, StageFactory, TouchpointFactory


def test_stages_are_appended_left_to_right(alice, in_workspace):
    journey = services.create_journey(alice.workspace, name="Buying a book")
    first = services.add_stage(journey, name="Discover")
    second = services.add_stage(journey, name="Choose", day_from=0, day_to=3)
    assert (first.position, second.position) == (1, 2)
    with in_workspace(alice.workspace):
        assert [s.name for s in journey.stages.order_by("position")] == ["Discover", "Choose"]


def test_touchpoints_go_last_in_their_stage_with_their_owner(alice):
    stage = StageFactory(workspace=alice.workspace)
    delivery = DepartmentFactory(workspace=alice.workspace, name="Delivery")
    services.add_touchpoint(stage, name="Courier")
    parcel = services.add_touchpoint(
        stage, name="  Parcel  ", channel="package", owner_department=delivery
    )
    assert (parcel.name, parcel.position, parcel.owner_department) == ("Parcel", 2, delivery)
    assert parcel.workspace == alice.workspace


def test_a_name_in_use_is_refused_with_a_409_and_a_fix(alice):
    TouchpointFactory(workspace=alice.workspace, name="Checkout")
    stage = StageFactory(workspace=alice.workspace)
    with pytest.raises(services.NameTaken, match="choose another name") as refused:
        services.add_touchpoint(stage, name="checkout")
    assert refused.value.status == 409
    with pytest.raises(services.NameTaken):
        services.create_journey(
            alice.workspace, name=JourneyFactory(workspace=alice.workspace).name
        )


def test_the_same_name_is_fine_in_another_workspace(alice, bob):
    TouchpointFactory(workspace=alice.workspace, name="Checkout")
    stage = StageFactory(workspace=bob.workspace)
    assert services.add_touchpoint(stage, name="Checkout").workspace == bob.workspace


def test_a_stage_cannot_end_before_it_starts(alice):
    journey = JourneyFactory(workspace=alice.workspace)
    with pytest.raises(services.InvalidDays, match="ends on day 3, before it starts on day 8"):
        services.add_stage(journey, name="Backwards", day_from=8, day_to=3)


def test_updates_rename_and_move(alice):
    journey = JourneyFactory(workspace=alice.workspace)
    one = StageFactory(workspace=alice.workspace, journey=journey, position=1)
    two = StageFactory(workspace=alice.workspace, journey=journey, position=2)
    TouchpointFactory(workspace=alice.workspace, stage=two, position=1)
    point = TouchpointFactory(workspace=alice.workspace, stage=one)
    services.update_touchpoint(
        point, name="Call centre", stage=two, channel="phone", owner_department=None, description=""
    )
    point.refresh_from_db()
    assert (point.name, point.stage, point.position, point.channel) == (
        "Call centre",
        two,
        2,
        "phone",
    )
    services.update_stage(one, name="Browse", description="", day_from=None, day_to=None)
    services.update_journey(journey, name="Renamed", kind="other", description=" x ")
    journey.refresh_from_db()
    assert (journey.name, journey.kind, journey.description) == ("Renamed", Journey.Kind.OTHER, "x")


def test_rows_of_two_workspaces_are_never_mixed(alice, bob, in_workspace):
    stage = StageFactory(workspace=alice.workspace)
    bobs_department = DepartmentFactory(workspace=bob.workspace)
    with pytest.raises(CrossWorkspaceWrite):
        services.add_touchpoint(stage, name="Mixed", owner_department=bobs_department)
    with in_workspace(bob.workspace), pytest.raises(CrossWorkspaceWrite):
        services.add_stage(stage.journey, name="Sneaked in")
