"""The selectors contract: series, groups, comparisons, drill-down, drivers, dropdown choices."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cxloop.analytics import selectors
from cxloop.analytics.selectors import Slice
from cxloop.core.scoping import bind_workspace
from cxloop.experiences.services import record_experience
from cxloop.insights.models import ExperienceAnalysis, Topic
from tests.factories import CustomerFactory, SegmentFactory, TouchpointFactory

MONDAY = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # a Monday
JUNE = Slice(date(2026, 6, 1), date(2026, 7, 1))


@pytest.fixture
def shop(alice):
    workspace = alice.workspace
    site = TouchpointFactory(workspace=workspace, name="Checkout", channel="site")
    courier = TouchpointFactory(workspace=workspace, name="Courier", channel="delivery")
    regulars = SegmentFactory(workspace=workspace, name="Regulars")
    with bind_workspace(workspace):
        regular = CustomerFactory(workspace=workspace, segment=regulars)
        # Week 1 (1–7 June) at the checkout: 40 promoters. Week 2 at the courier: 40 detractors.
        for i in range(40):
            record_experience(
                source="survey",
                occurred_at=MONDAY + timedelta(hours=i),
                touchpoint=site,
                customer=regular,
                score=10,
                scale="nps",
                text="fast site",
            )
            record_experience(
                source="survey",
                occurred_at=MONDAY + timedelta(days=7, hours=i),
                touchpoint=courier,
                score=2,
                scale="nps",
                text="late courier",
            )
        yield workspace, site, courier, regulars


def test_series_by_week_and_month_has_every_period(shop):
    workspace, *_ = shop
    with bind_workspace(workspace):
        weeks = selectors.metric_series("nps", JUNE, "week")
        months = selectors.metric_series("nps", Slice(date(2026, 5, 15), date(2026, 7, 1)), "month")
    assert [start for start, _ in weeks] == [date(2026, 6, d) for d in (1, 8, 15, 22, 29)]
    assert [(v.value, v.n) for _, v in weeks[:3]] == [(100.0, 40), (-100.0, 40), (None, 0)]
    assert [(start, v.n) for start, v in months] == [(date(2026, 5, 1), 0), (date(2026, 6, 1), 80)]


def test_by_dimension_gives_labels_keys_and_values(shop):
    workspace, site, courier, regulars = shop
    with bind_workspace(workspace):
        by_channel = selectors.metric_by("nps", JUNE, "channel")
        by_segment = selectors.metric_by("nps", JUNE, "segment")
        by_touchpoint = selectors.metric_by("nps", JUNE, "touchpoint")
    assert {(label, key, v.value) for label, key, v in by_channel} == {
        ("Website", "site", 100.0),
        ("Delivery", "delivery", -100.0),
    }
    assert {(label, key) for label, key, _ in by_segment} == {
        ("Regulars", regulars.pk),
        ("No segment", ""),
    }
    assert {key for _, key, _ in by_touchpoint} == {site.pk, courier.pk}


def test_filters_narrow_every_selector(shop):
    workspace, site, _, regulars = shop
    with bind_workspace(workspace):
        assert selectors.metric_value("nps", JUNE.narrowed(channel="site")).value == 100.0
        assert selectors.metric_value("nps", JUNE.narrowed(segment=regulars.pk)).n == 40
        assert (
            selectors.metric_value("nps", JUNE.narrowed(touchpoint=site.pk, language="en")).n == 0
        )
        assert selectors.metric_value("nps", JUNE.narrowed(stage=site.stage_id)).n == 40


def test_compare_two_weeks_is_significant_and_says_so(shop):
    workspace, *_ = shop
    with bind_workspace(workspace):
        week1 = Slice(date(2026, 6, 1), date(2026, 6, 8))
        week2 = Slice(date(2026, 6, 8), date(2026, 6, 15))
        result = selectors.compare("nps", week1, week2)
        same = selectors.compare("nps", week1, week1)
    assert result.diff == 200.0
    assert result.significant
    assert not result.small
    assert str(result.verdict) == "significant at 95%"
    assert result.test.startswith("z-test")
    assert not same.significant
    assert str(same.verdict) == "not distinguishable from noise"


def test_compare_flags_small_groups(shop):
    workspace, *_ = shop
    with bind_workspace(workspace):
        result = selectors.compare("nps", Slice(date(2026, 6, 1), date(2026, 6, 2)), JUNE)
    assert result.small  # 24 answers on 1 June


def test_emotion_mix_series_counts_per_period(shop):
    workspace, *_ = shop
    with bind_workspace(workspace):
        mix = selectors.emotion_mix_series(JUNE, "week")
    assert mix[0] == (date(2026, 6, 1), {"negative": 0, "ok": 0, "wow": 40})
    assert mix[1] == (date(2026, 6, 8), {"negative": 40, "ok": 0, "wow": 0})


def test_drill_down_gives_the_rows_behind_a_number(shop, bob):
    workspace, *_ = shop
    with bind_workspace(workspace):
        detractors = selectors.answers(JUNE, "nps", "detractor")
        assert detractors.count() == 40
        assert {e.score for e in detractors} == {2}
        assert selectors.answers(JUNE, "nps", "promoter").count() == 40
        with pytest.raises(ValueError, match="promoter"):
            selectors.answers(JUNE, "nps", "fans")
    with bind_workspace(bob.workspace):
        assert selectors.answers(JUNE).count() == 0


def test_drivers_rank_what_hurts_most_first(shop):
    workspace, _site, _courier, _ = shop
    with bind_workspace(workspace):
        late = Topic.objects.create(key="delivery", name="Delivery")
        for experience in selectors.answers(JUNE, "nps", "detractor"):
            analysis = ExperienceAnalysis.objects.create(
                experience=experience,
                language="en",
                emotion="negative",
                confidence=1.0,
                classifier="test",
                analysed_at=timezone.now(),
            )
            analysis.topics.add(late)
        found = selectors.drivers("nps", JUNE)
    worst = found[0]
    # Half the answers mention delivery; NPS is −100 with it and +100 without: impact −100.
    assert worst.label in {"Delivery", "Courier"}
    assert (worst.share, worst.difference, worst.impact) == (50.0, -200.0, -100.0)
    assert {(d.kind, d.label) for d in found} == {
        ("topic", "Delivery"),
        ("touchpoint", "Courier"),
        ("touchpoint", "Checkout"),
    }


def test_dimension_choices_for_dropdowns(shop):
    workspace, site, courier, regulars = shop
    with bind_workspace(workspace):
        assert (regulars.pk, "Regulars") in selectors.dimension_choices("segment")
        assert ("site", "Website") in selectors.dimension_choices("channel")
        assert {k for k, _ in selectors.dimension_choices("touchpoint")} == {site.pk, courier.pk}
        assert ("survey", "Survey") in selectors.dimension_choices("source")
        with pytest.raises(ValueError, match="dimension"):
            selectors.dimension_choices("planet")


def test_week_by_channel_table_is_one_query_on_the_small_rollup(shop):
    workspace, *_ = shop
    with bind_workspace(workspace), CaptureQueriesContext(connection) as queries:
        cells = selectors.metric_table(["nps", "csat", "wow_rate"], JUNE, "week", "channel")
    rollup_queries = [q["sql"] for q in queries if "analytics_" in q["sql"]]
    assert len(rollup_queries) == 1
    assert "experiencedaytouchpoint" in rollup_queries[0]
    assert [(c.period, c.key, c.values["nps"].value) for c in cells] == [
        (date(2026, 6, 1), "site", 100.0),
        (date(2026, 6, 8), "delivery", -100.0),
    ]


def test_each_question_reads_the_smallest_rollup_that_can_answer_it(shop):
    workspace, _site, _, regulars = shop

    def tables(run) -> set[str]:
        with CaptureQueriesContext(connection) as queries:
            run()
        return {
            name
            for q in queries
            for name in ("experienceday", "experiencedaytouchpoint", "experiencedaysegment")
            if f'"analytics_{name}"' in q["sql"]
        }

    with bind_workspace(workspace):
        assert tables(
            lambda: selectors.metric_value("nps", JUNE.narrowed(segment=regulars.pk))
        ) == {"experiencedaysegment"}
        assert tables(lambda: selectors.metric_by("nps", JUNE, "department")) == {
            "experiencedaytouchpoint"
        }
        assert tables(
            lambda: selectors.metric_value(
                "nps", JUNE.narrowed(segment=regulars.pk, channel="site")
            )
        ) == {"experienceday"}
        assert (
            selectors.metric_value("nps", JUNE.narrowed(segment=regulars.pk, channel="site")).n
            == 40
        )


def test_slices_refuse_unknown_filters_and_know_their_previous_period():
    with pytest.raises(ValueError, match="dimension"):
        Slice(date(2026, 1, 1), date(2026, 2, 1), {"planet": 3})
    assert Slice(date(2026, 6, 8), date(2026, 6, 15)).previous() == Slice(
        date(2026, 6, 1), date(2026, 6, 8)
    )
    assert Slice.last_days(7, date(2026, 6, 7)) == Slice(date(2026, 6, 1), date(2026, 6, 8))
