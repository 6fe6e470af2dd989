"""The emotion classifier protocol and what every classifier returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

NEGATIVE = "negative"
OK = "ok"
WOW = "wow"
EMOTIONS = (NEGATIVE, OK, WOW)

# Labels people and data sets use, mapped to cxloop's emotions (issue 5: neutral → OK,
# positive → WOW, as a first approximation of "met" and "exceeded").
LABEL_ALIASES = {
    "negative": NEGATIVE,
    "neg": NEGATIVE,
    "ok": OK,
    "neutral": OK,
    "neu": OK,
    "wow": WOW,
    "positive": WOW,
    "pos": WOW,
}


class UnknownLabel(ValueError):
    """A training label that is none of negative/neutral/positive or negative/ok/wow."""


def emotion_of_label(label: str) -> str:
    try:
        return LABEL_ALIASES[label.strip().lower()]
    except KeyError:
        raise UnknownLabel(
            f"Unknown label {label!r}: use negative/neutral/positive or negative/ok/wow."
        ) from None


@dataclass(frozen=True, slots=True)
class EmotionPrediction:
    emotion: str
    confidence: float
    classifier: str  # the classifier's display name with its version, e.g. "workspace v3"


@runtime_checkable
class Classifier(Protocol):
    """Anything that turns texts into emotions with a confidence.

    ``name`` is stable (it is stored beside each analysis); ``version`` tells which training of
    it produced an answer; ``languages`` are the detected languages of the texts (``uk``, ``ru``,
    ``en``, ``other``), given so that a classifier need not detect them again.
    """

    name: str
    version: str

    def predict(
        self, texts: Sequence[str], languages: Sequence[str]
    ) -> list[EmotionPrediction]: ...
