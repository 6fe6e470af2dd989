"""The journey map's shares, the emotion curve and the worst touchpoints, on hand-made data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cxloop.experiences.selectors import EmotionMix
from cxloop.journeys import selectors
from cxloop.journeys.charts import emotion_curve
from cxloop.journeys.selectors import Shares

from ..factories import ExperienceFactory, JourneyFactory, StageFactory, TouchpointFactory

NEGATIVE, OK, WOW = 3, 7, 10  # NPS answers that are below, met and exceeded


@pytest.fixture
def now():
    return timezone.now()


def felt(touchpoint, *scores, days_ago=1, text="", now=None):
    for score in scores:
        ExperienceFactory(
            workspace=touchpoint.workspace,
            touchpoint=touchpoint,
            customer=None,
            nps=score,
            text=text,
            occurred_at=(now or timezone.now()) - timedelta(days=days_ago),
        )


def test_map_shares_per_touchpoint_and_per_stage(alice, in_workspace, now):
    journey = JourneyFactory(workspace=alice.workspace)
    buy = StageFactory(workspace=alice.workspace, journey=journey, position=1, name="Buy")
    receive = StageFactory(workspace=alice.workspace, journey=journey, position=2, name="Receive")
    checkout = TouchpointFactory(workspace=alice.workspace, stage=buy, position=1)
    payment = TouchpointFactory(workspace=alice.workspace, stage=buy, position=2)
    TouchpointFactory(workspace=alice.workspace, stage=receive)
    felt(checkout, NEGATIVE, NEGATIVE, OK, WOW)
    felt(payment, WOW)

    with in_workspace(alice.workspace):
        journey_map = selectors.journey_map(journey, now - timedelta(days=90), now)

    first, second = journey_map.stages
    assert [c.stage.name for c in journey_map.stages] == ["Buy", "Receive"]
    # Checkout: 2 negative, 1 OK, 1 WOW of 4.
    assert first.touchpoints[0].shares == Shares(negative=50, ok=25, wow=25)
    # The stage sums its touchpoints: 2 negative, 1 OK, 2 WOW of 5; net = 40% − 40% = 0.
    assert first.mix == EmotionMix(negative=2, ok=1, wow=2)
    assert first.shares == Shares(40, 20, 40)
    assert first.net == 0
    # A stage nobody has rated yet has no point on the curve, rather than a fake zero.
    assert second.mix.total == 0
    assert journey_map.curve == [0, None]
    assert journey_map.total == 5


def test_period_leaves_older_experiences_out(alice, in_workspace, now):
    point = TouchpointFactory(workspace=alice.workspace)
    felt(point, WOW, days_ago=10, now=now)
    felt(point, NEGATIVE, NEGATIVE, days_ago=45, now=now)
    felt(point, NEGATIVE, days_ago=400, now=now)
    with in_workspace(alice.workspace):
        last_30 = selectors.journey_map(point.stage.journey, now - timedelta(days=30), now)
        last_90 = selectors.journey_map(point.stage.journey, now - timedelta(days=90), now)
    assert last_30.stages[0].touchpoints[0].mix == EmotionMix(0, 0, 1)
    assert last_90.stages[0].touchpoints[0].mix == EmotionMix(2, 0, 1)


def test_shares_always_add_up_to_a_full_bar():
    assert Shares.of(EmotionMix(1, 1, 1)) == Shares(34, 33, 33)
    assert Shares.of(EmotionMix(1, 5, 1)) == Shares(14, 72, 14)
    assert Shares.of(EmotionMix(0, 0, 0)) == Shares(0, 0, 0)


def test_worst_touchpoints_by_share_negative_with_a_minimum_sample(alice, in_workspace, now):
    half = TouchpointFactory(workspace=alice.workspace, name="Courier")
    forty = TouchpointFactory(workspace=alice.workspace, name="Checkout")
    tiny = TouchpointFactory(workspace=alice.workspace, name="Gift wrap")
    happy = TouchpointFactory(workspace=alice.workspace, name="Site search")
    felt(half, NEGATIVE, NEGATIVE, NEGATIVE, OK, OK, WOW)  # 3 of 6 = 50%
    felt(forty, *[NEGATIVE] * 4, *[WOW] * 6)  # 4 of 10 = 40%
    felt(tiny, NEGATIVE, NEGATIVE, NEGATIVE, NEGATIVE)  # 100%, but only 4 experiences
    felt(happy, OK, OK, WOW, WOW, WOW)  # nothing negative to fix
    with in_workspace(alice.workspace):
        worst = selectors.worst_touchpoints(now - timedelta(days=90), now)
        top = selectors.worst_touchpoints(now - timedelta(days=90), now, limit=1)
        with_small = selectors.worst_touchpoints(now - timedelta(days=90), now, min_experiences=4)
    assert [(w.touchpoint.name, w.negative, w.total) for w in worst] == [
        ("Courier", 3, 6),
        ("Checkout", 4, 10),
    ]
    assert worst[0].negative_pct == 50
    assert [w.touchpoint.name for w in top] == ["Courier"]
    assert with_small[0].touchpoint.name == "Gift wrap"


def test_worst_touchpoints_quote_the_three_latest_negative_words(alice, in_workspace, now):
    point = TouchpointFactory(workspace=alice.workspace)
    for day, words in enumerate(["oldest", "older", "newer", "newest"], start=1):
        felt(point, NEGATIVE, days_ago=10 - day, text=f"{words} complaint", now=now)
    felt(point, NEGATIVE, days_ago=1, text="", now=now)  # a bare score has no words to quote
    felt(point, WOW, days_ago=1, text="lovely", now=now)
    with in_workspace(alice.workspace):
        (worst,) = selectors.worst_touchpoints(now - timedelta(days=90), now)
    assert [q.text for q in worst.quotes] == [
        "newest complaint",
        "newer complaint",
        "older complaint",
    ]


def test_worst_touchpoints_of_one_journey_only(alice, in_workspace, now):
    mine = TouchpointFactory(workspace=alice.workspace, name="Mine")
    other = TouchpointFactory(workspace=alice.workspace, name="Other journey's")
    felt(mine, *[NEGATIVE] * 5)
    felt(other, *[NEGATIVE] * 5)
    with in_workspace(alice.workspace):
        worst = selectors.worst_touchpoints(
            now - timedelta(days=90), now, journey=mine.stage.journey
        )
    assert [w.touchpoint.name for w in worst] == ["Mine"]


def test_queries_do_not_grow_with_touchpoints(alice, in_workspace, now, django_assert_num_queries):
    journey = JourneyFactory(workspace=alice.workspace)
    for position in range(1, 6):
        stage = StageFactory(workspace=alice.workspace, journey=journey, position=position)
        for _ in range(3):
            felt(TouchpointFactory(workspace=alice.workspace, stage=stage), *[NEGATIVE] * 5)
    with in_workspace(alice.workspace):
        # stages, touchpoints, the emotion GROUP BY, general expectations
        with django_assert_num_queries(4):
            selectors.journey_map(journey, now - timedelta(days=90), now)
        # the ranking GROUP BY, the touchpoints, the windowed quotes
        with django_assert_num_queries(3):
            selectors.worst_touchpoints(now - timedelta(days=90), now)


def test_the_curve_breaks_where_a_stage_has_no_data():
    chart = emotion_curve(["Buy", "Receive", "Use", "Return"], [50.0, -20.0, None, 10.0])
    assert len(chart.lines) == 1  # Buy–Receive; Return stands alone
    assert [p.value_label for p in chart.points] == ["+50", "−20", "—", "+10"]
    assert [p.tone for p in chart.points] == ["wow", "negative", "ok", "wow"]
    top, zero, bottom = (chart.ticks[0].y, chart.zero_y, chart.ticks[-1].y)
    assert top < chart.points[0].y < zero < chart.points[1].y < bottom
