"""Small checks on the labelled evaluation sets; the full figures come from bench/.

Skipped when ../shared/data/feedback is absent (the data are evaluation-only and never shipped).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from cxloop.insights.classifiers import EMOTIONS, emotion_of_label
from cxloop.insights.classifiers.workspace import cross_validated_decision
from cxloop.insights.language import detect_language

DATA = Path(
    os.environ.get(
        "CXLOOP_FEEDBACK_DATA", Path(__file__).resolve().parents[3] / "shared/data/feedback"
    )
)
SETS = ["rozetka-uk-dev.csv", "rozetka-ru-dev.csv", "airline-tweets-en-dev.csv"]

pytestmark = pytest.mark.skipif(
    not (DATA / SETS[0]).exists(),
    reason=f"labelled evaluation data not found at {DATA} (set CXLOOP_FEEDBACK_DATA)",
)


def _rows(name: str, limit: int) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))[:limit]


@pytest.mark.parametrize("name", SETS)
def test_language_is_right_on_at_least_99_percent(name):
    rows = _rows(name, 1_000)
    right = sum(detect_language(r["text"]) == r["lang"] for r in rows)
    assert right / len(rows) >= 0.99


def test_workspace_model_learns_airline_sentiment_from_1500_tweets():
    rows = _rows(SETS[2], 1_500)
    texts = [r["text"] for r in rows]
    labels = np.array([EMOTIONS.index(emotion_of_label(r["label"])) for r in rows])
    decision = cross_validated_decision(texts, labels, ["en"] * len(texts), folds=3)
    assert f1_score(labels, decision.argmax(axis=1), average="macro") > 0.6
