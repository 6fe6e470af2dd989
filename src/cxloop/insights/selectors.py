"""Read-side queries of the insights app (used by services, views, the API and analytics)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .classifiers.workspace import EmotionModel
from .models import EmotionModelVersion, ExperienceAnalysis, Topic
from .topics import Taxonomy

if TYPE_CHECKING:
    from cxloop.accounts.models import Workspace

# Loaded models per process, keyed by the version row's id (a row never changes its file).
_MODEL_CACHE_SIZE = 8
_models: OrderedDict[int, EmotionModel] = OrderedDict()
_lock = threading.Lock()


def model_versions(workspace: Workspace) -> QuerySet[EmotionModelVersion]:
    """Every training of the workspace's model, newest first (without the model files)."""
    return EmotionModelVersion.unscoped.filter(workspace=workspace).defer("data")


def active_model_version(workspace: Workspace) -> EmotionModelVersion | None:
    return model_versions(workspace).filter(status=EmotionModelVersion.Status.ACTIVE).first()


def active_emotion_model(workspace: Workspace) -> EmotionModel | None:
    version = active_model_version(workspace)
    if version is None:
        return None
    with _lock:
        model = _models.get(version.pk)
        if model is not None:
            _models.move_to_end(version.pk)
            return model
    data = EmotionModelVersion.unscoped.filter(pk=version.pk).values_list("data", flat=True).get()
    model = EmotionModel.from_bytes(bytes(data))
    with _lock:
        _models[version.pk] = model
        while len(_models) > _MODEL_CACHE_SIZE:
            _models.popitem(last=False)
    return model


def workspace_taxonomy(workspace: Workspace) -> tuple[Taxonomy, dict[str, int]]:
    """The compiled active topics and a map from topic key to row id."""
    topics = list(
        Topic.unscoped.filter(workspace=workspace, is_active=True).values_list(
            "pk", "key", "keywords"
        )
    )
    return Taxonomy({key: keywords for _, key, keywords in topics}), {
        key: pk for pk, key, _ in topics
    }


def analyses_for(experience_ids: list[int]) -> QuerySet[ExperienceAnalysis]:
    """Analyses of the given experiences in the bound workspace, with their topics."""
    return ExperienceAnalysis.objects.filter(experience_id__in=experience_ids).prefetch_related(
        "topics"
    )


def reanalysis_progress_key(workspace_id: int) -> str:
    return f"insights:reanalysis:{workspace_id}"


def reanalysis_progress(workspace: Workspace) -> dict[str, int] | None:
    """``{"done": n, "total": m}`` of the workspace's running or last re-analysis, if any."""
    from django.core.cache import cache

    return cache.get(reanalysis_progress_key(workspace.pk))
