"""The domain events the experiences app emits; it listens to none.

Receivers subscribe from their own app's ``AppConfig.ready()`` (``cxloop.loop.events`` opens a
case for a negative signal), so the ledger never imports them.
"""

from __future__ import annotations

import django.dispatch

experience_recorded = django.dispatch.Signal()
"""Sent by :func:`cxloop.experiences.services.record_experience` after one experience is stored
and its customer's stance recomputed.

Keyword arguments: ``experience`` (with ``customer`` refreshed: its stance is the one after this
experience). It is sent inside the recording transaction, with the experience's workspace bound:
what a receiver writes (a case) is stored with the experience or not at all, and a receiver that
raises rolls the experience back. Bulk loads that insert experiences without
``record_experience`` (the demo, imports) send nothing; ``cxloop open_cases`` catches up on them.
"""
