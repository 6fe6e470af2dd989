"""Background tasks of the customers app; each a thin, idempotent wrapper over a service."""

from __future__ import annotations

from django_tasks import task

from .imports import services as imports


@task()
def run_import(run_id: int) -> str:
    """Import a queued ``ImportRun`` (a large file confirmed in the web UI); returns its status.

    The run row names its workspace, which ``imports.execute`` binds; a second delivery of the
    same task finds the run claimed already and does nothing.
    """
    return imports.execute(run_id)
