"""Every metric on a small example computed by hand, through the real services and selectors."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from cxloop.analytics.metrics import METRICS, MIN_N, UnknownMetric, get_metric
from cxloop.analytics.selectors import Slice, metric_value
from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Customer
from cxloop.experiences.services import record_experience
from cxloop.feedback.models import Invitation, Response
from tests.factories import CustomerFactory, SegmentFactory, SurveyFactory

DAY = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)
MAY = Slice(date(2026, 5, 1), date(2026, 6, 1))


@pytest.fixture
def answered(alice):
    """NPS 10 9 8 7 6 0 · CSAT 5 4 3 · CES 7 6 5 1 · one staff note that exceeded."""
    with bind_workspace(alice.workspace):
        for scale, scores in (
            ("nps", [10, 9, 8, 7, 6, 0]),
            ("csat", [5, 4, 3]),
            ("ces", [7, 6, 5, 1]),
        ):
            for score in scores:
                record_experience(source="survey", occurred_at=DAY, score=score, scale=scale)
        record_experience(source="staff_note", occurred_at=DAY, outcome="exceeded")
        yield alice.workspace


def test_every_metric_has_a_label_a_formula_and_a_unit():
    for key, metric in METRICS.items():
        assert metric.key == key
        assert str(metric.label)
        assert len(str(metric.help_text)) > 40
        assert metric.unit in {"points", "%", "score"}
        assert metric.__doc__
        assert "=" in metric.__doc__


def test_nps_by_hand(answered):
    with bind_workspace(answered):
        value = metric_value("nps", MAY)
    # 2 promoters (10, 9), 2 passives (8, 7), 2 detractors (6, 0): NPS 0, var = 2/6 + 2/6 − 0
    assert (value.value, value.n) == (0.0, 6)
    assert value.moe == pytest.approx(100 * 1.959964 * math.sqrt((4 / 6) / 6), rel=1e-6)
    assert (value.low, value.high) == (pytest.approx(-value.moe), pytest.approx(value.moe))
    assert value.small
    assert MIN_N == 30


def test_csat_is_the_share_of_4_and_5(answered):
    with bind_workspace(answered):
        value = metric_value("csat", MAY)
    assert (value.value, value.n) == (pytest.approx(200 / 3), 3)
    assert value.low < value.value < value.high


def test_ces_mean_and_share_of_easy(answered):
    with bind_workspace(answered):
        mean, easy = metric_value("ces", MAY), metric_value("ces_easy", MAY)
    assert (mean.value, mean.n) == (4.75, 4)
    assert (easy.value, easy.n) == (75.0, 4)  # 7, 6, 5 are easy; 1 is not


def test_wow_rate_and_negative_share_count_every_experience(answered):
    with bind_workspace(answered):
        wow, negative = metric_value("wow_rate", MAY), metric_value("negative_share", MAY)
    # 14 experiences. exceeded: nps 10, 9; csat 5; ces 7, 6; the staff note = 6.
    # below: nps 6, 0; csat 3; ces 1 = 4.
    assert (wow.value, wow.n) == (pytest.approx(600 / 14), 14)
    assert (negative.value, negative.n) == (pytest.approx(400 / 14), 14)


def test_a_slice_without_answers_has_no_value(answered):
    with bind_workspace(answered):
        value = metric_value("nps", Slice(date(2026, 6, 1), date(2026, 7, 1)))
    assert (value.value, value.n, value.moe, value.small) == (None, 0, None, True)


def test_stance_mix_is_the_customers_current_stance(alice):
    with bind_workspace(alice.workspace):
        students = SegmentFactory(workspace=alice.workspace)
        for stance, count in (("prosecutor", 1), ("neutral", 2), ("advocate", 3), ("", 4)):
            for _ in range(count):
                CustomerFactory(workspace=alice.workspace, stance=stance, segment=students)
        Customer.objects.filter(stance="advocate").first().delete()  # 5 with a stance now
        shares = {key: metric_value(key, MAY) for key in ("prosecutors", "neutrals", "advocates")}
        assert {k: v.value for k, v in shares.items()} == {
            "prosecutors": 20.0,
            "neutrals": 40.0,
            "advocates": 40.0,
        }
        assert metric_value("advocates", MAY.narrowed(segment=students.pk + 1000)).n == 0


def test_response_rate_is_answered_over_sent(alice):
    workspace = alice.workspace
    survey = SurveyFactory(workspace=workspace)
    with bind_workspace(workspace):
        people = [CustomerFactory(workspace=workspace) for _ in range(4)]
        for i, person in enumerate(people):
            invitation = Invitation.objects.create(
                survey=survey,
                customer=person,
                token_hash=f"{i:064d}",
                expires_at=DAY + timedelta(days=30),
                sent_at=DAY if i < 3 else None,  # the fourth was never sent
            )
            if i in (0, 3):
                Response.objects.create(
                    survey=survey,
                    invitation=invitation,
                    customer=person,
                    via="personal",
                    language="uk",
                    submission_id=uuid.uuid4(),
                    status=Response.Status.COMPLETED,
                )
        value = metric_value("response_rate", MAY)
    assert (value.value, value.n) == (pytest.approx(100 / 3), 3)


def test_unknown_metric_says_which_exist():
    with pytest.raises(UnknownMetric, match="nps"):
        get_metric("loyalty")
