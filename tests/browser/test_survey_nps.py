"""A customer answers an NPS survey on a phone in Ukrainian; staff see it on the results page
and in the customer's timeline."""

from __future__ import annotations

import pytest

from ..conftest import make_tenant
from ..factories import PASSWORD, CustomerFactory, SurveyFactory, TouchpointFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_nps_answered_on_a_phone_in_ukrainian_reaches_results_and_timeline(
    live_server, browser, page, screenshot, log_in
):
    from cxloop.core.scoping import bind_workspace
    from cxloop.feedback.services import issue_invitation

    tenant = make_tenant("Oksana")
    courier = TouchpointFactory(workspace=tenant.workspace, name="Кур'єр")
    survey = SurveyFactory(
        workspace=tenant.workspace, kind="nps", name="NPS після доставки", touchpoint=courier
    )
    customer = CustomerFactory(workspace=tenant.workspace, name="Ірина Бондар", language="uk")
    with bind_workspace(tenant.workspace):
        link = issue_invitation(survey, customer).path

    phone = browser.new_context(viewport=PHONE, locale="uk-UA", is_mobile=True, has_touch=True)
    try:
        mobile = phone.new_page()
        mobile.goto(f"{live_server.url}{link}")
        assert mobile.locator("html").get_attribute("lang") == "uk"
        question = mobile.get_by_role(
            "group", name="Наскільки ймовірно, що ви порекомендуєте нас другу чи колезі?"
        )
        question.wait_for()
        # No horizontal scrolling on a phone.
        assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        mobile.screenshot(path=str(_path("survey-nps-phone-1")), full_page=True)
        question.get_by_text("4", exact=True).click()
        mobile.locator("form button[type=submit]").click()

        mobile.get_by_role("group", name="Що пішло не так?").wait_for()
        mobile.get_by_text("Доставка", exact=True).click()
        mobile.get_by_label("Яка головна причина вашої оцінки?").fill(
            "Кур'єр приїхав на два дні пізніше, ніж обіцяли."
        )
        mobile.screenshot(path=str(_path("survey-nps-phone-2")), full_page=True)
        mobile.locator("form button[type=submit]").click()
        mobile.wait_for_url("**/thanks/")
        assert "48" in mobile.content()
        mobile.screenshot(path=str(_path("survey-nps-phone-thanks")), full_page=True)
    finally:
        phone.close()

    log_in(tenant.user.email, PASSWORD, tenant.workspace.name)

    page.goto(f"{live_server.url}/surveys/{survey.pk}/results/")
    page.get_by_text("Кур'єр приїхав на два дні пізніше").wait_for()
    assert "Ірина Бондар" in page.content()
    screenshot("survey-nps-results")

    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.get_by_text("Кур'єр приїхав на два дні пізніше").wait_for()
    screenshot("survey-nps-customer-360")


def _path(name: str):
    from .conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
