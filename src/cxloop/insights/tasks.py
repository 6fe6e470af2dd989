"""Background tasks of the insights app; each binds the workspace it names and calls a service.

All are idempotent: analysing twice stores the same rows, and a training either records a new
version or returns without one.
"""

from __future__ import annotations

from django.core.cache import cache
from django_tasks import task

from cxloop.accounts.models import Workspace
from cxloop.core.scoping import bind_workspace

from . import services
from .events import drain_pending
from .selectors import reanalysis_progress_key


@task()
def analyse_experiences(workspace_id: int, experience_ids: list[int]) -> int:
    """Analyse the given experiences (after they were recorded or imported)."""
    with bind_workspace(Workspace.objects.get(pk=workspace_id)):
        return services.analyse_experiences(experience_ids)


@task()
def analyse_pending(workspace_id: int) -> int:
    """Analyse the workspace's pending list of new texts (``events.drain_pending``)."""
    with bind_workspace(Workspace.objects.get(pk=workspace_id)):
        return drain_pending(workspace_id, services.analyse_experiences)


@task()
def reanalyse_workspace(workspace_id: int) -> int:
    """Re-analyse every text of a workspace (after a model or taxonomy change).

    Progress goes to the cache under :func:`selectors.reanalysis_progress_key`, batch by batch,
    so a page can show "12,000 of 50,000".
    """
    from cxloop.experiences.models import Experience

    key = reanalysis_progress_key(workspace_id)

    def progress(done: int, total: int) -> None:
        cache.set(key, {"done": done, "total": total}, timeout=24 * 3600)

    with bind_workspace(Workspace.objects.get(pk=workspace_id)):
        ids = list(Experience.objects.exclude(text="").values_list("pk", flat=True))
        progress(0, len(ids))
        return services.analyse_experiences(ids, progress=progress)


@task()
def train_workspace_model(workspace_id: int) -> str:
    """Train a new emotion model version; re-analyse the texts when it became active."""
    workspace = Workspace.objects.get(pk=workspace_id)
    with bind_workspace(workspace):
        result = services.train_workspace_model()
    if result.activated:
        reanalyse_workspace.enqueue(workspace_id)
    return result.reason


@task()
def retrain_if_needed(workspace_id: int) -> bool:
    """Enqueue a training when enough new rated answers arrived; returns whether it did."""
    with bind_workspace(Workspace.objects.get(pk=workspace_id)):
        needed = services.needs_retraining()
    if needed:
        train_workspace_model.enqueue(workspace_id)
    return needed


@task()
def find_emerging_topics(workspace_id: int) -> int:
    """Propose emerging topics from the recent unmatched complaints; returns how many.

    Idempotent: each run replaces the open proposals with the ones the data gives now.
    """
    with bind_workspace(Workspace.objects.get(pk=workspace_id)):
        return len(services.propose_emerging_topics())


@task()
def refresh_trends(workspace_id: int) -> dict[str, int]:
    """Record new spikes and refresh the emerging-topic proposals of one workspace.

    Idempotent: a spike is stored (and announced) once per topic and day.
    """
    with bind_workspace(Workspace.objects.get(pk=workspace_id)):
        alerts, proposals = services.refresh_trends()
    return {"spikes": len(alerts), "emerging_topics": len(proposals)}
