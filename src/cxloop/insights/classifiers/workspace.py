"""The workspace model: an emotion classifier learnt from a workspace's own rated answers.

Features: ``features.TextFeatures`` (hashed char 2–5-grams and lemma uni/bigrams with negation
marks, sublinear TF-IDF). Learner: a linear SVM (liblinear), balanced class weights, per-example
weights (a manual correction outweighs a score-derived label). Probabilities: softmax of the SVM's
decision values divided by a temperature chosen to minimise log-loss on the cross-validation
predictions, so ``confidence`` is calibrated rather than a raw margin.

Quality: ``train`` runs stratified k-fold cross-validation (``random_state=0``) before the final
fit and keeps macro-F1, accuracy, per-class F1 and the number of examples in ``metrics``; the
training service compares that with the active model before switching (``services.py``).

File format: a NumPy ``.npz`` archive (no pickle, so loading a file cannot run code) with the
feature columns and IDF, the weights (float16) and a JSON header.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.svm import LinearSVC

from ..features import TextFeatures
from .base import EMOTIONS, EmotionPrediction

NAME = "workspace"
FORMAT = "cxloop-emotion-model/1"
DEFAULT_C = 0.1
MIN_EXAMPLES_PER_EMOTION = 5
_TEMPERATURES = np.geomspace(0.05, 5.0, 60)


class NotEnoughExamples(ValueError):
    """Too few labelled examples (or an emotion with none) to train or cross-validate."""


class InvalidModelFile(ValueError):
    """The bytes are not a cxloop emotion model."""


@dataclass
class EmotionModel:
    features: TextFeatures
    coef: np.ndarray  # (3, n_features), rows in EMOTIONS order
    intercept: np.ndarray  # (3,)
    temperature: float
    version: str = "1"
    metrics: dict = field(default_factory=dict)
    name: str = NAME

    # --- prediction ----------------------------------------------------------------------------
    def decision(self, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
        matrix = self.features.transform(texts, languages)
        return np.asarray(matrix @ self.coef.T, dtype=np.float64) + self.intercept

    def predict_proba(self, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(EMOTIONS)))
        return _softmax(self.decision(texts, languages) / self.temperature)

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[EmotionPrediction]:
        label = f"{self.name} v{self.version}"
        return [
            EmotionPrediction(EMOTIONS[int(row.argmax())], float(row.max()), label)
            for row in self.predict_proba(texts, languages)
        ]

    # --- persistence ---------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        header = {
            "format": FORMAT,
            "name": self.name,
            "version": self.version,
            "temperature": self.temperature,
            "features": self.features.config(),
            "metrics": self.metrics,
            "emotions": list(EMOTIONS),
        }
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            header=np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8),
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float64),
            **self.features.state(),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> EmotionModel:
        try:
            archive = np.load(io.BytesIO(data), allow_pickle=False)
            header = json.loads(archive["header"].tobytes().decode("utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise InvalidModelFile(
                "Not a cxloop emotion model; create one with `cxloop insights train`."
            ) from exc
        if header.get("format") != FORMAT or header.get("emotions") != list(EMOTIONS):
            raise InvalidModelFile(f"Unsupported model format {header.get('format')!r}.")
        state = {
            key: archive[key] for key in ("char_columns", "char_idf", "word_columns", "word_idf")
        }
        return cls(
            features=TextFeatures.restore(header["features"], state),
            coef=archive["coef"].astype(np.float32),
            intercept=archive["intercept"],
            temperature=float(header["temperature"]),
            version=str(header["version"]),
            metrics=header.get("metrics", {}),
            name=header.get("name", NAME),
        )

    def save(self, path: str) -> None:
        with open(path, "wb") as handle:
            handle.write(self.to_bytes())

    @classmethod
    def load(cls, path: str) -> EmotionModel:
        with open(path, "rb") as handle:
            return cls.from_bytes(handle.read())


def _softmax(values: np.ndarray) -> np.ndarray:
    shifted = values - values.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def _fit(
    texts: Sequence[str],
    labels: np.ndarray,
    languages: Sequence[str],
    weights: np.ndarray,
    c: float,
) -> tuple[TextFeatures, LinearSVC]:
    features = TextFeatures()
    matrix = features.fit_transform(texts, languages)
    learner = LinearSVC(C=c, class_weight="balanced")
    learner.fit(matrix, labels, sample_weight=weights)
    return features, learner


def _decision(features: TextFeatures, learner: LinearSVC, texts, languages) -> np.ndarray:
    return learner.decision_function(features.transform(texts, languages))


def _best_temperature(decision: np.ndarray, labels: np.ndarray) -> float:
    rows = np.arange(len(labels))
    losses = [-np.log(_softmax(decision / t)[rows, labels] + 1e-12).mean() for t in _TEMPERATURES]
    return float(_TEMPERATURES[int(np.argmin(losses))])


def cross_validated_decision(
    texts: Sequence[str],
    labels: np.ndarray,
    languages: Sequence[str],
    weights: np.ndarray | None = None,
    *,
    folds: int = 5,
    c: float = DEFAULT_C,
    random_state: int = 0,
    train_size: int | None = None,
) -> np.ndarray:
    """Out-of-fold decision values of stratified k-fold CV.

    ``train_size`` caps each fold's training part (a stratified random subset, the same
    ``random_state``) while every fold is still tested on its whole test part: the learning curve.
    """
    labels = np.asarray(labels)
    weights = np.ones(len(labels)) if weights is None else np.asarray(weights, float)
    decision = np.zeros((len(labels), len(EMOTIONS)))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=random_state)
    for train, test in splitter.split(np.zeros(len(labels)), labels):
        if train_size is not None and train_size < len(train) - len(EMOTIONS):
            train, _ = train_test_split(
                train, train_size=train_size, stratify=labels[train], random_state=random_state
            )
        features, learner = _fit(
            [texts[i] for i in train],
            labels[train],
            [languages[i] for i in train],
            weights[train],
            c,
        )
        decision[test] = _decision(
            features, learner, [texts[i] for i in test], [languages[i] for i in test]
        )
    return decision


def check_examples(emotions: Sequence[str], folds: int) -> None:
    counts = dict.fromkeys(EMOTIONS, 0)
    for emotion in emotions:
        counts[emotion] += 1
    needed = max(MIN_EXAMPLES_PER_EMOTION, folds)
    short = [e for e, n in counts.items() if n < needed]
    if short:
        raise NotEnoughExamples(
            f"Each emotion needs at least {needed} examples to train and cross-validate; "
            + ", ".join(f"{e} has {counts[e]}" for e in short)
            + "."
        )


def train_model(
    texts: Sequence[str],
    emotions: Sequence[str],
    languages: Sequence[str],
    *,
    weights: Sequence[float] | None = None,
    folds: int = 5,
    c: float = DEFAULT_C,
    version: str = "1",
    random_state: int = 0,
) -> EmotionModel:
    """Cross-validate, then fit on everything; ``folds=0`` skips the cross-validation.

    ``emotions`` are cxloop emotions (``negative``/``ok``/``wow``); ``weights`` default to 1.
    """
    started = time.perf_counter()
    check_examples(emotions, folds)
    labels = np.array([EMOTIONS.index(e) for e in emotions])
    sample_weights = np.ones(len(labels)) if weights is None else np.asarray(weights, float)
    metrics: dict = {"examples": len(labels), "folds": folds}
    temperature = 1.0
    if folds:
        decision = cross_validated_decision(
            texts, labels, languages, sample_weights, folds=folds, c=c, random_state=random_state
        )
        predicted = decision.argmax(axis=1)
        metrics.update(
            macro_f1=round(float(f1_score(labels, predicted, average="macro")), 4),
            accuracy=round(float(accuracy_score(labels, predicted)), 4),
            f1={
                e: round(float(v), 4)
                for e, v in zip(
                    EMOTIONS,
                    f1_score(labels, predicted, average=None, labels=[0, 1, 2]),
                    strict=True,
                )
            },
        )
        temperature = _best_temperature(decision, labels)
    features, learner = _fit(texts, labels, languages, sample_weights, c)
    metrics["train_seconds"] = round(time.perf_counter() - started, 2)
    return EmotionModel(
        features=features,
        coef=learner.coef_.astype(np.float32),
        intercept=learner.intercept_.astype(np.float64),
        temperature=temperature,
        version=version,
        metrics=metrics,
    )
