"""Recording an experience: what is stored, in the caller's transaction, checked before writing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import transaction

from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Customer
from cxloop.experiences.models import Experience
from cxloop.experiences.services import ExperienceInvalid, record_experience
from tests.factories import CustomerFactory, TouchpointFactory

pytestmark = pytest.mark.django_db


def test_every_field_is_stored_as_given_and_derived(alice):
    customer = CustomerFactory(workspace=alice.workspace)
    touchpoint = TouchpointFactory(workspace=alice.workspace)
    moment = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)
    with bind_workspace(alice.workspace):
        made = record_experience(
            source="survey",
            occurred_at=moment,
            customer=customer,
            touchpoint=touchpoint,
            score=2,
            scale="csat",
            text="  Довго, <script>alert(1)</script>  ",
            language="uk",
        )
        stored = Experience.objects.get(pk=made.pk)
    assert made.pk is not None
    assert stored.workspace_id == alice.workspace.pk
    assert (stored.customer_id, stored.touchpoint_id, stored.expectation_id) == (
        customer.pk,
        touchpoint.pk,
        None,
    )
    assert stored.occurred_at == moment
    assert (stored.source, stored.score, stored.scale) == ("survey", 2, "csat")
    assert (stored.outcome, stored.emotion) == ("below", "negative")
    assert stored.text == "Довго, <script>alert(1)</script>"
    assert stored.language == "uk"
    assert stored.created_at is not None
    assert stored.created_at == made.created_at
    customer.refresh_from_db()
    assert customer.last_experience_at == moment


def test_an_unsaved_customer_is_refused(alice):
    with bind_workspace(alice.workspace), pytest.raises(ValueError, match="unsaved"):
        record_experience(source="survey", customer=Customer(name="Nobody"), score=5, scale="csat")


def test_a_refused_input_leaves_the_callers_transaction_usable(alice):
    with bind_workspace(alice.workspace), transaction.atomic():
        with pytest.raises(ExperienceInvalid, match="scale"):
            record_experience(source="survey", score=5)
        kept = record_experience(source="staff_note", outcome="met")
    assert Experience.unscoped.filter(pk=kept.pk).exists()


@transaction.atomic
def _record_then_fail() -> None:
    record_experience(source="staff_note", outcome="met")
    raise RuntimeError("the caller failed afterwards")


def test_a_failure_after_recording_takes_the_experience_back(alice):
    with bind_workspace(alice.workspace):
        with pytest.raises(RuntimeError, match="afterwards"):
            _record_then_fail()
        assert not Experience.objects.exists()
