"""The workspace model: an emotion classifier learnt from a workspace's own rated answers.

Features: ``features.TextFeatures`` (hashed char 2–5-grams and lemma uni/bigrams with negation
marks, sublinear TF-IDF, and for English texts VADER's lexicon scores), computed once per
training. Learners, all linear on those features
(``_fit_base``): NB-SVM (linear SVMs on log-count-ratio scaled features), complement
naive Bayes, cumulative "score above cut" SVMs for score levels finer than the three emotions
(1★ vs 2★, 4★ vs 5★: a workspace's answers carry scores, not only labels) and a regression on
the score's place on its scale. A multinomial logistic regression learns from the learners'
out-of-fold decisions how to combine them, and per-emotion offsets chosen on those decisions
maximise macro-F1 (the middle emotion, ``ok``, is the one a plain argmax misses). Every part is
linear, so the trained model folds into a single (3, n_features) matrix: predicting costs one
sparse product, as a lone SVM does. Probabilities: softmax of those logits over a temperature
chosen to minimise log-loss on the out-of-fold logits, so ``confidence`` is calibrated.

Quality: ``train_model`` cross-validates the stacker over the out-of-fold decisions, so macro-F1,
accuracy and per-emotion F1 in ``metrics`` are measured on examples no part of the model saw;
the training service compares that with the active model before switching (``services.py``).
``bench/insights_quality.py`` evaluates the whole training with an outer 5-fold CV.
Per-example weights let a manual correction outweigh a score-derived label.

File format: a NumPy ``.npz`` archive (no pickle, so loading a file cannot run code) with the
feature columns and IDF, the weights (float16) and a JSON header. The stacked model has the
shape a lone SVM had, so the format did not change and older files still load.
"""

from __future__ import annotations

import io
import itertools
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC, LinearSVR

from ..features import TextFeatures
from .base import EMOTIONS, EmotionPrediction

NAME = "workspace"
FORMAT = "cxloop-emotion-model/1"
DEFAULT_C = 0.1
MIN_EXAMPLES_PER_EMOTION = 5
_TEMPERATURES = np.geomspace(0.05, 5.0, 60)
# Score levels beyond the emotion boundaries that get a cumulative learner of their own.
MAX_ORDINAL_CUTS = 4
NB_ALPHA = 0.3
# The English lexicon view (``features.english_lexicon``) against the L2-normalised n-gram views.
LEXICON_WEIGHT = 1.0
STACK_C = 1.0
_OFFSETS = np.round(np.arange(-1.0, 1.01, 0.1), 2)
# Above this many examples the stacker learns from 3 folds instead of ``folds``.
LARGE = 20_000
SVM_TOL = 1e-3


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


# --- the learners ------------------------------------------------------------------------------
# Every base learner is linear in the features, and so is the stacker on top of them: the whole
# model folds into one (3, n_features) matrix, and predicting costs what one linear SVM costs.


def _ordinal_cuts(ordinal: np.ndarray, labels: np.ndarray) -> list[float]:
    """Thresholds between score levels that add something to the three emotion labels.

    A cut whose split equals an emotion boundary (below/met, met/exceeded) repeats a one-vs-rest
    learner and is skipped; so is a cut with fewer than 5% of the examples (or 10) on a side.
    Stars 1–5 labelled 1–2 / 3 / 4–5 keep 1|2 and 4|5: "terrible" vs "bad", "good" vs "great".
    """
    levels = np.unique(ordinal)
    least = max(10, int(0.05 * len(ordinal)))
    cuts = []
    for low, high in itertools.pairwise(levels):
        cut = (low + high) / 2
        above = ordinal > cut
        if min(above.sum(), len(above) - above.sum()) < least:
            continue
        if any(np.mean(above == (labels > k)) > 0.98 for k in (0, 1)):
            continue
        cuts.append(float(cut))
    if len(cuts) > MAX_ORDINAL_CUTS:
        cuts = [
            cuts[i] for i in np.linspace(0, len(cuts) - 1, MAX_ORDINAL_CUTS).round().astype(int)
        ]
    return cuts


