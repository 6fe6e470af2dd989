"""The domain events the insights app emits and the ones it listens to.

Emits:

- :data:`spike_detected` (below), once per topic and day.

Listens to:

- ``accounts.events.workspace_created`` → :func:`give_default_topics`: every new workspace starts
  with the default root-cause taxonomy (delivery, price, support…), editable afterwards.
- ``experiences.events.experience_recorded`` → :func:`analyse_recorded`: every new text (a survey
  answer, an imported review or mention, an API call) is analysed by a background task that is
  enqueued after the recording transaction commits (a rolled-back recording enqueues nothing).
  The experiences recorded in one transaction (a mentions import of 1,000 rows) share one task.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

import django.dispatch
from django.db import transaction

from cxloop.accounts import events as accounts_events
from cxloop.accounts.models import Workspace
from cxloop.core.scoping import bind_workspace
from cxloop.experiences import events as experiences_events

spike_detected = django.dispatch.Signal()
"""Sent by :func:`cxloop.insights.services.record_spikes` the first time a topic's daily count of
negative texts breaks its control limit (``spikes.py``), once per topic and day.

Keyword arguments: ``alert`` — the :class:`~cxloop.insights.models.SpikeAlert` (its ``topic``,
``day``, ``count``, ``expected``) — and ``experience_ids``, the texts behind it. Sent inside the
transaction that stored the alert, with its workspace bound; a receiver that must reach the
outside world (an email, a webhook) enqueues a task with ``transaction.on_commit``.
"""


def give_default_topics(sender: type, *, workspace: Workspace, **kwargs: Any) -> None:
    from . import services  # the services send this module's events

    with bind_workspace(workspace):
        services.ensure_default_topics()


def analyse_recorded(sender: type, *, experience: Any, **kwargs: Any) -> None:
    if experience.text:
        schedule_analysis(experience.workspace_id, [experience.pk])


class _Batch:
    """Experience ids waiting for their transaction to commit, by workspace."""

    def __init__(self) -> None:
        self.ids: dict[int, list[int]] = defaultdict(list)

    def __call__(self) -> None:
        from .tasks import analyse_experiences  # the tasks module imports the services

        if getattr(_local, "batch", None) is self:
            _local.batch = None
        for workspace_id, ids in self.ids.items():
            analyse_experiences.enqueue(workspace_id, ids)


_local = threading.local()


def schedule_analysis(workspace_id: int, experience_ids: list[int]) -> None:
    """Enqueue ``tasks.analyse_experiences`` for these ids once the current transaction commits
    (at once outside a transaction), one task per workspace and transaction."""
    connection = transaction.get_connection()
    batch: _Batch | None = getattr(_local, "batch", None)
    registered = (
        batch is not None
        and connection.in_atomic_block
        and any(entry[1] is batch for entry in connection.run_on_commit)
    )
    if registered:
        batch.ids[workspace_id].extend(experience_ids)
        return
    batch = _Batch()
    batch.ids[workspace_id].extend(experience_ids)
    _local.batch = batch if connection.in_atomic_block else None
    transaction.on_commit(batch)


def connect() -> None:
    """Called once from ``InsightsConfig.ready()``."""
    accounts_events.workspace_created.connect(
        give_default_topics, dispatch_uid="insights.give_default_topics"
    )
    experiences_events.experience_recorded.connect(
        analyse_recorded, dispatch_uid="insights.analyse_recorded"
    )
