"""The metrics and their intervals, checked against values worked out by hand."""

from __future__ import annotations

import pytest

from cxloop.core.scoping import bind_workspace
from cxloop.feedback import selectors
from cxloop.feedback.models import Response

from ..factories import SurveyFactory


def test_wilson_interval_matches_the_textbook():
    low, high = selectors.wilson_interval(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)
    assert selectors.wilson_interval(0, 0) is None
    assert selectors.wilson_interval(10, 10)[1] == pytest.approx(1.0)


def test_t_quantiles():
    assert selectors.t975(1) == 12.706
    assert selectors.t975(30) == 2.042
    assert selectors.t975(60) == pytest.approx(2.000, abs=2e-3)
    assert selectors.t975(1000) == pytest.approx(1.962, abs=1e-3)


def _responses(survey, scale, scores):
    import uuid

    with bind_workspace(survey.workspace):
        Response.objects.bulk_create(
            Response(
                survey=survey,
                submission_id=uuid.uuid4(),
                via="anonymous",
                language="en",
                status="completed",
                score=score,
                scale=scale,
            )
            for score in scores
        )
        return selectors.completed(survey, selectors.Filters())


@pytest.mark.django_db
def test_csat_is_the_share_of_4_and_5_with_a_wilson_interval(alice):
    survey = SurveyFactory(workspace=alice.workspace, kind="csat")
    rows = _responses(survey, "csat", [5, 5, 4, 4, 4, 5, 4, 5, 2, 1])
    with bind_workspace(alice.workspace):
        metric = selectors.metric(rows, "csat")
    assert metric.value == pytest.approx(80.0)
    assert (metric.low, metric.high) == (
        pytest.approx(49.02, abs=0.01),
        pytest.approx(94.33, abs=0.01),
    )


@pytest.mark.django_db
def test_ces_is_a_mean_with_a_t_interval(alice):
    survey = SurveyFactory(workspace=alice.workspace, kind="ces")
    rows = _responses(survey, "ces", [7, 6, 5, 7, 3])
    with bind_workspace(alice.workspace):
        metric = selectors.metric(rows, "ces")
    # mean 5.6, s = 1.6733, t(0.975, 4) = 2.776 → half-width 2.0775
    assert metric.value == pytest.approx(5.6)
    assert metric.margin == pytest.approx(2.0775, abs=1e-3)


@pytest.mark.django_db
def test_nps_reuses_the_ledgers_margin_of_error(alice):
    survey = SurveyFactory(workspace=alice.workspace, kind="nps")
    rows = _responses(survey, "nps", [10, 9, 9, 7, 3])
    with bind_workspace(alice.workspace):
        metric = selectors.metric(rows, "nps")
        distribution = selectors.distribution(rows, ("nps", 0, 10))
    assert metric.value == pytest.approx(40.0)
    # p = .6, d = .2: var = .8 − .16 = .64; moe = 1.96 · √(.64/5) · 100 = 70.1
    assert metric.margin == pytest.approx(70.12, abs=0.05)
    assert metric.high == 100.0  # clipped to the scale
    assert [d.count for d in distribution] == [0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 1]
    assert distribution[3].outcome == "below"
