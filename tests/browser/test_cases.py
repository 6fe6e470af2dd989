"""A manager works an overdue case of the demo: opens it, records the contact, resolves it."""

from __future__ import annotations

import pytest

from cxloop.core.scoping import bind_workspace
from cxloop.demo.services import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from cxloop.loop.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_overdue_case_from_the_list_to_resolved(live_server, page, screenshot, log_in):
    workspace = load_demo().workspace
    log_in(DEMO_EMAIL, DEMO_PASSWORD, workspace.name)

    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("heading", name="Cases").wait_for()
    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 1
    assert rows.filter(has_text="Overdue").count() == rows.count()
    screenshot("cases-overdue")

    rows.first.locator("a").first.click()
    heading = page.get_by_role("heading", level=1)
    heading.wait_for()
    case_id = int(heading.inner_text().split("#")[1].split()[0])
    assert page.get_by_role("heading", name="The signal").is_visible()

    page.get_by_label("How we got in touch").fill("Called, apologised for the late parcel")
    page.get_by_role("button", name="Mark as contacted").click()
    page.get_by_text("Called, apologised for the late parcel").wait_for()
    page.get_by_label("What we did").fill("Sent the book again by courier, free of charge")
    page.get_by_label("Goodwill given").fill("150")
    page.get_by_role("button", name="Resolve", exact=True).click()
    page.get_by_text("Sent the book again by courier, free of charge").first.wait_for()
    screenshot("case-resolved")

    with bind_workspace(workspace):
        case = Case.objects.get(pk=case_id)
    assert case.status == "resolved"
    assert case.contacted_at is not None
    assert case.closed_at is not None
    assert float(case.goodwill_value) == 150.0
    assert page.locator(".page-head .pill", has_text="Resolved").is_visible()
