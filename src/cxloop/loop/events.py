"""The domain events of the loop app: what it emits, what it listens to, and the timeline rows.

Every state change of a case leaves a :class:`~cxloop.loop.models.CaseEvent` row, written here in
the caller's transaction (the case page and the customer's timeline read them), and then a Django
signal that other apps may subscribe to from their own ``AppConfig.ready()``.

Emitted (keyword arguments ``case`` and ``event``, the row just written; sent inside the
transaction, so what a receiver writes commits with the change or not at all):

- ``case_opened`` — a negative signal opened a case;
- ``case_changed`` — a signal was attached, the owner changed, the status moved, a note was
  added, or the overdue notice went out (``event.kind`` says which).

Listened to:

- ``experiences.events.experience_recorded`` → :func:`open_case_for_signal`: every experience
  recorded through ``record_experience`` (survey answers, mentions, reviews, the API) is checked
  and, when it is a negative signal, opens or joins a case (rules in ``cases.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import django.dispatch

from cxloop.experiences import events as experiences_events

from .models import CaseEvent

if TYPE_CHECKING:
    from cxloop.accounts.models import User
    from cxloop.experiences.models import Experience

    from .models import Case

case_opened = django.dispatch.Signal()
case_changed = django.dispatch.Signal()


def _write(case: Case, kind: str, now: datetime, **fields: Any) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case, customer_id=case.customer_id, kind=kind, created_at=now, **fields
    )
    signal = case_opened if kind == CaseEvent.Kind.OPENED else case_changed
    signal.send(sender=CaseEvent, case=case, event=event)
    return event


def case_opened_event(case: Case, *, now: datetime) -> CaseEvent:
    event = _write(
        case, CaseEvent.Kind.OPENED, now, to_status=case.status, experience_id=case.experience_id
    )
    if case.owner_id is not None:
        _write(case, CaseEvent.Kind.ASSIGNED, now, owner_id=case.owner_id)
    return event


def signal_attached(case: Case, experience: Experience, *, now: datetime) -> CaseEvent:
    return _write(case, CaseEvent.Kind.SIGNAL, now, experience=experience)


def owner_assigned(case: Case, *, actor: User | None, now: datetime) -> CaseEvent:
    return _write(case, CaseEvent.Kind.ASSIGNED, now, actor=actor, owner_id=case.owner_id)


def status_changed(
    case: Case, from_status: str, *, actor: User | None, text: str, now: datetime
) -> CaseEvent:
    return _write(
        case,
        CaseEvent.Kind.STATUS,
        now,
        actor=actor,
        from_status=from_status,
        to_status=case.status,
        text=text,
    )


def note_added(case: Case, *, actor: User | None, text: str, now: datetime) -> CaseEvent:
    return _write(case, CaseEvent.Kind.NOTE, now, actor=actor, text=text)


def overdue_notified(case: Case, people: Iterable[User], *, now: datetime) -> CaseEvent:
    names = ", ".join(str(person) for person in people)
    return _write(case, CaseEvent.Kind.OVERDUE, now, text=names)


def open_case_for_signal(sender: type, *, experience: Experience, **kwargs: Any) -> None:
    from . import cases  # cases writes its rows through this module

    cases.open_case_for(experience)


def connect() -> None:
    """Called once from ``LoopConfig.ready()``."""
    experiences_events.experience_recorded.connect(
        open_case_for_signal, dispatch_uid="loop.open_case_for_signal"
    )
    connect_improvements()


# --- improvements -----------------------------------------------------------------------------
# Every change of an improvement leaves an ImprovementEvent row in the caller's transaction, then
# the ``improvement_changed`` signal (keyword arguments ``improvement`` and ``event``). Shipping is
# a status event with ``to_status == "shipped"``. New workspaces get the default processes
# (``accounts.events.workspace_created`` → :func:`give_default_processes`).

improvement_changed = django.dispatch.Signal()


def _improvement_event(improvement: Any, kind: str, **fields: Any) -> Any:
    from django.utils import timezone

    from .models import ImprovementEvent

    event = ImprovementEvent.objects.create(
        improvement=improvement, kind=kind, created_at=timezone.now(), **fields
    )
    improvement_changed.send(sender=ImprovementEvent, improvement=improvement, event=event)
    return event


def improvement_created(improvement: Any, *, actor: User | None, linked: dict) -> Any:
    return _improvement_event(
        improvement, "created", actor=actor, to_status=improvement.status, data={"linked": linked}
    )


def improvement_edited(
    improvement: Any, *, actor: User | None, fields: list[str], linked: dict
) -> Any:
    return _improvement_event(
        improvement, "edited", actor=actor, data={"fields": fields, "linked": linked}
    )


def improvement_linked(improvement: Any, *, actor: User | None, experiences: int) -> Any:
    return _improvement_event(improvement, "linked", actor=actor, data={"experiences": experiences})


def improvement_status_changed(improvement: Any, *, actor: User | None, from_status: str) -> Any:
    return _improvement_event(
        improvement,
        "status",
        actor=actor,
        from_status=from_status,
        to_status=improvement.status,
        data={"shipped_on": improvement.shipped_on.isoformat()} if improvement.shipped_on else {},
    )


def customers_told(improvement: Any, *, queued: int, skipped: dict[str, int]) -> Any:
    return _improvement_event(improvement, "notified", data={"queued": queued, "skipped": skipped})


def give_default_processes(sender: type, *, workspace: Any, **kwargs: Any) -> None:
    from cxloop.core.scoping import bind_workspace

    from .improvements import ensure_default_processes

    with bind_workspace(workspace):
        ensure_default_processes()


def connect_improvements() -> None:
    from cxloop.accounts import events as accounts_events

    accounts_events.workspace_created.connect(
        give_default_processes, dispatch_uid="loop.give_default_processes"
    )