def _log_count_ratio(
    binary: sp.csr_matrix, positive: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """NB-SVM's log-count ratio of each feature for ``positive`` against the rest."""
    p = 1.0 + binary.T @ (weights * positive)
    q = 1.0 + binary.T @ (weights * ~positive)
    return np.log((p / p.sum()) / (q / q.sum()))


def _fit_base(
    matrix: sp.csr_matrix,
    labels: np.ndarray,
    ordinal: np.ndarray,
    weights: np.ndarray,
    cuts: Sequence[float],
    c: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of (coef, intercept) of every base learner; their decisions feed the stacker.

    - NB-SVM: a linear SVM per emotion (that emotion against the rest, balanced class weights)
      on features scaled by the emotion's log-count ratio (Wang & Manning 2012), which sharpens
      rare but telling n-grams (a plain one-vs-rest SVM beside it measured no better on the
      three sets, and costs three more fits);
    - complement naive Bayes' per-emotion log-likelihoods (another view of the same counts);
    - cumulative binary SVMs "score above cut" for finer score levels (``_ordinal_cuts``);
    - a linear support-vector regression on the ordinal position (0 = worst, 1 = best).
    """
    coefs, intercepts = [], []

    def svm(x: sp.csr_matrix, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if target.all() or not target.any():  # a small fold with one side of a cut only
            return np.zeros((1, x.shape[1])), np.zeros(1)
        learner = LinearSVC(C=c, class_weight="balanced", tol=SVM_TOL)
        learner.fit(x, target, sample_weight=weights)
        return learner.coef_, learner.intercept_

    binary = matrix.copy()
    binary.data[:] = 1.0
    for k in range(len(EMOTIONS)):
        ratio = _log_count_ratio(binary, labels == k, weights)
        scaled = matrix.copy()
        scaled.data *= ratio[scaled.indices]
        coef, intercept = svm(scaled, labels == k)
        coefs.append(coef * ratio)
        intercepts.append(intercept)
    bayes = ComplementNB(alpha=NB_ALPHA).fit(matrix, labels, sample_weight=weights)
    coefs.append(bayes.feature_log_prob_)
    intercepts.append(np.zeros(len(EMOTIONS)))
    for cut in cuts:
        coef, intercept = svm(matrix, ordinal > cut)
        coefs.append(coef)
        intercepts.append(intercept)
    regression = LinearSVR(
        C=c, loss="squared_epsilon_insensitive", dual=True, max_iter=2000, random_state=0
    ).fit(matrix, ordinal, sample_weight=weights)
    coefs.append(regression.coef_[None, :])
    intercepts.append(np.atleast_1d(regression.intercept_))
    return np.vstack(coefs), np.concatenate(intercepts)


def _macro_f1(labels: np.ndarray, predicted: np.ndarray) -> float:
    """Macro-F1 over the three emotions in numpy: the offset search calls it hundreds of times."""
    k = len(EMOTIONS)
    confusion = np.bincount(labels * k + predicted, minlength=k * k).reshape(k, k)
    hits = np.diag(confusion)
    denominator = confusion.sum(axis=0) + confusion.sum(axis=1)
    return float(np.mean(np.where(denominator > 0, 2 * hits / np.maximum(denominator, 1), 0.0)))


@dataclass
class _Stacker:
    """Multinomial logistic regression on the standardised base decisions, plus class offsets.

    The offsets are added to the ok and wow logits and chosen on the (out-of-fold) training
    decisions to maximise macro-F1: log-loss alone under-predicts the hard middle class.
    """

    coef: np.ndarray  # (3, k) on raw base decisions
    intercept: np.ndarray  # (3,)

    @classmethod
    def fit(cls, decisions: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> _Stacker:
        mean = decisions.mean(axis=0)
        scale = decisions.std(axis=0) + 1e-9
        learner = LogisticRegression(C=STACK_C, class_weight="balanced", max_iter=2000)
        learner.fit((decisions - mean) / scale, labels, sample_weight=weights)
        coef = learner.coef_ / scale
        intercept = learner.intercept_ - coef @ mean
        logits = decisions @ coef.T + intercept
        return cls(coef, intercept + _best_offsets(logits, labels))

    def logits(self, decisions: np.ndarray) -> np.ndarray:
        return decisions @ self.coef.T + self.intercept


def _best_offsets(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    best, best_offsets = _macro_f1(labels, logits.argmax(axis=1)), np.zeros(len(EMOTIONS))
    for ok in _OFFSETS:
        for wow in _OFFSETS:
            offsets = np.array([0.0, ok, wow])
            score = _macro_f1(labels, (logits + offsets).argmax(axis=1))
            if score > best + 1e-9:
                best, best_offsets = score, offsets
    return best_offsets


def _fold_decisions(
    matrix: sp.csr_matrix,
    labels: np.ndarray,
    ordinal: np.ndarray,
    weights: np.ndarray,
    cuts: Sequence[float],
    c: float,
    folds: int,
    random_state: int,
) -> np.ndarray:
    """Out-of-fold decisions of the base learners: what the stacker learns from."""
    decisions = None
    splitter = StratifiedKFold(folds, shuffle=True, random_state=random_state)
    for train, test in splitter.split(np.zeros(len(labels)), labels):
        coef, intercept = _fit_base(
            matrix[train], labels[train], ordinal[train], weights[train], cuts, c
        )
        if decisions is None:
            decisions = np.zeros((len(labels), len(intercept)))
        decisions[test] = matrix[test] @ coef.T + intercept
    return decisions


def _best_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    rows = np.arange(len(labels))
    losses = [-np.log(_softmax(logits / t)[rows, labels] + 1e-12).mean() for t in _TEMPERATURES]
    return float(_TEMPERATURES[int(np.argmin(losses))])


def ordinal_positions(
    scores: Sequence[float | None] | None, emotions_index: np.ndarray
) -> np.ndarray:
    """Each example's place from 0 (worst) to 1 (best): its score where it has one (already
    scaled to 0–1 by the caller), else its emotion (negative 0, ok 0.5, wow 1)."""
    fallback = emotions_index / (len(EMOTIONS) - 1)
    if scores is None:
        return fallback.astype(float)
    values = np.array([np.nan if s is None else float(s) for s in scores])
    return np.where(np.isnan(values), fallback, values)


def cross_validated_decision(
    texts: Sequence[str],
    labels: np.ndarray,
    languages: Sequence[str],
    weights: np.ndarray | None = None,
    *,
    scores: Sequence[float | None] | None = None,
    folds: int = 5,
    inner_folds: int = 5,
    c: float = DEFAULT_C,
    random_state: int = 0,
    train_size: int | None = None,
) -> np.ndarray:
    """Out-of-fold logits of stratified k-fold CV of the whole training (what ``train_model``
    does, inner cross-validation included), each fold tested on texts it never saw.

    ``train_size`` caps each fold's training part (a stratified random subset, the same
    ``random_state``) while every fold is still tested on its whole test part: the learning curve.
    ``scores`` are the examples' scores scaled to 0–1 (None where an example has none).
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
        model = train_model(
            [texts[i] for i in train],
            [EMOTIONS[k] for k in labels[train]],
            [languages[i] for i in train],
            weights=weights[train],
            scores=None if scores is None else [scores[i] for i in train],
            folds=inner_folds,
            c=c,
            random_state=random_state,
            cross_validate=False,
        )
        decision[test] = model.decision([texts[i] for i in test], [languages[i] for i in test])
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
    scores: Sequence[float | None] | None = None,
    folds: int = 5,
    c: float = DEFAULT_C,
    version: str = "1",
    random_state: int = 0,
    cross_validate: bool = True,
) -> EmotionModel:
    """Fit the stacked model; ``folds=0`` fits the one-vs-rest SVM alone (no stacking, no CV).

    ``emotions`` are cxloop emotions (``negative``/``ok``/``wow``); ``weights`` default to 1;
    ``scores`` (optional) are each example's score scaled to 0–1 (None where it has none): a
    finer target than the three emotions (``ordinal_positions``).

    The texts are featurised once. ``folds``-fold cross-validation gives the base learners'
    out-of-fold decisions; the stacker learns from them, and ``metrics`` (macro-F1, accuracy,
    per-emotion F1) come from cross-validating the stacker over the same out-of-fold decisions,
    so each figure is measured on examples no part of the model was fitted to (``cross_validate
    =False`` skips that when the caller evaluates the model itself). Above ``LARGE`` examples three
    folds are used, to keep training on 50,000 examples within a minute.
    """
    started = time.perf_counter()
    check_examples(emotions, folds)
    labels = np.array([EMOTIONS.index(e) for e in emotions])
    sample_weights = np.ones(len(labels)) if weights is None else np.asarray(weights, float)
    ordinal = ordinal_positions(scores, labels)
    metrics: dict = {"examples": len(labels), "folds": folds}
    features = TextFeatures(lexicon_weight=LEXICON_WEIGHT)
    matrix = features.fit_transform(texts, languages)
    if not folds:
        learner = LinearSVC(C=c, class_weight="balanced")
        learner.fit(matrix, labels, sample_weight=sample_weights)
        metrics["train_seconds"] = round(time.perf_counter() - started, 2)
        return EmotionModel(
            features=features,
            coef=learner.coef_.astype(np.float32),
            intercept=learner.intercept_.astype(np.float64),
            temperature=1.0,
            version=version,
            metrics=metrics,
        )
    inner = min(folds, 3) if len(labels) > LARGE else folds
    cuts = _ordinal_cuts(ordinal, labels)
    metrics.update(ordinal_cuts=[round(cut, 3) for cut in cuts], stack_folds=inner)
    decisions = _fold_decisions(
        matrix, labels, ordinal, sample_weights, cuts, c, inner, random_state
    )
    stacker = _Stacker.fit(decisions, labels, sample_weights)
    logits = stacker.logits(decisions)
    if cross_validate:
        logits = _cross_validated_stack(decisions, labels, sample_weights, folds, random_state)
        predicted = logits.argmax(axis=1)
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
    temperature = _best_temperature(logits, labels)
    coef, intercept = _fit_base(matrix, labels, ordinal, sample_weights, cuts, c)
    metrics["train_seconds"] = round(time.perf_counter() - started, 2)
    return EmotionModel(
        features=features,
        coef=(stacker.coef @ coef).astype(np.float32),
        intercept=(stacker.coef @ intercept + stacker.intercept).astype(np.float64),
        temperature=temperature,
        version=version,
        metrics=metrics,
    )


def _cross_validated_stack(
    decisions: np.ndarray, labels: np.ndarray, weights: np.ndarray, folds: int, random_state: int
) -> np.ndarray:
    """Stacker logits of each example from a stacker fitted without it."""
    logits = np.zeros((len(labels), len(EMOTIONS)))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=random_state + 1)
    for train, test in splitter.split(np.zeros(len(labels)), labels):
        stacker = _Stacker.fit(decisions[train], labels[train], weights[train])
        logits[test] = stacker.logits(decisions[test])
    return logits
