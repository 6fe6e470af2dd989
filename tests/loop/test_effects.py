"""The effect of an improvement, on a constructed example whose answer was computed by hand.

The example: a touchpoint with 100 experiences in the 6 weeks before the ship date (40 negative
NPS answers of 2, 60 promoters of 9) and 100 in the 6 weeks after (20 negative, 80 promoters).

- share negative 40% → 20%: pooled p̂ = 60/200 = 0.3, se = √(0.3·0.7·(1/100 + 1/100)) = 0.064807,
  z = (0.2 − 0.4)/0.064807 = −3.0861, p = erfc(3.0861/√2) = 0.002028 → significant;
- NPS +20 → +60 (answers as +100/−100): variances (n − 1) 960000/99 = 9696.97 and
  640000/99 = 6464.65, se = √(96.970 + 64.646) = 12.713, t = 40/12.713 = 3.1464,
  Welch df = 161.616²/(96.970²/99 + 64.646²/99) = 190.38, p = 0.00192;
- complaints 40 in 6 weeks → 20 in 6 weeks: under "same rate" the 60 complaints split like a fair
  coin, p = 2·Σ_{i≤20} C(60, i)/2⁶⁰ = 0.013489 → significant.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cxloop.loop import effects
from cxloop.loop.effect_chart import effect_chart

from ..factories import ExperienceFactory, TouchpointFactory
from .improvement_helpers import make_improvement

pytestmark = pytest.mark.django_db

SHIP = date(2026, 9, 7)
TODAY = SHIP + timedelta(weeks=8)


def _at(day: date, hours: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time())) + timedelta(hours=hours)


@pytest.fixture
def example(alice):
    courier = TouchpointFactory(workspace=alice.workspace, name="Courier")
    elsewhere = TouchpointFactory(workspace=alice.workspace, name="Site")
    start = SHIP - timedelta(weeks=6)
    for i in range(100):
        ExperienceFactory(
            workspace=alice.workspace,
            customer=None,
            touchpoint=courier,
            nps=2 if i % 5 < 2 else 9,  # 40 negative
            occurred_at=_at(start, 10 * i),
        )
        ExperienceFactory(
            workspace=alice.workspace,
            customer=None,
            touchpoint=courier,
            nps=2 if i % 5 == 0 else 9,  # 20 negative
            occurred_at=_at(SHIP, 10 * i),
        )
    # Outside the scope or the periods: must not count.
    ExperienceFactory(
        workspace=alice.workspace, touchpoint=elsewhere, nps=0, occurred_at=_at(SHIP, 5)
    )
    ExperienceFactory(
        workspace=alice.workspace, touchpoint=courier, nps=0, occurred_at=_at(start, -5)
    )
    return make_improvement(alice.workspace, touchpoint=courier, shipped_on=SHIP)


def test_two_proportion_z_matches_the_hand_computation():
    result = effects.two_proportion_z(40, 100, 20, 100)
    assert result.statistic == pytest.approx(-3.0861, abs=1e-4)
    assert result.p_value == pytest.approx(0.002028, abs=1e-6)
    assert result.significant


def test_welch_t_matches_the_hand_computation():
    # [1, 2, 3, 4, 5] against [3, 4, 5, 5, 5]: means 3 and 4.4, variances 2.5 and 0.8,
    # t = 1.4/√(0.5 + 0.16) = 1.7233, df = 0.66²/(0.5²/4 + 0.16²/4) = 6.322, p = 0.133.
    a = effects.Moments.of({1: 1, 2: 1, 3: 1, 4: 1, 5: 1})
    b = effects.Moments.of({3: 1, 4: 1, 5: 3})
    assert (a.mean, a.variance, b.mean, b.variance) == pytest.approx((3, 2.5, 4.4, 0.8))
    result = effects.welch_t(a, b)
    assert result.statistic == pytest.approx(1.7233, abs=1e-4)
    assert result.p_value == pytest.approx(0.1331, abs=1e-4)
    assert not result.significant


def test_poisson_rate_test_is_the_exact_binomial_split():
    hand = 2 * sum(math.comb(60, i) for i in range(21)) / 2**60
    result = effects.poisson_rates(40, 6.0, 20, 6.0)
    assert result.p_value == pytest.approx(hand, rel=1e-9)
    assert hand == pytest.approx(0.013489, abs=1e-6)


def test_no_test_without_data():
    assert effects.two_proportion_z(0, 0, 1, 3) is None
    assert effects.two_proportion_z(0, 10, 0, 10) is None
    assert effects.welch_t(effects.Moments.of({5: 1}), effects.Moments.of({4: 3})) is None
    assert effects.poisson_rates(0, 6, 0, 6) is None


def test_before_and_after_of_the_constructed_example(alice, example, in_workspace):
    with in_workspace(alice.workspace):
        effect = effects.measure(example, weeks=6, today=TODAY)
    assert (effect.before.experiences, effect.before.negative) == (100, 40)
    assert (effect.after.experiences, effect.after.negative) == (100, 20)
    by_key = {c.key: c for c in effect.comparisons}
    share = by_key["negative_share"]
    assert (share.before, share.after, share.difference) == pytest.approx((40, 20, -20))
    assert share.result.statistic == pytest.approx(-3.0861, abs=1e-4)
    assert share.result.p_value == pytest.approx(0.002028, abs=1e-6)
    assert share.better is True
    nps = by_key["nps"]
    assert (nps.before, nps.after) == pytest.approx((20, 60))
    assert nps.result.statistic == pytest.approx(3.1464, abs=1e-4)
    assert nps.result.p_value == pytest.approx(0.001918, abs=1e-5)
    complaints = by_key["complaints"]
    assert (complaints.before, complaints.after) == pytest.approx((40 / 6, 20 / 6))
    assert complaints.result.p_value == pytest.approx(0.013489, abs=1e-6)
    assert "csat" not in by_key  # no CSAT answers at this touchpoint
    assert len(effect.series) == 12
    assert sum(p.experiences for p in effect.series if p.after) == 100


def test_a_recent_improvement_is_compared_on_the_days_it_has_had(alice, example, in_workspace):
    with in_workspace(alice.workspace):
        effect = effects.measure(example, weeks=6, today=SHIP + timedelta(days=20))
    assert effect.after.end == SHIP + timedelta(days=21)
    assert effect.after.weeks == pytest.approx(3)
    # 10-hour spacing: the first 21 days after hold experiences 0..50.
    assert effect.after.experiences == 51


def test_the_detail_page_draws_the_chart_and_names_the_tests(alice, example):
    response = alice.client.get(reverse("loop:improvement_detail", args=[example.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body
    assert 'class="bar before"' in body
    assert 'class="bar after"' in body
    assert "two-proportion z-test" in body
    assert "Welch" in body
    assert "Poisson" in body
    assert " style=" not in body.split("<main", 1)[1]


def test_the_chart_places_the_ship_line_between_the_periods(alice, example, in_workspace):
    with in_workspace(alice.workspace):
        chart = effect_chart(effects.measure(example, weeks=6, today=TODAY))
    before = [b for b in chart.bars if not b.after]
    after = [b for b in chart.bars if b.after]
    assert len(before) == len(after) == 6
    assert max(b.x + b.width for b in before) <= chart.ship_x <= min(b.x for b in after)
    # The before level (40%) sits higher on the page (smaller y) than the after level (20%).
    levels = {level.after: level.y for level in chart.levels}
    assert levels[False] < levels[True]


def test_an_unshipped_improvement_has_no_effect_yet(alice, in_workspace):
    improvement = make_improvement(
        alice.workspace, touchpoint=TouchpointFactory(workspace=alice.workspace)
    )
    with in_workspace(alice.workspace):
        assert not effects.measure(improvement).measurable


def test_a_topic_scope_counts_each_experience_once(alice, in_workspace):
    from cxloop.insights.models import ExperienceAnalysis, Topic

    with in_workspace(alice.workspace):
        boxes = Topic.objects.create(key="boxes", name="Boxes")
        corners = Topic.objects.create(key="corners", name="Corners")
    before = _at(SHIP - timedelta(days=3), 0)
    after = _at(SHIP + timedelta(days=3), 0)
    for when, score in ((before, 2), (before, 9), (after, 9), (after, 10)):
        experience = ExperienceFactory(
            workspace=alice.workspace, customer=None, nps=score, occurred_at=when
        )
        with in_workspace(alice.workspace):
            analysis = ExperienceAnalysis.objects.create(
                experience=experience,
                language="en",
                emotion=experience.emotion,
                confidence=1.0,
                classifier="test",
                analysed_at=when,
            )
            analysis.topics.set([boxes, corners])  # about both: still one experience
    ExperienceFactory(workspace=alice.workspace, customer=None, nps=0, occurred_at=after)
    improvement = make_improvement(alice.workspace, shipped_on=SHIP)
    with in_workspace(alice.workspace):
        improvement.topics.set([boxes, corners])
        effect = effects.measure(improvement, weeks=1, today=TODAY)
    assert effect.scope == "topics"
    assert (effect.before.experiences, effect.before.negative) == (2, 1)
    assert (effect.after.experiences, effect.after.negative) == (2, 0)
    assert (effect.before.nps.n, effect.after.nps.mean) == (2, 100)
