"""The weekly grid and the streaks, on a constructed example.

Today is Wednesday 2026-11-25, ISO week 2026-W48 (Monday 23 November). Delivery shipped in W48,
W47 and W46, not in W45, and in W44: its streak is 3. Site shipped in W47 and W46 but nothing yet
this week: the week is still open, so its streak is 2. Packaging (in the delivery department's
neighbour, Warehouse) shipped last in W45: W46 and W47 are empty, so its streak is 0.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from cxloop.loop import grid

from ..factories import DepartmentFactory
from .improvement_helpers import make_improvement, make_process

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


def monday(week: int) -> date:
    return date.fromisocalendar(2026, week, 1)


@pytest.fixture
def shipped(alice):
    ws = alice.workspace
    delivery_team = DepartmentFactory(workspace=ws, name="Delivery")
    site_team = DepartmentFactory(workspace=ws, name="Site")
    warehouse = DepartmentFactory(workspace=ws, name="Warehouse")
    delivery = make_process(ws, "Courier", department=delivery_team)
    branches = make_process(ws, "Branches", department=delivery_team)
    search = make_process(ws, "Site search", department=site_team)
    packaging = make_process(ws, "Packaging", department=warehouse)
    for week, day in ((48, 1), (47, 3), (46, 6), (44, 2)):
        make_improvement(
            ws,
            title=f"Courier W{week}",
            process=delivery,
            shipped_on=date.fromisocalendar(2026, week, day),
        )
    make_improvement(ws, title="Second courier W47", process=delivery, shipped_on=monday(47))
    make_improvement(ws, title="Search W47", process=search, shipped_on=monday(47))
    make_improvement(ws, title="Search W46", process=search, shipped_on=monday(46))
    make_improvement(ws, title="Boxes W45", process=packaging, shipped_on=monday(45))
    make_improvement(ws, title="Not shipped", process=branches)
    return {"delivery": delivery_team, "site": site_team, "warehouse": warehouse}


def test_iso_weeks_and_labels():
    assert grid.week_start(TODAY) == date(2026, 11, 23)
    assert grid.week_label(date(2026, 11, 23)) == "2026-W48"
    assert grid.parse_week("2026-W48") == date(2026, 11, 23)
    assert grid.parse_week("2021-W01") == date(2021, 1, 4)  # the week of the year's first Thursday
    assert grid.parse_week("nonsense") is None


def test_streaks_count_consecutive_weeks_back_from_this_one(alice, shipped, in_workspace):
    with in_workspace(alice.workspace):
        streaks = grid.streaks(TODAY)
    assert streaks[shipped["delivery"].pk] == 3
    assert streaks[shipped["site"].pk] == 2  # this week has nothing yet, and is still open
    assert streaks[shipped["warehouse"].pk] == 0


def test_cells_hold_the_improvements_shipped_that_week(alice, shipped, in_workspace):
    with in_workspace(alice.workspace):
        built = grid.build_grid(weeks=4, today=TODAY)
    assert [w.label for w in built.weeks] == ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]
    rows = {row.process.name: row for group in built.groups for row in group.rows}
    courier = [[i.title for i in cell.improvements] for cell in rows["Courier"].cells]
    assert courier == [[], ["Courier W46"], ["Second courier W47", "Courier W47"], ["Courier W48"]]
    assert [cell.empty for cell in rows["Branches"].cells] == [True] * 4
    assert [cell.empty for cell in rows["Packaging"].cells] == [False, True, True, True]
    assert built.empty_cells == 1 + 4 + 2 + 3
    assert [g.name for g in built.groups] == ["Delivery", "Site", "Warehouse"]
    assert built.next_end is None


def test_the_grid_navigates_to_earlier_weeks(alice, shipped, in_workspace):
    with in_workspace(alice.workspace):
        earlier = grid.build_grid(end=date(2026, 11, 4), weeks=2, today=TODAY)
    assert [w.label for w in earlier.weeks] == ["2026-W44", "2026-W45"]
    assert earlier.next_end.label == "2026-W47"
    assert earlier.previous_end.label == "2026-W43"


def test_the_grid_page_marks_empty_cells_and_shows_streaks(
    alice, shipped, django_assert_max_num_queries
):
    from freezegun import freeze_time

    with freeze_time("2026-11-25 12:00:00"), django_assert_max_num_queries(10):
        response = alice.client.get(reverse("loop:grid") + "?weeks=4")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="cell-empty') == 10
    assert "streak: 3 weeks" in body
    assert "Courier W48" in body
    assert "nothing shipped that week" in body  # the legend
    earlier = alice.client.get(reverse("loop:grid") + "?end=2026-W45&weeks=4")
    assert earlier.status_code == 200
