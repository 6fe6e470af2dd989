"""Workspace scoping: the one mechanism that keeps every query inside one workspace.

Every domain model inherits :class:`WorkspaceScopedModel`. Its default manager filters by the
workspace bound to the current request (or task, or command) and raises
:class:`WorkspaceNotBound` when none is bound, so a query that forgot its workspace fails loudly
instead of reading everybody's rows. Writes are checked the same way: a row for another workspace
cannot be saved while a workspace is bound. Code that must cross workspaces on purpose (the demo
loader, a worker picking a row before it knows its workspace) says so with ``Model.unscoped``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from cxloop.accounts.models import Workspace

_current_workspace: ContextVar[Workspace | None] = ContextVar("cxloop_workspace", default=None)


class WorkspaceNotBound(RuntimeError):
    """A workspace-scoped query ran with no workspace bound: a bug, never a user error."""


class CrossWorkspaceWrite(RuntimeError):
    """Somebody tried to write a row of one workspace while another one is bound."""


@contextmanager
def bind_workspace(workspace: Workspace) -> Iterator[Workspace]:
    """Make ``workspace`` the current one for the code inside the ``with`` block."""
    token = _current_workspace.set(workspace)
    try:
        yield workspace
    finally:
        _current_workspace.reset(token)


def current_workspace() -> Workspace:
    workspace = _current_workspace.get()
    if workspace is None:
        raise WorkspaceNotBound(
            "No workspace is bound. Wrap the code in bind_workspace(...) or use Model.unscoped "
            "deliberately."
        )
    return workspace


def current_workspace_or_none() -> Workspace | None:
    return _current_workspace.get()


class WorkspaceScopedManager(models.Manager):
    """Filters every query by the bound workspace and fills it in on bulk inserts."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(workspace=current_workspace())

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        workspace = current_workspace()
        objs = list(objs)
        for obj in objs:
            claim_for(obj, workspace)
        return super().bulk_create(objs, *args, **kwargs)


def claim_for(obj: WorkspaceScopedModel, workspace: Workspace) -> None:
    """Give ``obj`` the bound ``workspace``, or refuse a row of another: the check every scoped
    write makes (``save``, ``bulk_create``, and the hot paths' own INSERTs)."""
    if obj.workspace_id is None:
        obj.workspace = workspace
    elif obj.workspace_id != workspace.pk:
        raise CrossWorkspaceWrite(
            f"{type(obj).__name__} belongs to workspace {obj.workspace_id}, "
            f"but workspace {workspace.pk} is bound."
        )


class WorkspaceScopedModel(models.Model):
    workspace = models.ForeignKey(
        "accounts.Workspace", on_delete=models.CASCADE, related_name="+", editable=False
    )

    objects = WorkspaceScopedManager()
    unscoped = models.Manager()  # noqa: DJ012 - a manager, which ruff takes for a field

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Structural, not business logic: the row's workspace is the bound one, or it was set
        # explicitly by code that works outside a request (then nothing is bound to compare).
        workspace = current_workspace_or_none()
        if workspace is not None:
            claim_for(self, workspace)
        elif self.workspace_id is None:
            raise WorkspaceNotBound(f"Saving {type(self).__name__} needs a workspace.")
        super().save(*args, **kwargs)
