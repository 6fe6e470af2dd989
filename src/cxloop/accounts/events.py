"""The domain events the accounts app emits.

Other apps subscribe from their ``AppConfig.ready()`` (see ``cxloop.journeys.events``), so accounts
never imports them and every subscriber is listed in one place: its own ``events.py``.
"""

from __future__ import annotations

import django.dispatch

workspace_created = django.dispatch.Signal()
"""Sent by ``accounts.services.create_workspace`` after the workspace and its owner exist.

Keyword arguments: ``workspace``. It is sent inside the same transaction as the workspace insert,
so what a receiver writes (the predefined 100-day onboarding journey, for one) is created together
with the workspace or not at all; a receiver that raises rolls the new workspace back.
"""
