"""The domain events the journeys app listens to; it emits none yet.

- ``accounts.events.workspace_created`` → :func:`predefine_onboarding_journey`: every new
  workspace starts with the 100-day onboarding journey, in the same transaction as the workspace.

Receivers only call a service; the rules live in ``services``.
"""

from __future__ import annotations

from typing import Any

from cxloop.accounts import events as accounts_events
from cxloop.accounts.models import Workspace
from cxloop.core.scoping import bind_workspace

from . import services


def predefine_onboarding_journey(sender: type, *, workspace: Workspace, **kwargs: Any) -> None:
    # The new workspace, even when somebody creates it from a request bound to another one.
    with bind_workspace(workspace):
        services.ensure_onboarding_journey(workspace)


def connect() -> None:
    """Called once from ``JourneysConfig.ready()``."""
    accounts_events.workspace_created.connect(
        predefine_onboarding_journey, dispatch_uid="journeys.predefine_onboarding_journey"
    )
