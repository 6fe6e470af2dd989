"""Quality of the insights fast path on the labelled sets in ../shared/data/feedback.

Prints, per set: language accuracy; the workspace model's 5-fold stratified CV macro-F1
(random_state=0, labels negative→negative, neutral→ok, positive→wow) with per-class F1; the
cold-start classifier's macro-F1 (no training on the set); the learning curve (each fold's
training part cut to 250…4,000 examples, tested on the whole fold); and topic precision/recall on
the airline set.

The workspace model is trained the way a workspace trains it (``train_model``, its inner
cross-validation and stacking included) on each outer fold's training part, with what a workspace
has: for the Rozetka sets each review's star rating (as a workspace has its answers' scores,
scaled 0–1 like ``scoring.scaled_score`` does), for the airline set only the three labels.

The data are for evaluation only and are read from outside the repository; nothing is written.

    CXLOOP_DATABASE_URL= .venv/bin/python bench/insights_quality.py [--sets uk,ru,en] [--no-curve]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxloop.settings")

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from cxloop.insights.classifiers import EMOTIONS, emotion_of_label
from cxloop.insights.classifiers.coldstart import cold_start_classifier
from cxloop.insights.classifiers.workspace import cross_validated_decision
from cxloop.insights.language import detect_language
from cxloop.insights.topics import Taxonomy

DATA = Path(
    os.environ.get(
        "CXLOOP_FEEDBACK_DATA", Path(__file__).resolve().parents[2] / "shared/data/feedback"
    )
)
SETS = {"uk": "rozetka-uk-dev.csv", "ru": "rozetka-ru-dev.csv", "en": "airline-tweets-en-dev.csv"}
CURVE = (250, 500, 1000, 2000, 4000)

# The airline annotators' negative reasons → the default taxonomy's topics (our mapping).
AIRLINE_TOPICS = {
    "Late Flight": "delivery",
    "Cancelled Flight": "delivery",
    "longlines": "delivery",
    "Lost Luggage": "delivery",
    "Customer Service Issue": "support",
    "Flight Attendant Complaints": "staff",
    "Flight Booking Problems": "site_app",
    "Damaged Luggage": "defects",
    "Bad Flight": "product_quality",
}


def load(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def macro(labels, predicted) -> float:
    return float(f1_score(labels, predicted, average="macro"))


def topics_report(rows: list[dict], languages: list[str]) -> None:
    taxonomy = Taxonomy.default()
    found = taxonomy.match_many([r["text"] for r in rows], languages)
    print("  topics on airline negatives (Can't Tell excluded), mapping:", AIRLINE_TOPICS)
    print(f"  {'topic':16} {'precision':>9} {'recall':>7} {'support':>7}")
    keys = sorted(set(AIRLINE_TOPICS.values()))
    eligible = [i for i, r in enumerate(rows) if r["topic"] in AIRLINE_TOPICS]
    micro = Counter()
    for key in keys:
        truth = {i for i in eligible if AIRLINE_TOPICS[rows[i]["topic"]] == key}
        said = {i for i in eligible if key in found[i]}
        hit = len(truth & said)
        micro.update(tp=hit, said=len(said), truth=len(truth))
        p = hit / len(said) if said else 0.0
        r = hit / len(truth) if truth else 0.0
        print(f"  {key:16} {p:9.3f} {r:7.3f} {len(truth):7d}")
    print(
        f"  {'micro':16} {micro['tp'] / max(micro['said'], 1):9.3f}"
        f" {micro['tp'] / max(micro['truth'], 1):7.3f} {micro['truth']:7d}"
    )
    none = sum(1 for i in eligible if not found[i])
    print(f"  negatives with no topic at all: {none / len(eligible):.1%}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="uk,ru,en")
    parser.add_argument("--no-curve", action="store_true")
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"No labelled data at {DATA}; set CXLOOP_FEEDBACK_DATA.")
    table = []
    cold = cold_start_classifier()
    for key in args.sets.split(","):
        rows = load(SETS[key])
        texts = [r["text"] for r in rows]
        labels = np.array([EMOTIONS.index(emotion_of_label(r["label"])) for r in rows])
        scores = [(int(r["rating"]) - 1) / 4 for r in rows] if rows[0].get("rating") else None
        started = time.perf_counter()
        languages = [detect_language(t) for t in texts]
        lang_acc = float(np.mean([a == r["lang"] for a, r in zip(languages, rows, strict=True)]))
        print(f"\n== {SETS[key]} ({len(rows)} texts)")
        source = "star ratings" if scores else "labels"
        print(f"  workspace model learns from: {source}")
        print(f"  language accuracy: {lang_acc:.4f} ({time.perf_counter() - started:.1f}s)")
        started = time.perf_counter()
        decision = cross_validated_decision(texts, labels, languages, scores=scores)
        predicted = decision.argmax(axis=1)
        ws = macro(labels, predicted)
        print(
            f"  workspace model 5-fold CV macro-F1: {ws:.4f}  accuracy "
            f"{accuracy_score(labels, predicted):.4f}  per class "
            f"{np.round(f1_score(labels, predicted, average=None), 3)}"
            f"  ({time.perf_counter() - started:.0f}s)"
        )
        print(
            "  confusion (rows true negative/ok/wow):", confusion_matrix(labels, predicted).tolist()
        )
        cold_pred = [EMOTIONS.index(p.emotion) for p in cold.predict(texts, languages)]
        cs = macro(labels, cold_pred)
        per_class = np.round(f1_score(labels, cold_pred, average=None), 3)
        print(f"  cold start macro-F1: {cs:.4f}  per class {per_class}")
        curve = {}
        if not args.no_curve:
            for size in CURVE:
                if size > len(texts) * 0.8:
                    continue
                d = cross_validated_decision(
                    texts, labels, languages, scores=scores, train_size=size
                )
                curve[size] = macro(labels, d.argmax(axis=1))
                print(f"  learning curve {size:5d}: {curve[size]:.4f}", flush=True)
        table.append(
            (SETS[key], ws, f1_score(labels, predicted, average=None), cs, lang_acc, curve)
        )
        if key == "en":
            topics_report(rows, languages)
    print(
        "\n| set | workspace model | F1 negative / ok / wow | cold start | language | "
        + " | ".join(f"n={s}" for s in CURVE)
        + " |"
    )
    print("|---|---|---|---|---|" + "---|" * len(CURVE))
    for name, ws, per_class, cs, la, curve in table:
        cells = " | ".join(f"{curve[s]:.3f}" if s in curve else "–" for s in CURVE)
        classes = " / ".join(f"{v:.3f}" for v in per_class)
        print(f"| {name} | {ws:.3f} | {classes} | {cs:.3f} | {la:.4f} | {cells} |")
    print("\nreproduce: CXLOOP_DATABASE_URL= .venv/bin/python bench/insights_quality.py")


if __name__ == "__main__":
    main()
