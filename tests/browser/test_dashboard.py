"""A manager reads the demo workspace's dashboard: switches the period and the segment, then
drills down from the NPS tile to the answers behind it. Charts must draw under the strict CSP."""

from __future__ import annotations

import re

import pytest

from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Segment
from cxloop.demo.services import DEMO_EMAIL, DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_dashboard_period_segment_and_drill_down_to_answers(live_server, page, screenshot):
    workspace = load_demo().workspace
    with bind_workspace(workspace):
        segment = Segment.objects.order_by("name").first()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error",) else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    _log_in(page, live_server)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.get_by_role("heading", name="Dashboard").wait_for()
    nps_tile = page.locator("[data-metric=nps]")
    assert nps_tile.is_visible()
    # Chart.js drew the sparklines (it marks each canvas it took over).
    page.wait_for_selector("[data-metric=nps] canvas[data-drawn]")
    # The stance mix arrives after the page (htmx), with a link per stance to the customers.
    page.wait_for_selector("[data-metric=stance_mix] .stance-legend a")

    # A longer period, then one segment: both end up in the address, so the view can be shared.
    page.locator("select[name=period]").select_option("90d")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"period=90d"))
    page.locator("select[name=segment]").select_option(str(segment.pk))
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"segment={segment.pk}"))
    assert "period=90d" in page.url
    page.wait_for_selector("[data-metric=nps] canvas[data-drawn]")
    screenshot("dashboard-desktop")

    # The NPS value is a link to the answers behind it, with the same period and segment.
    page.get_by_role("link", name="Answers behind NPS").click()
    page.get_by_role("heading", name=re.compile("Answers behind NPS")).wait_for()
    assert f"segment={segment.pk}" in page.url
    assert "metric=nps" in page.url
    answers = page.locator("ul.answers > li")
    assert answers.count() > 0
    # Every answer shown is an NPS answer (0–10) and links to its customer's 360 page.
    first = answers.first
    assert "(NPS" in first.inner_text() or "NPS" in first.inner_text()
    first.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/customers/\d+/"))
    screenshot("dashboard-answer-customer")

    assert not [p for p in problems if "Content Security Policy" in p], problems
    assert not [p for p in problems if "Error" in p], problems


def test_dashboard_and_explorer_fit_a_phone(live_server, browser):
    load_demo()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    try:
        _log_in(page, live_server)
        page.goto(f"{live_server.url}/analytics/?period=12m")
        page.wait_for_selector("[data-metric=nps] canvas[data-drawn]")
        # Nothing wider than the screen: the page does not scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        page.screenshot(path=str(_path("dashboard-phone")), full_page=True)
        page.goto(f"{live_server.url}/analytics/explore/?metric=nps&period=12m&by=channel")
        page.wait_for_selector("canvas[data-chart=line-chart][data-drawn]")
        # The key drivers come after the page and are drawn as a priority matrix.
        page.wait_for_selector("canvas[data-chart=drivers-matrix][data-drawn]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        page.screenshot(path=str(_path("explore-phone")), full_page=True)
    finally:
        context.close()


def _path(name: str):
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
