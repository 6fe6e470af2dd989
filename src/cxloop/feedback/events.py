"""The domain events the feedback app emits; it listens to none yet.

Receivers subscribe from their own app's ``AppConfig.ready()`` (as ``cxloop.journeys.events``
does for ``accounts.events.workspace_created``), so this app never imports them.
"""

from __future__ import annotations

import django.dispatch

response_completed = django.dispatch.Signal()
"""Sent by :func:`cxloop.feedback.respond.submit` when a survey response is completed, and again
each time a completed response is edited (until the survey closes).

Keyword arguments:

- ``response`` — the :class:`~cxloop.feedback.models.Response` (its ``survey``, ``customer`` —
  None for an anonymous answer —, ``score`` and ``scale``);
- ``experience`` — the :class:`~cxloop.experiences.models.Experience` it became (outcome, emotion,
  text, touchpoint); on an edit, the new experience that replaced the previous one;
- ``edited`` — True when the response had been completed before (an edit, not a first answer).

It is sent inside the transaction that stored the answer, with the survey's workspace bound: what
a receiver writes (a case for a detractor, a playbook step) is stored together with the answer or
not at all, and a receiver that raises rolls the answer back. A receiver that must reach the
outside world (email, webhooks) enqueues a task with ``transaction.on_commit``.
A response without a scored answer becomes no experience and sends no event.
"""
