"""Emotion classifiers: a registry of factories and the setting that picks one.

``INSIGHTS_EMOTION_CLASSIFIER`` (Django setting, or the ``CXLOOP_INSIGHTS_CLASSIFIER``
environment variable) names the classifier used when a workspace does not say otherwise:

- ``auto`` (default): the workspace's active model when it has one, else ``cold-start``;
- ``cold-start``: always the cold-start classifier;
- any name added with :func:`register` (an embeddings classifier, a remote service…).

A factory receives the workspace (or ``None`` outside one) and returns a :class:`Classifier`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .base import (
    EMOTIONS,
    NEGATIVE,
    OK,
    WOW,
    Classifier,
    EmotionPrediction,
    UnknownLabel,
    emotion_of_label,
)

__all__ = [
    "EMOTIONS",
    "NEGATIVE",
    "OK",
    "WOW",
    "Classifier",
    "EmotionPrediction",
    "UnknownClassifier",
    "UnknownLabel",
    "classifier_names",
    "emotion_of_label",
    "get_classifier",
    "register",
]

Factory = Callable[[Any], Classifier]
_registry: dict[str, Factory] = {}


class UnknownClassifier(LookupError):
    """The setting or the caller named a classifier nobody registered."""


def register(name: str) -> Callable[[Factory], Factory]:
    def decorator(factory: Factory) -> Factory:
        _registry[name] = factory
        return factory

    return decorator


def classifier_names() -> list[str]:
    return ["auto", *sorted(_registry)]


def configured_name() -> str:
    from django.conf import settings

    return getattr(
        settings,
        "INSIGHTS_EMOTION_CLASSIFIER",
        os.environ.get("CXLOOP_INSIGHTS_CLASSIFIER", "auto"),
    )


def get_classifier(name: str | None = None, workspace: Any = None) -> Classifier:
    """The classifier called ``name`` (default: the setting) for ``workspace``."""
    name = name or configured_name()
    if name == "auto":
        if workspace is not None:
            from ..selectors import active_emotion_model

            model = active_emotion_model(workspace)
            if model is not None:
                return model
        name = "cold-start"
    try:
        factory = _registry[name]
    except KeyError:
        raise UnknownClassifier(
            f"No emotion classifier called {name!r}; choose one of {', '.join(classifier_names())}."
        ) from None
    return factory(workspace)


@register("cold-start")
def _cold_start(workspace: Any) -> Classifier:
    from .coldstart import cold_start_classifier

    return cold_start_classifier()
