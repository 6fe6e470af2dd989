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

**The pending list.** Every survey answer records one text, and enqueueing an RQ job for each
cost a quarter of an answer's CPU (a new Redis connection and about seven round trips per job).
So where the cache is Redis (production: shared by every web and worker process), the committed
ids go onto the workspace's pending list instead (``RPUSH`` and ``SET … NX`` of the workspace's
*drain flag* in one server-side script: one round trip), and only the commit that set the flag
enqueues :func:`~cxloop.insights.tasks.analyse_pending`. That task clears the flag first, then
pops and analyses the list until it is empty: an id pushed before the flag was cleared is popped
by this drain, one pushed after it sets the flag again and enqueues the next drain, so no id
waits for an answer that never comes. Pops are atomic (``LRANGE`` + ``LTRIM`` in one
``MULTI``), so two drains at once split the list between them; a batch whose analysis fails goes
back on the list. The flag expires after :data:`DRAIN_FLAG_SECONDS`, so a drain job that was lost
(a flushed queue) is enqueued again by the next answer. Without Redis (a laptop, the tests'
locmem cache) each transaction enqueues :func:`~cxloop.insights.tasks.analyse_experiences` with
its ids.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import django.dispatch
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction

from cxloop.accounts import events as accounts_events
from cxloop.accounts.models import Workspace
from cxloop.core.cache import redis_client, redis_script
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
        if getattr(_local, "batch", None) is self:
            _local.batch = None
        for workspace_id, ids in self.ids.items():
            _dispatch(workspace_id, ids)


DRAIN_FLAG_SECONDS = 60
DRAIN_BATCH = 500


def _pending_keys(cache: RedisCache, workspace_id: int) -> tuple[str, str]:
    return (
        cache.make_and_validate_key(f"insights:pending:{workspace_id}"),
        cache.make_and_validate_key(f"insights:drain:{workspace_id}"),
    )


def _redis() -> tuple[RedisCache, Any] | None:
    """The cache and one Redis client on its pool, when the cache is Redis (else None)."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return None
    return cache, redis_client(cache)


PUSH_SCRIPT = """
redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
if redis.call('SET', KEYS[2], 1, 'NX', 'EX', ARGV[1]) then return 1 end
return 0
"""  # the ids onto the pending list, and whether this push set the drain flag
PUSH_SCRIPT_IDS = 1000


def _dispatch(workspace_id: int, ids: list[int]) -> None:
    from . import tasks  # the tasks module imports the services

    redis = _redis()
    if redis is None:
        tasks.analyse_experiences.enqueue(workspace_id, ids)
        return
    cache, client = redis
    pending, flag = _pending_keys(cache, workspace_id)
    if len(ids) <= PUSH_SCRIPT_IDS:
        first = redis_script(cache, PUSH_SCRIPT)(
            keys=[pending, flag], args=[DRAIN_FLAG_SECONDS, *ids]
        )
    else:  # a big import: the script's arguments are bounded
        pipe = client.pipeline(transaction=True)
        pipe.rpush(pending, *ids)
        pipe.set(flag, 1, nx=True, ex=DRAIN_FLAG_SECONDS)
        first = pipe.execute()[1]
    if first:
        try:
            tasks.analyse_pending.enqueue(workspace_id)
        except BaseException:
            client.delete(flag)  # the next commit tries again
            raise


def drain_pending(workspace_id: int, analyse: Callable[[list[int]], int]) -> int:
    """Pop the workspace's pending ids batch by batch and ``analyse`` them; returns the sum of
    what ``analyse`` returned. Called by ``tasks.analyse_pending`` with the workspace bound."""
    redis = _redis()
    if redis is None:
        return 0
    cache, client = redis
    pending, flag = _pending_keys(cache, workspace_id)
    client.delete(flag)  # from here on, a new id enqueues the next drain
    done = 0
    while True:
        pipe = client.pipeline(transaction=True)
        pipe.lrange(pending, 0, DRAIN_BATCH - 1)
        pipe.ltrim(pending, DRAIN_BATCH, -1)
        ids = [int(i) for i in pipe.execute()[0]]
        if not ids:
            return done
        try:
            done += analyse(ids)
        except BaseException:
            client.rpush(pending, *ids)  # analysed later, by the next drain
            raise


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
