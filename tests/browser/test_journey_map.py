"""A manager opens a journey map: stages left to right, each touchpoint with how it felt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ..conftest import make_tenant
from ..factories import (
    PASSWORD,
    DepartmentFactory,
    ExpectationFactory,
    ExperienceFactory,
    JourneyFactory,
    StageFactory,
    TouchpointFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAGES = [
    ("Choose", 0, None, [("Catalogue search", "site", (10, 10, 7, 3))]),
    ("Buy", 0, 0, [("Checkout", "site", (10, 7, 7, 7)), ("Payment", "site", (9, 9, 3))]),
    (
        "Receive",
        1,
        7,
        [("Courier", "delivery", (3, 3, 3, 3, 7, 10)), ("Parcel", "package", (10, 7, 3))],
    ),
    ("Use", 8, 30, [("Reading tips email", "email", ())]),
    ("Come back", 31, 60, [("Repeat order", "site", (10, 10, 9, 7))]),
]


def _journey_with_experiences(tenant):
    workspace = tenant.workspace
    delivery = DepartmentFactory(workspace=workspace, name="Delivery")
    journey = JourneyFactory(workspace=workspace, name="Buying a book")
    now = timezone.now()
    for position, (stage_name, day_from, day_to, points) in enumerate(STAGES, start=1):
        stage = StageFactory(
            workspace=workspace,
            journey=journey,
            name=stage_name,
            position=position,
            day_from=day_from if day_to is not None else None,
            day_to=day_to,
        )
        for n, (name, channel, scores) in enumerate(points, start=1):
            point = TouchpointFactory(
                workspace=workspace,
                stage=stage,
                name=name,
                channel=channel,
                position=n,
                owner_department=delivery if channel in {"delivery", "package"} else None,
            )
            for day, score in enumerate(scores, start=1):
                ExperienceFactory(
                    workspace=workspace,
                    touchpoint=point,
                    customer=None,
                    nps=score,
                    occurred_at=now - timedelta(days=day),
                    text="Кур'єр запізнився на два дні й не попередив" if score <= 6 else "",
                    language="uk",
                )
    courier = TouchpointFactory._meta.model.unscoped.get(workspace=workspace, name="Courier")
    ExpectationFactory(
        workspace=workspace,
        kind="general",
        customer=None,
        touchpoint=courier,
        text="Calls an hour before arriving",
    )
    return journey


def test_the_journey_map_shows_stages_in_order_and_how_each_touchpoint_felt(
    live_server, page, screenshot, log_in
):
    tenant = make_tenant("Marta")
    journey = _journey_with_experiences(tenant)

    log_in(tenant.user.email, PASSWORD, tenant.workspace.name)

    page.get_by_role("link", name="Journeys").click()
    page.get_by_role("link", name="Buying a book").click()
    page.get_by_role("heading", name="Buying a book").wait_for()
    assert page.url.endswith(f"/journeys/{journey.pk}/")

    stage_names = page.locator(".stage-column h3").all_inner_texts()
    assert stage_names == [name for name, *_ in STAGES]
    courier = page.locator(".touchpoint", has_text="Courier")
    # 4 of 6 negative, 1 OK, 1 WOW.
    bar = courier.get_by_role("img")
    assert bar.get_attribute("aria-label") == "67% negative, 17% OK, 16% WOW"
    assert "67%" in courier.locator(".shares").inner_text()
    assert "Calls an hour before arriving" in courier.inner_text()
    assert page.locator("svg.curve circle").count() == len(STAGES)

    page.get_by_label("Period").select_option("30")
    page.wait_for_url("**days=30")
    assert page.locator("#days").input_value() == "30"
    screenshot("journey-map")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot("journey-map-phone")
    # On a phone the stages scroll sideways instead of squeezing or overflowing the page.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    assert overflow
