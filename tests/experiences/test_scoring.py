"""Scores map to outcomes by each scale's convention, and outcomes to emotions."""

from __future__ import annotations

import pytest

from cxloop.experiences.scoring import ScoreOutOfRange, emotion_for_outcome, outcome_for_score


@pytest.mark.parametrize(
    ("scale", "below", "met", "exceeded"),
    [
        ("nps", range(0, 7), range(7, 9), range(9, 11)),
        ("csat", range(1, 4), range(4, 5), range(5, 6)),
        ("ces", range(1, 4), range(4, 6), range(6, 8)),
        ("stars5", range(1, 3), range(3, 5), range(5, 6)),
    ],
)
def test_every_score_of_every_scale(scale, below, met, exceeded):
    for outcome, scores in (("below", below), ("met", met), ("exceeded", exceeded)):
        for score in scores:
            assert outcome_for_score(score, scale) == outcome, (scale, score)


@pytest.mark.parametrize(("scale", "score"), [("nps", 11), ("nps", -1), ("csat", 0), ("ces", 8)])
def test_scores_outside_the_scale_are_refused_not_clipped(scale, score):
    with pytest.raises(ScoreOutOfRange):
        outcome_for_score(score, scale)


def test_outcome_decides_the_emotion():
    assert [emotion_for_outcome(o) for o in ("below", "met", "exceeded")] == [
        "negative",
        "ok",
        "wow",
    ]
