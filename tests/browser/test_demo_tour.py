"""A visitor tours the demo workspace: the home page, a customer's 360 page, the journey map."""

from __future__ import annotations

import pytest

from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Customer, WowPlanItem
from cxloop.demo.journey import JOURNEY_NAME, STAGES
from cxloop.demo.services import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from cxloop.journeys.models import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_tour(live_server, page, screenshot, log_in):
    workspace = load_demo().workspace
    with bind_workspace(workspace):
        planned = WowPlanItem.objects.select_related("customer").first().customer
        journey = Journey.objects.get(name=JOURNEY_NAME)
        assert Customer.objects.count() >= 2000

    log_in(DEMO_EMAIL, DEMO_PASSWORD, workspace.name)

    # Customers → search → the 360 page of a customer with a WOW plan.
    page.get_by_role("link", name="Customers", exact=True).click()
    page.get_by_label("Search").fill(planned.external_id)
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=planned.name).first.click()
    page.get_by_role("heading", name="WOW plan").wait_for()
    for section in ("Profile", "Stance", "Expectations", "Orders", "Experiences, newest first"):
        assert page.get_by_role("heading", name=section).is_visible(), section
    screenshot("demo-customer-360")

    # The bookshop's journey map: stages left to right, in the order they were defined.
    page.get_by_role("link", name="Journeys").click()
    page.get_by_role("link", name=JOURNEY_NAME).first.click()
    page.wait_for_url(f"**/journeys/{journey.pk}/**")
    body = page.content()
    positions = [body.find(name) for name, _, _ in STAGES]
    assert -1 not in positions
    assert positions == sorted(positions)
    screenshot("demo-journey-map")
