"""Recording experiences: the one way an encounter enters the ledger."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Field, OuterRef, Q, Subquery
from django.utils import timezone

from cxloop.core.db import insert_fields, insert_into, mark_inserted, prepared_values
from cxloop.core.scoping import current_workspace
from cxloop.customers.models import Customer, Expectation
from cxloop.journeys.models import Touchpoint

from . import events
from .models import Experience, Source
from .scoring import Outcome, emotion_for_outcome, outcome_for_score
from .stance import update_stances

MAX_TEXT = 10_000


class ExperienceInvalid(ValueError):
    """The experience cannot be recorded as given; the message says what to fix."""


def record_experience(
    *,
    source: str,
    occurred_at: datetime | None = None,
    customer: Customer | None = None,
    touchpoint: Touchpoint | None = None,
    expectation: Expectation | None = None,
    score: int | None = None,
    scale: str = "",
    outcome: str | None = None,
    text: str = "",
    language: str = "",
) -> Experience:
    """Store one encounter, derive its emotion, and update the customer it belongs to.

    With a score, the outcome follows from the scale (``scoring.py``); without one (a staff note,
    a social mention) the caller says the outcome. The customer's last-experience time and stance
    are updated in the same transaction, and ``events.experience_recorded`` is sent last (a
    negative signal opens a case there, ``cxloop.loop.events``).

    The input is checked before anything is written, so a refusal leaves the caller's
    transaction usable. The writes join the caller's transaction without a savepoint of their
    own (two round trips less on every survey answer): a database error there fails the caller's
    whole transaction, which is what every caller wants of a half-recorded experience anyway.
    """
    if source not in Source.values:
        raise ExperienceInvalid(
            f"Unknown source {source!r}; use one of {', '.join(Source.values)}."
        )
    if len(text) > MAX_TEXT:
        raise ExperienceInvalid(
            f"The text is {len(text)} characters long; the limit is {MAX_TEXT}."
        )
    if score is not None:
        if not scale:
            raise ExperienceInvalid("A score needs its scale (nps, csat, ces or stars5).")
        try:
            derived = outcome_for_score(score, scale)
        except (ValueError, KeyError) as exc:
            raise ExperienceInvalid(str(exc)) from exc
        outcome = outcome or derived
    if outcome is None or outcome not in Outcome.values:
        raise ExperienceInvalid(
            "Give a score with its scale, or an outcome: below, met or exceeded."
        )

    with transaction.atomic(savepoint=False):
        return _store(
            customer=customer,
            touchpoint=touchpoint,
            expectation=expectation,
            occurred_at=occurred_at or timezone.now(),
            source=source,
            score=score,
            scale=scale,
            outcome=outcome,
            emotion=emotion_for_outcome(outcome),
            text=text.strip(),
            language=language,
        )


def _store(*, customer: Customer | None, **fields: object) -> Experience:
    experience = Experience(workspace=current_workspace(), customer=customer, **fields)
    _insert(experience)
    if customer is not None:
        Customer.objects.filter(pk=customer.pk).filter(
            Q(last_experience_at__isnull=True) | Q(last_experience_at__lt=experience.occurred_at)
        ).update(last_experience_at=experience.occurred_at)
        update_stances([customer.pk], caused_by={customer.pk: experience})
        customer.refresh_from_db(fields=["stance", "stance_changed_at", "last_experience_at"])
    # Explicitly, last: receivers (a case for a negative signal) see the stance after it.
    events.experience_recorded.send(sender=Experience, experience=experience)
    return experience


@cache
def _insert_sql() -> tuple[str, list[Field]]:
    fields = insert_fields(Experience)
    placeholders = ", ".join(["%s"] * len(fields))
    return (
        f"{insert_into(Experience, fields, connection)} VALUES ({placeholders}) RETURNING id",
        fields,
    )


def _insert(experience: Experience) -> None:
    """``save(force_insert=True)`` without rebuilding Django's INSERT for every answer: on
    PostgreSQL the statement is written once, and each field prepares its value as the ORM does
    (``pre_save`` sets ``created_at``; ``get_db_prep_save``). Nothing listens to the model's save
    signals; the ledger's own event is sent by :func:`record_experience`."""
    if connection.vendor != "postgresql":
        experience.save(force_insert=True)
        return
    experience._prepare_related_fields_for_save(operation_name="save")  # no unsaved customer
    sql, fields = _insert_sql()
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy costs a lookup a use
    with db.cursor() as cursor:
        cursor.execute(sql, prepared_values(experience, fields, db))
        mark_inserted(experience, cursor.fetchone()[0], db)


def refresh_last_experience(customer_ids: list[int] | None = None) -> None:
    """Set-based: each customer's last-experience time from the ledger (after bulk loads)."""
    # ORDER BY … LIMIT 1 walks the (customer, occurred_at) index backwards: one probe per customer.
    latest = (
        Experience.objects.filter(customer_id=OuterRef("pk"))
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    customers = Customer.objects.all()
    if customer_ids is not None:
        customers = customers.filter(pk__in=customer_ids)
    customers.update(last_experience_at=Subquery(latest))
