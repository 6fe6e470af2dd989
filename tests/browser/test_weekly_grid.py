"""A manager opens the demo's weekly improvement grid, then an improvement and its effect."""

from __future__ import annotations

import pytest

from cxloop.core.scoping import bind_workspace
from cxloop.demo.improvements import PROTECTIVE_TITLE
from cxloop.demo.services import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from cxloop.loop import effects, grid
from cxloop.loop.models import Improvement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_weekly_grid_to_an_improvements_before_and_after_chart(
    live_server, page, screenshot, log_in
):
    workspace = load_demo().workspace
    with bind_workspace(workspace):
        packaging = Improvement.objects.get(title=PROTECTIVE_TITLE)
        effect = effects.measure(packaging)
        delivery_streak = max(grid.streaks().values())
    assert delivery_streak >= 5  # the demo's delivery team shipped in each of the last weeks
    # The simulated warehouse really damaged fewer parcels from the ship date on.
    share = next(c for c in effect.comparisons if c.key == "negative_share")
    assert share.after < share.before

    log_in(DEMO_EMAIL, DEMO_PASSWORD, workspace.name)
    assert page.get_by_role("heading", name="Our CX goal").is_visible()

    page.get_by_role("link", name="Improvements", exact=True).click()
    page.get_by_role("link", name="Weekly grid").click()
    page.get_by_role("heading", name="Weekly improvement grid").wait_for()
    table = page.locator("table.weekly-grid")
    assert table.locator("td.cell-empty").count() > 0
    assert table.locator("td.cell-filled").count() > 0
    assert page.get_by_text(f"streak: {delivery_streak} weeks").is_visible()
    # This week's column is on screen at laptop width, without scrolling sideways.
    current = table.locator("th.cell-current").bounding_box()
    assert current["x"] + current["width"] <= page.viewport_size["width"]
    screenshot("weekly-grid")

    # The packaging change shipped ten weeks ago: it is on the grid; open it.
    page.get_by_role("link", name=PROTECTIVE_TITLE[:27]).first.click()
    page.get_by_role("heading", name=PROTECTIVE_TITLE).wait_for()
    chart = page.get_by_role("img", name="Share of negative experiences per week")
    chart.wait_for()
    assert chart.locator("rect.bar.before").count() == 6
    assert chart.locator("rect.bar.after").count() == 6
    assert page.get_by_text("two-proportion z-test").first.is_visible()
    assert page.locator("tr.metric-negative_share").is_visible()
    screenshot("improvement-effect")
