"""The domain events the insights app listens to.

- ``accounts.events.workspace_created`` → :func:`give_default_topics`: every new workspace starts
  with the default root-cause taxonomy (delivery, price, support…), editable afterwards.
"""

from __future__ import annotations

from typing import Any

from cxloop.accounts import events as accounts_events
from cxloop.accounts.models import Workspace
from cxloop.core.scoping import bind_workspace

from . import services


def give_default_topics(sender: type, *, workspace: Workspace, **kwargs: Any) -> None:
    with bind_workspace(workspace):
        services.ensure_default_topics()


def connect() -> None:
    """Called once from ``InsightsConfig.ready()``."""
    accounts_events.workspace_created.connect(
        give_default_topics, dispatch_uid="insights.give_default_topics"
    )
