"""Use cases for expectations and WOW plans: writing down what a customer expects, and what we
will do to exceed it. (Kept apart from ``services.py``, which holds the bulk upserts.)"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from cxloop.accounts.models import User

from .models import Customer, Expectation, Segment, WowPlanItem

MAX_TEXT = 500


class ExpectationInvalid(ValueError):
    """The expectation or plan step cannot be saved as given; the message says why."""


def _clean(text: str, what: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise ExpectationInvalid(f"Write the {what}.")
    if len(text) > MAX_TEXT:
        raise ExpectationInvalid(f"Keep the {what} under {MAX_TEXT} characters.")
    return text


def note_individual_expectation(
    customer: Customer,
    text: str,
    *,
    noted_by: User | None,
    source: str = Expectation.Source.STAFF,
    noted_on: date | None = None,
) -> Expectation:
    return Expectation.objects.create(
        kind=Expectation.Kind.INDIVIDUAL,
        customer=customer,
        text=_clean(text, "expectation"),
        source=source,
        noted_by=noted_by,
        noted_on=noted_on or timezone.localdate(),
    )


def note_general_expectation(
    text: str,
    *,
    segment: Segment | None = None,
    touchpoint: object | None = None,
    noted_by: User | None = None,
    source: str = Expectation.Source.RESEARCH,
) -> Expectation:
    if segment is None and touchpoint is None:
        raise ExpectationInvalid("A general expectation belongs to a segment or a touchpoint.")
    return Expectation.objects.create(
        kind=Expectation.Kind.GENERAL,
        segment=segment,
        touchpoint=touchpoint,
        text=_clean(text, "expectation"),
        source=source,
        noted_by=noted_by,
        noted_on=timezone.localdate(),
    )


def retire_expectation(expectation: Expectation) -> None:
    """Expectations are kept, not deleted: an old one explains old experiences."""
    Expectation.objects.filter(pk=expectation.pk).update(active=False)


def plan_wow(
    customer: Customer,
    action: str,
    *,
    due_on: date,
    owner: User | None = None,
    expectation: Expectation | None = None,
) -> WowPlanItem:
    if expectation is not None and expectation.customer_id not in (None, customer.pk):
        raise ExpectationInvalid("That expectation belongs to another customer.")
    return WowPlanItem.objects.create(
        customer=customer,
        action=_clean(action, "plan step"),
        due_on=due_on,
        owner=owner,
        expectation=expectation,
    )


@transaction.atomic
def complete_wow_step(step: WowPlanItem, *, produced_wow: bool | None) -> WowPlanItem:
    step.done_on = step.done_on or timezone.localdate()
    step.produced_wow = produced_wow
    step.save(update_fields=["done_on", "produced_wow"])
    return step
