"""The metrics and their intervals, checked against values worked out by hand."""

from __future__ import annotations

import pytest

from cxloop.core.scoping import bind_workspace
from cxloop.feedback import selectors
from cxloop.feedback.models import Response

from ..factories import SurveyFactory


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
def test_nps_margin_is_the_analytics_one(alice):
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


@pytest.mark.django_db
def test_one_answer_gets_a_value_but_no_interval(alice):
    for kind, score in (("csat", 5), ("ces", 6), ("nps", 9)):
        survey = SurveyFactory(workspace=alice.workspace, kind=kind)
        rows = _responses(survey, kind, [score])
        with bind_workspace(alice.workspace):
            metric = selectors.metric(rows, kind)
        assert metric.answers == 1
        assert metric.value is not None
        assert (metric.low, metric.high, metric.margin) == (None, None, None)


@pytest.mark.django_db
def test_no_answers_no_value(alice):
    survey = SurveyFactory(workspace=alice.workspace, kind="csat")
    with bind_workspace(alice.workspace):
        rows = selectors.completed(survey, selectors.Filters())
        for scale in ("nps", "csat", "ces"):
            metric = selectors.metric(rows, scale)
            assert (metric.answers, metric.value, metric.margin) == (0, None, None)
