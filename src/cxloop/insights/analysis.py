"""The fast path: language, emotion and topics of a batch of texts, no database involved.

Used by the CLI on files and by ``services.analyse_experiences`` on the ledger; the same code,
so a figure from the benchmark is the figure of the product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .classifiers import Classifier, get_classifier
from .language import detect_language
from .topics import Taxonomy


@dataclass(frozen=True, slots=True)
class TextAnalysis:
    language: str
    emotion: str
    confidence: float
    classifier: str
    topics: tuple[str, ...]


def analyse_texts(
    texts: Sequence[str],
    *,
    classifier: Classifier | None = None,
    taxonomy: Taxonomy | None = None,
) -> list[TextAnalysis]:
    texts = [text or "" for text in texts]
    classifier = classifier or get_classifier("cold-start")
    taxonomy = taxonomy or Taxonomy.default()
    languages = [detect_language(text) for text in texts]
    emotions = classifier.predict(texts, languages)
    return [
        TextAnalysis(lang, emotion.emotion, emotion.confidence, emotion.classifier, tuple(topics))
        for lang, emotion, topics in zip(
            languages, emotions, taxonomy.match_many(texts, languages), strict=True
        )
    ]


def classify(text: str, classifier: Classifier | None = None) -> tuple[str, float, str]:
    """``(emotion, confidence, classifier name)`` of one text."""
    classifier = classifier or get_classifier("cold-start")
    prediction = classifier.predict([text or ""], [detect_language(text)])[0]
    return prediction.emotion, prediction.confidence, prediction.classifier
