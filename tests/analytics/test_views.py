"""The dashboard, the metric explorer and the answers list: who may see them, what they show,
how they refuse a bad query string, what they cost in queries and what their CSV holds."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cxloop.accounts.models import Role
from cxloop.analytics.services import rebuild_rollups

from ..conftest import make_tenant
from ..factories import CustomerFactory, ExperienceFactory, SegmentFactory, TouchpointFactory

DASHBOARD = reverse("analytics:dashboard")
EXPLORE = reverse("analytics:explore")
ANSWERS = reverse("analytics:answers")
STANCE = reverse("analytics:stance")
DRIVERS = reverse("analytics:drivers")

pytestmark = pytest.mark.django_db


def _answers(workspace, scores, *, segment=None, days_ago=1, **extra):
    """NPS answers, one customer each, then the rollups the analytics read."""
    made = []
    for score in scores:
        customer = CustomerFactory(workspace=workspace, segment=segment)
        made.append(
            ExperienceFactory(
                workspace=workspace,
                customer=customer,
                nps=score,
                occurred_at=timezone.now() - timedelta(days=days_ago),
                **extra,
            )
        )
    rebuild_rollups(workspace)
    return made


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


# --- who may look -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [DASHBOARD, EXPLORE, ANSWERS, STANCE, DRIVERS])
def test_pages_need_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", [DASHBOARD, EXPLORE, ANSWERS, STANCE, DRIVERS])
def test_a_viewer_can_read_every_page(db, url):
    viewer = make_tenant("Vera", role=Role.VIEWER)
    _answers(viewer.workspace, [10, 9, 3])
    assert viewer.client.get(url).status_code == 200


def test_the_main_navigation_links_to_the_dashboard(alice):
    body = alice.client.get(reverse("web:home")).content.decode()
    assert f'href="{DASHBOARD}"' in body


# --- what the dashboard shows ---------------------------------------------------------------


def test_nps_tile_shows_the_selectors_value_and_links_to_its_answers(alice):
    # 3 promoters, 1 passive, 1 detractor: NPS = 100 × (3 − 1) / 5 = +40.
    _answers(alice.workspace, [10, 9, 9, 7, 3])
    response = alice.client.get(DASHBOARD, {"period": "7d"})
    assert response.status_code == 200
    tile = next(t for t in response.context["tiles"] if t.key == "nps")
    assert tile.value.value == pytest.approx(40.0)
    assert tile.value.n == 5
    assert tile.value.small  # five answers are a small group, and the page says so
    body = response.content.decode()
    assert "small group (n=5)" in body
    assert "metric=nps" in tile.answers_url
    assert tile.answers_url.replace("&", "&amp;") in body
    # The sparkline's data is JSON for charts.js, not an inline script.
    assert 'id="spark-nps" type="application/json"' in body
    assert "<script>" not in body


def test_every_dashboard_tile_is_a_registry_metric_with_a_trend_and_a_change(alice):
    _answers(alice.workspace, [10, 9, 3])
    tiles = alice.client.get(DASHBOARD).context["tiles"]
    keys = [t.key for t in tiles]
    for key in ("nps", "csat", "ces", "wow_rate", "negative_share", "response_rate"):
        assert key in keys
    for tile in tiles:
        assert tile.chart["kind"] == "sparkline"
        assert len(tile.chart["labels"]) == len(tile.chart["urls"])
        assert tile.comparison is not None


def test_filters_go_into_every_drill_down_link(alice):
    segment = SegmentFactory(workspace=alice.workspace, name="Loyal readers")
    _answers(alice.workspace, [10, 9], segment=segment)
    response = alice.client.get(DASHBOARD, {"period": "90d", "segment": segment.pk})
    assert response.status_code == 200
    for tile in response.context["tiles"]:
        assert f"segment={segment.pk}" in tile.answers_url
        assert f"segment={segment.pk}" in tile.explore_url
        if tile.metric.drillable:  # the response rate counts invitations, not answers
            assert all(f"segment={segment.pk}" in url for url in tile.chart["urls"])


def test_a_segment_filter_changes_the_numbers(alice):
    loyal = SegmentFactory(workspace=alice.workspace, name="Loyal")
    _answers(alice.workspace, [10, 10, 10], segment=loyal)
    _answers(alice.workspace, [0, 0])
    everyone = alice.client.get(DASHBOARD).context["tiles"][0]
    only_loyal = alice.client.get(DASHBOARD, {"segment": loyal.pk}).context["tiles"][0]
    assert everyone.key == only_loyal.key == "nps"
    assert everyone.value.n == 5
    assert only_loyal.value.n == 3
    assert only_loyal.value.value == pytest.approx(100.0)


# --- bad query strings: a clear error, never other numbers ---------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "forever"}, "is not a period"),
        ({"period": "custom"}, "needs both dates"),
        ({"period": "custom", "start": "2026-05-02", "end": "2026-05-01"}, "swap From and To"),
        ({"period": "custom", "start": "yesterday", "end": "2026-05-01"}, "Enter a valid date"),
        ({"segment": "999999"}, "is not a segment of this workspace"),
        ({"channel": "carrier-pigeon"}, "is not a channel of this workspace"),
    ],
)
def test_dashboard_refuses_bad_parameters_with_a_reason(alice, params, message):
    response = alice.client.get(DASHBOARD, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "tiles" not in response.context


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"metric": "happiness"}, "is not a metric"),
        ({"grain": "hour"}, "is not a grain"),
        ({"by": "shoe_size"}, "is not a breakdown"),
        (
            {"period": "custom", "start": "2020-01-01", "end": "2024-01-01", "grain": "day"},
            "choose a coarser grain",
        ),
        ({"period": "custom", "start": "2015-01-01", "end": "2026-01-01"}, "at most five years"),
        ({"metric": "prosecutors"}, "is not a metric"),  # today's stance has no history
        ({"compare": "groups", "by": "segment"}, "Pick two groups"),
    ],
)
def test_explorer_refuses_bad_parameters_with_a_reason(alice, params, message):
    response = alice.client.get(EXPLORE, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_bad_csv_request_says_why_in_plain_text(alice):
    response = alice.client.get(DASHBOARD, {"period": "forever", "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "is not a period" in response.content.decode()


def test_another_workspaces_segment_is_refused_and_nothing_leaks(alice, bob):
    secret = SegmentFactory(workspace=alice.workspace, name="ALICE-ONLY segment")
    _answers(alice.workspace, [10, 9], segment=secret, text="ALICE-ONLY words")
    for url in (DASHBOARD, EXPLORE, ANSWERS, STANCE, DRIVERS):
        response = bob.client.get(url, {"segment": secret.pk})
        assert response.status_code == 400
        body = response.content.decode()
        assert "ALICE-ONLY" not in body
    answers = bob.client.get(ANSWERS, {"metric": "nps"}).content.decode()
    assert "ALICE-ONLY" not in answers


def test_stance_mix_loads_after_the_page_and_links_to_the_customers(alice):
    from cxloop.customers.models import Customer

    loyal = SegmentFactory(workspace=alice.workspace, name="Loyal")
    for stance in ("advocate", "advocate", "advocate", "prosecutor"):
        CustomerFactory(workspace=alice.workspace, segment=loyal, stance=stance)
    CustomerFactory(workspace=alice.workspace, stance="neutral")
    page = alice.client.get(DASHBOARD).content.decode()
    assert f'hx-get="{STANCE}?' in page
    response = alice.client.get(STANCE, {"segment": loyal.pk}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    shares = {s.metric.key: s for s in response.context["stance"]}
    assert shares["advocates"].value.value == pytest.approx(75.0)
    assert shares["advocates"].value.n == 4
    assert f"stance=advocate&amp;segment={loyal.pk}" in body
    assert Customer.unscoped.filter(workspace=alice.workspace).count() == 5
    # Opened without htmx (no JavaScript), the same tile comes inside the page's shell.
    assert "<html" in alice.client.get(STANCE).content.decode()


# --- the explorer ----------------------------------------------------------------------------


def test_explorer_draws_the_metric_with_its_band_and_breaks_it_down(alice):
    loyal = SegmentFactory(workspace=alice.workspace, name="Loyal")
    new = SegmentFactory(workspace=alice.workspace, name="New")
    _answers(alice.workspace, [10] * 31, segment=loyal)
    _answers(alice.workspace, [3, 9], segment=new)
    response = alice.client.get(
        EXPLORE, {"metric": "nps", "period": "30d", "grain": "week", "by": "segment"}
    )
    assert response.status_code == 200
    line = response.context["line"]
    assert line["kind"] == "band"
    assert len(line["values"]) == len(line["low"]) == len(line["high"]) == len(line["urls"])
    rows = {row.label: row for row in response.context["rows"]}
    assert rows["Loyal"].value.n == 31
    assert not rows["Loyal"].value.small
    assert rows["New"].value.small
    body = response.content.decode()
    assert "small group (n=2)" in body
    assert f"segment={new.pk}" in rows["New"].url


def test_explorer_compares_two_groups_with_difference_interval_and_verdict(alice):
    loyal = SegmentFactory(workspace=alice.workspace, name="Loyal")
    new = SegmentFactory(workspace=alice.workspace, name="New")
    _answers(alice.workspace, [10] * 40, segment=loyal)
    _answers(alice.workspace, [0] * 40, segment=new)
    response = alice.client.get(
        EXPLORE,
        {
            "metric": "nps",
            "by": "segment",
            "compare": "groups",
            "group_a": loyal.pk,
            "group_b": new.pk,
        },
    )
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert comparison["a_label"] == "Loyal"
    assert comparison["result"].diff == pytest.approx(200.0)
    body = response.content.decode()
    assert "significant at 95%" in body


def test_explorer_compares_with_the_previous_period(alice):
    _answers(alice.workspace, [10, 9, 3])
    _answers(alice.workspace, [0, 0, 9], days_ago=40)
    response = alice.client.get(EXPLORE, {"metric": "nps", "period": "30d", "compare": "previous"})
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert comparison["a_value"].n == 3
    assert comparison["b_value"].n == 3
    assert "not distinguishable from noise" in response.content.decode()


# --- the answers behind a number --------------------------------------------------------------


def test_answers_list_escapes_customer_text_and_links_the_customer(alice):
    (experience,) = _answers(alice.workspace, [2], text="<script>alert('x')</script> late again")
    body = alice.client.get(ANSWERS, {"metric": "nps", "bucket": "detractor"}).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; late again" in body
    assert reverse("customers:detail", args=[experience.customer_id]) in body


def test_answers_of_a_bucket_are_only_that_bucket(alice):
    _answers(alice.workspace, [10], text="promoter words")
    _answers(alice.workspace, [1], text="detractor words")
    body = alice.client.get(ANSWERS, {"metric": "nps", "bucket": "detractor"}).content.decode()
    assert "detractor words" in body
    assert "promoter words" not in body


def test_answers_are_paginated(alice):
    _answers(alice.workspace, [9] * 30)
    first = alice.client.get(ANSWERS, {"metric": "nps"})
    assert len(first.context["page"].object_list) == 25
    second = alice.client.get(ANSWERS, {"metric": "nps", "page": 2})
    assert len(second.context["page"].object_list) == 5


def test_an_unknown_bucket_is_refused(alice):
    response = alice.client.get(ANSWERS, {"metric": "nps", "bucket": "ecstatic"})
    assert response.status_code == 400


# --- CSV of every table -------------------------------------------------------------------------


def test_dashboard_csv_has_one_row_per_tile(alice):
    _answers(alice.workspace, [10, 9, 3])
    response = alice.client.get(DASHBOARD, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][:2] == ["metric", "value"]
    page = alice.client.get(DASHBOARD).context
    assert len(rows) - 1 == len(page["tiles"]) + 3  # and the three stances
    assert [row[0] for row in rows[1:]][-3:] == ["Prosecutors", "Neutrals", "Advocates"]


@pytest.mark.parametrize("table", ["series", "breakdown"])
def test_explorer_tables_download_as_csv(alice, table):
    _answers(alice.workspace, [10, 9, 3])
    response = alice.client.get(EXPLORE, {"metric": "nps", "format": "csv", "table": table})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="cxloop-{table}.csv"'
    assert len(_csv(response)) >= 2


def test_an_unknown_table_is_refused(alice):
    response = alice.client.get(EXPLORE, {"format": "csv", "table": "secrets"})
    assert response.status_code == 400
    assert "series" in response.content.decode()


def test_answers_csv_defuses_formulas_in_customer_text(alice):
    _answers(alice.workspace, [2], text='=HYPERLINK("http://evil")')
    rows = _csv(alice.client.get(ANSWERS, {"metric": "nps", "format": "csv"}))
    assert rows[1][-1].startswith("'=HYPERLINK")


# --- cost -----------------------------------------------------------------------------------


def test_dashboard_query_count_does_not_grow_with_data(alice, django_assert_max_num_queries):
    segments = [SegmentFactory(workspace=alice.workspace, name=f"S{i}") for i in range(5)]
    for i, segment in enumerate(segments):
        _answers(alice.workspace, [i, 9, 10], segment=segment, days_ago=i + 1)
    with django_assert_max_num_queries(60):
        assert alice.client.get(DASHBOARD, {"period": "90d"}).status_code == 200


def test_explorer_and_answers_query_counts_stay_flat(alice, django_assert_max_num_queries):
    _answers(alice.workspace, [1, 5, 9, 10] * 10)
    with django_assert_max_num_queries(30):
        assert alice.client.get(EXPLORE, {"metric": "nps", "by": "channel"}).status_code == 200
    with django_assert_max_num_queries(15):
        assert alice.client.get(DRIVERS, {"metric": "nps"}).status_code == 200
    with django_assert_max_num_queries(15):
        assert alice.client.get(ANSWERS, {"metric": "nps"}).status_code == 200


# --- key drivers and their answers ------------------------------------------------------------


def _analysed(experience, topic):
    from cxloop.core.scoping import bind_workspace
    from cxloop.insights.models import ExperienceAnalysis

    with bind_workspace(experience.workspace):
        analysis = ExperienceAnalysis.objects.create(
            workspace=experience.workspace,
            experience=experience,
            language="en",
            emotion=experience.emotion,
            confidence=0.9,
            classifier="test",
            analysed_at=timezone.now(),
        )
        analysis.topics.add(topic)


def test_key_drivers_link_to_the_answers_that_mention_them(alice):
    from cxloop.insights.models import Topic

    courier = TouchpointFactory(workspace=alice.workspace, name="Courier")
    late = Topic.unscoped.create(workspace=alice.workspace, key="delivery", name="Delivery")
    for experience in _answers(alice.workspace, [1, 2, 3], touchpoint=courier, text="late"):
        _analysed(experience, late)
    _answers(alice.workspace, [10, 9, 10, 9], text="lovely")
    explorer = alice.client.get(EXPLORE, {"metric": "nps", "period": "30d"}).content.decode()
    # The explorer asks for its drivers after it loaded (they read raw answers, not rollups).
    assert 'hx-get="/analytics/drivers/?metric=nps&amp;period=30d"' in explorer
    response = alice.client.get(DRIVERS, {"metric": "nps", "period": "30d"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # a fragment for htmx to swap in
    rows = {d.label: url for d, url in response.context["driver_rows"]}
    assert f"touchpoint={courier.pk}" in rows["Courier"]
    assert f"topic={late.pk}" in rows["Delivery"]
    points = {p["label"]: p for p in response.context["matrix"]["points"]}
    assert points["Delivery"]["quadrant"] in ("fix", "watch")  # it pulls NPS down
    # The topic's link lists exactly the answers that mention it.
    body = alice.client.get(rows["Delivery"]).content.decode()
    assert body.count(">late<") == 3
    assert "lovely" not in body


def test_drivers_table_downloads_as_csv(alice):
    courier = TouchpointFactory(workspace=alice.workspace, name="Courier")
    _answers(alice.workspace, [1, 2], touchpoint=courier)
    _answers(alice.workspace, [10, 9])
    rows = _csv(alice.client.get(EXPLORE, {"metric": "nps", "format": "csv", "table": "drivers"}))
    assert rows[0][:2] == ["driver", "kind"]
    assert rows[1][:2] == ["Courier", "touchpoint"]


def test_comparison_downloads_as_csv_and_parquet(alice):
    loyal = SegmentFactory(workspace=alice.workspace, name="Loyal")
    new = SegmentFactory(workspace=alice.workspace, name="New")
    _answers(alice.workspace, [10, 9], segment=loyal)
    _answers(alice.workspace, [0, 9], segment=new)
    query = {"metric": "nps", "compare": "groups", "group_a": loyal.pk, "group_b": new.pk}
    rows = _csv(alice.client.get(EXPLORE, {**query, "format": "csv", "table": "comparison"}))
    assert [rows[1][0], rows[2][0]] == ["Loyal", "New"]
    parquet = alice.client.get(EXPLORE, {**query, "format": "parquet", "table": "comparison"})
    assert parquet.status_code == 200
    assert b"".join(parquet.streaming_content)[:4] == b"PAR1"


# --- languages ------------------------------------------------------------------------------


def test_numbers_and_dates_follow_the_readers_language(alice):
    _answers(alice.workspace, [10, 9, 9, 7, 3])  # NPS +40.0
    english = alice.client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    ukrainian = alice.client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert ">40.0<" in english
    assert ">40,0<" in ukrainian
    assert '<html lang="uk">' in ukrainian


def test_a_bare_dashboard_address_shows_the_period_it_measures(alice):
    body = alice.client.get(DASHBOARD).content.decode()
    assert '<option value="30d" selected>' in body
    assert '<option value="7d" selected>' not in body
