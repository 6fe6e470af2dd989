"""A manager reads the demo's postcard experiment, then defines a new one in the browser."""

from __future__ import annotations

import pytest

from cxloop.analytics.experiments import experiment_results
from cxloop.analytics.models import Experiment
from cxloop.core.scoping import bind_workspace
from cxloop.demo.services import DEMO_EMAIL, DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_postcard_experiment_and_a_new_sequential_one(live_server, page, screenshot, log_in):
    workspace = load_demo().workspace
    with bind_workspace(workspace):
        postcard = Experiment.objects.get(name="Листівка-подяка в посилці")
        verdict = experiment_results(postcard).variants[1].verdict
    assert verdict in {"noise", "significant"}  # it ended: the fixed horizon decides
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    log_in(DEMO_EMAIL, DEMO_PASSWORD, workspace.name)

    page.get_by_role("link", name="Experiments", exact=True).click()
    page.get_by_role("link", name="Листівка-подяка в посилці").click()
    page.get_by_role("heading", name="Results").wait_for()
    assert page.get_by_text("Fixed horizon: two-proportion z-test").is_visible()
    # The page says what the test decided (the demo's dates move daily, so the split does too).
    if verdict == "noise":
        assert page.get_by_text("Not distinguishable from noise").is_visible()
    else:
        assert page.get_by_text("significant at 95 %").is_visible()
    screenshot("experiment-postcard")

    page.get_by_role("link", name="All experiments").click()
    page.get_by_role("link", name="New experiment").click()
    page.get_by_label("Name").fill("Bookmark in every parcel")
    page.get_by_label("Metric").select_option("wow_rate")
    page.get_by_label("Sequential (always-valid mSPRT, read any time)").check()
    page.get_by_label("Starts").fill("2026-01-01")
    page.get_by_label("Ends").fill("2026-12-31")
    page.get_by_label("Minimum detectable effect").fill("5")
    page.get_by_label("Variants").fill("No bookmark\nBookmark | 1")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Bookmark in every parcel").wait_for()
    assert page.get_by_text("Sequential: mixture sequential probability ratio test").is_visible()
    assert page.get_by_text("can be stopped at any time").first.is_visible()
    screenshot("experiment-new-sequential")
    assert problems == []
