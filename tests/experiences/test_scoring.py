"""Scores map to outcomes by each scale's convention, and outcomes to emotions."""

from __future__ import annotations

import pytest

from cxloop.experiences.scoring import (
    ScoreOutOfRange,
    emotion_for_outcome,
    outcome_for_score,
    scaled_score,
)


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


@pytest.mark.parametrize(
    ("score", "scale", "place"),
    [(0, "nps", 0.0), (7, "nps", 0.7), (10, "nps", 1.0), (1, "stars5", 0.0), (4, "stars5", 0.75),
     (3, "csat", 0.5), (7, "ces", 1.0)],
)  # fmt: skip
def test_a_score_has_a_place_from_0_to_1_on_its_scale(score, scale, place):
    assert scaled_score(score, scale) == pytest.approx(place)


def test_a_place_is_never_invented_for_a_score_off_its_scale():
    with pytest.raises(ScoreOutOfRange):
        scaled_score(11, "nps")
