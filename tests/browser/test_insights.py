"""A manager opens Insights, follows a spike to its texts, and names an emerging topic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cxloop.core.scoping import bind_workspace
from cxloop.insights import services

from ..conftest import make_tenant
from ..factories import PASSWORD, ExperienceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LATE = "Кур'єр знову запізнився, жахливо"
KVADRO = [
    "Поштомат Kvadro не відчинив комірку, код не підходить",
    "Kvadro поштомат заклинив, комірка закрита",
    "Комірка поштомата Kvadro не відкривається, жах",
    "Поштомат Kvadro знову не бачить код",
    "Kvadro — найгірший поштомат, комірка не відчиняється",
]


def _signals(tenant) -> None:
    now = timezone.now()
    texts = [(LATE, now - timedelta(days=d)) for d in (7, 14, 21, 28)]
    texts += [(LATE, now - timedelta(minutes=m)) for m in range(6)]
    texts += [(t, now - timedelta(days=2, minutes=i)) for i, t in enumerate(KVADRO)]
    made = [
        ExperienceFactory(workspace=tenant.workspace, text=t, nps=1, occurred_at=at, language="uk")
        for t, at in texts
    ]
    with bind_workspace(tenant.workspace):
        services.ensure_default_topics()
        services.analyse_experiences([e.pk for e in made])
        for experience in made:
            services.correct_emotion(experience, "negative")
        services.propose_emerging_topics()


def test_a_manager_follows_a_spike_and_names_an_emerging_topic(
    live_server, page, screenshot, log_in
):
    tenant = make_tenant("Marta")
    _signals(tenant)

    log_in(tenant.user.email, PASSWORD, tenant.workspace.name)

    page.get_by_role("link", name="Insights", exact=True).click()
    page.get_by_role("heading", name="Insights").wait_for()
    spike = page.locator(".spike", has_text="Courier")
    assert "6 complaints" in spike.inner_text()
    screenshot("insights")

    spike.get_by_role("link", name="Read the texts").click()
    page.get_by_role("heading", name="Courier").wait_for()
    assert page.locator(".feed li").count() == 6

    page.get_by_role("link", name="Back to Insights").click()
    page.get_by_role("link", name="Read all its texts, name it or dismiss it").click()
    assert page.locator(".feed li").count() == len(KVADRO)
    page.get_by_label("Topic name").fill("Kvadro lockers")
    page.get_by_role("button", name="Accept as a topic").click()
    page.get_by_role("heading", name="Kvadro lockers").wait_for()
    assert page.locator(".feed li").count() == len(KVADRO)
    screenshot("insights-new-topic")
