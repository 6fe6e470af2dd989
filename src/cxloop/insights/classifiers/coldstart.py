"""The cold-start classifier: for a workspace with too few rated answers to learn from.

It knows nothing about the workspace. It combines two things the cxloop team wrote itself (both
Apache-2.0, shipped in this package): the lexicon in ``lexicon.py`` (stems, phrases, negation,
intensifiers, "but" clauses, the review form's cons section) and about 250 seed examples per
language in ``data/seed_examples.csv`` (product reviews, delivery and support messages, airline
tweets; praise, complaints and the 3-star "works, but…" kind in between). A logistic regression
learns from the seed examples how much each lexicon count weighs, together with the examples' own
character and word n-grams. Ukrainian and Russian share one model fitted on both languages' seeds,
English has its own (tweets and reviews weigh words differently), and a text in another language
goes to one fitted on all seeds; they train in about a second, once per process.

Measured on the labelled sets of ``bench/insights_quality.py`` (never trained on): macro-F1 about
0.59 on Ukrainian and Russian product reviews and 0.65 on English airline tweets.

Its answers say ``cold-start`` so the UI can tell a manager that the workspace model is not in use
yet."""

from __future__ import annotations

import csv
import functools
from collections.abc import Sequence
from importlib import resources

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from ..features import TextFeatures
from ..text import normalise
from .base import EMOTIONS, EmotionPrediction, emotion_of_label
from .lexicon import FEATURES, lexicon_features

NAME = "cold-start"
VERSION = "2"
# How much the lexicon counts weigh against the (L2-normalised) n-gram views.
LEXICON_WEIGHT = 1.0
NGRAM_WEIGHT = 1.0
C = 1.0
# Which seed examples each language's model learns from. Ukrainian and Russian reviews share
# their subject, many roots and the surzhyk in between, so each learns from both.
SEED_GROUPS = {"uk": ("uk", "ru"), "ru": ("uk", "ru"), "en": ("en",)}


def seed_examples() -> list[tuple[str, str, str]]:
    """(text, emotion, language) of the team-written seed set."""
    path = resources.files("cxloop.insights") / "data" / "seed_examples.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (row["text"], emotion_of_label(row["label"]), row["lang"])
            for row in csv.DictReader(handle)
        ]


class _SeedModel:
    """Lexicon counts + n-grams → logistic regression, fitted on one group of seed examples."""

    def __init__(self, examples: list[tuple[str, str, str]]) -> None:
        texts = [text for text, _, _ in examples]
        languages = [lang for _, _, lang in examples]
        # A hashed n-gram seen in one seed example only teaches nothing and costs time.
        self.features = TextFeatures(char_bits=16, word_bits=16, min_df=2)
        matrix = self._matrix(texts, languages, fit=True)
        self.model = LogisticRegression(C=C, max_iter=2000)
        # A model this small fits fastest on one thread: BLAS threads only fight each other and
        # every other process for the cores (on a loaded 2-core machine the fit took 6–14 s
        # instead of about 1.5 s).
        with threadpool_limits(limits=1):
            self.model.fit(matrix, [emotion for _, emotion, _ in examples])
        self._order = [list(self.model.classes_).index(e) for e in EMOTIONS]

    def _matrix(self, texts: Sequence[str], languages: Sequence[str], *, fit: bool = False):
        ngrams = (
            self.features.fit_transform(texts, languages)
            if fit
            else self.features.transform(texts, languages)
        )
        lexical = np.array(
            [
                lexicon_features(normalise(text[:2000]), lang)
                for text, lang in zip(texts, languages, strict=True)
            ],
            dtype=np.float32,
        ).reshape(len(texts), len(FEATURES))
        return sp.hstack(
            [sp.csr_matrix(lexical * LEXICON_WEIGHT), ngrams * NGRAM_WEIGHT], format="csr"
        )

    def predict_proba(self, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
        return self.model.predict_proba(self._matrix(texts, languages))[:, self._order]


class ColdStartClassifier:
    """One seed model per language (reviews and tweets weigh words differently), and one over
    all seeds for texts in another language."""

    name = NAME
    version = VERSION

    def __init__(self) -> None:
        examples = seed_examples()
        by_group: dict[tuple[str, ...], _SeedModel] = {}
        for group in SEED_GROUPS.values():
            if group not in by_group:
                by_group[group] = _SeedModel([e for e in examples if e[2] in group])
        self.models = {lang: by_group[group] for lang, group in SEED_GROUPS.items()}
        self.pooled = _SeedModel(examples)

    def predict_proba(self, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
        """Probabilities in the order of :data:`EMOTIONS`."""
        result = np.zeros((len(texts), len(EMOTIONS)))
        langs = np.array(languages, dtype=object)
        for lang in set(languages):
            rows = np.flatnonzero(langs == lang)
            model = self.models.get(lang, self.pooled)
            result[rows] = model.predict_proba([texts[i] for i in rows], [lang] * len(rows))
        return result

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[EmotionPrediction]:
        label = f"{self.name} v{self.version}"
        return [
            EmotionPrediction(EMOTIONS[int(row.argmax())], float(row.max()), label)
            for row in self.predict_proba(texts, languages)
        ]


@functools.cache
def cold_start_classifier() -> ColdStartClassifier:
    return ColdStartClassifier()
