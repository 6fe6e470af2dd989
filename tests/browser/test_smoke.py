"""A person logs in, switches the interface to Ukrainian and sees the home page translated."""

from __future__ import annotations

import pytest

from ..conftest import make_tenant
from ..factories import PASSWORD, ExperienceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_then_switch_to_ukrainian(live_server, page, screenshot):
    tenant = make_tenant("Olena")
    ExperienceFactory(workspace=tenant.workspace, nps=10, text="Дуже швидко привезли!")

    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Email").fill(tenant.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("heading", name=tenant.workspace.name).wait_for()
    assert page.get_by_role("link", name="Customers").is_visible()
    assert "Дуже швидко привезли!" in page.content()
    screenshot("home-en")

    page.get_by_label("Language").select_option("uk")
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Клієнти").wait_for()
    assert page.locator("html").get_attribute("lang") == "uk"
    body = page.content()
    for english in ("Latest words from customers", "Net Promoter Score", "Log out"):
        assert english not in body, f"{english!r} is not translated"
    screenshot("home-uk")


def test_keyboard_user_can_reach_the_main_content(live_server, page):
    tenant = make_tenant("Taras")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(tenant.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=tenant.workspace.name).wait_for()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Skip to content" in focused
