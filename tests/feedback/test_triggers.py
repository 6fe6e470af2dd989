"""Survey triggers: the periodic sweep invites a customer once per event, after the delay, through
the same rules as a manual invitation (consent, unsubscribe, the contact-frequency cap)."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Order
from cxloop.feedback import distribution
from cxloop.feedback.models import Invitation, Survey, SurveyTrigger
from cxloop.feedback.services import update_feedback_settings
from cxloop.feedback.tasks import run_triggers as run_triggers_task
from cxloop.feedback.triggers import TriggerInvalid, create_trigger, run_triggers, validate_rule

from ..factories import CustomerFactory, OrderFactory, SurveyFactory
from .test_distribution import inbox  # noqa: F401 - the real SMTP server fixture

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@pytest.fixture
def base():
    """The moment the order is delivered; sweeps run at ``base`` plus some hours."""
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def buyer(alice):
    return CustomerFactory(workspace=alice.workspace, consent_email=True)


def delivered(customer, at, status=Order.Status.DELIVERED):
    return OrderFactory(
        workspace=customer.workspace,
        customer=customer,
        status=status,
        placed_at=at - 2 * DAY,
        delivered_at=at,
    )


def sweep(capture, now, **kwargs):
    """Run the sweep as cron would: it commits, and the sends queued on commit run."""
    with capture(execute=True):
        return run_triggers(now, **kwargs)


def invitations(workspace):
    with bind_workspace(workspace):
        return list(Invitation.objects.order_by("pk"))


# --- order delivered --------------------------------------------------------------------------


def test_delivered_order_is_surveyed_once_after_the_delay_and_not_before(
    inbox,  # noqa: F811
    alice,
    nps,
    buyer,
    base,
    django_capture_on_commit_callbacks,
):
    trigger = create_trigger(nps, event="order_delivered", delay_hours=24)
    order = delivered(buyer, base)

    early = sweep(django_capture_on_commit_callbacks, base + 23 * HOUR)
    assert early["invited"] == 0
    assert invitations(alice.workspace) == []
    assert inbox.messages == []

    due = sweep(django_capture_on_commit_callbacks, base + 25 * HOUR)
    again = sweep(django_capture_on_commit_callbacks, base + 26 * HOUR)

    assert due["invited"] == 1
    assert again["invited"] == 0
    [invitation] = invitations(alice.workspace)
    assert invitation.customer_id == buyer.pk
    assert invitation.trigger_id == trigger.pk
    assert invitation.order_id == order.pk
    assert invitation.dedupe_key == f"trigger:{trigger.pk}:order:{order.pk}"
    assert invitation.sent_at is not None
    assert inbox.recipients == [[buyer.email]]


def test_sweeping_twice_creates_one_invitation_even_without_a_contact_cap(
    alice, nps, buyer, base, django_capture_on_commit_callbacks
):
    update_feedback_settings(alice.workspace, contact_cap_days=0)
    create_trigger(nps, event="order_delivered", delay_hours=2)
    delivered(buyer, base)

    first = sweep(django_capture_on_commit_callbacks, base + 3 * HOUR)
    second = sweep(django_capture_on_commit_callbacks, base + 3 * HOUR)

    assert (first["invited"], second["invited"]) == (1, 0)
    assert len(invitations(alice.workspace)) == 1


def test_each_delivered_order_fires_once_when_the_cap_allows(
    alice, nps, buyer, base, django_capture_on_commit_callbacks
):
    update_feedback_settings(alice.workspace, contact_cap_days=0)
    trigger = create_trigger(nps, event="order_delivered")
    first, second = delivered(buyer, base), delivered(buyer, base + HOUR)

    sweep(django_capture_on_commit_callbacks, base + 2 * HOUR)
    sweep(django_capture_on_commit_callbacks, base + 2 * HOUR)
    sweep(django_capture_on_commit_callbacks, base + 3 * HOUR)

    assert [i.dedupe_key for i in invitations(alice.workspace)] == [
        f"trigger:{trigger.pk}:order:{first.pk}",
        f"trigger:{trigger.pk}:order:{second.pk}",
    ]


def test_frequency_cap_holds_for_triggered_invitations(
    alice, nps, buyer, base, django_capture_on_commit_callbacks
):
    other = SurveyFactory(workspace=alice.workspace, kind="csat")
    with django_capture_on_commit_callbacks(execute=False):
        assert distribution.invite(other, [buyer]).invited == 1  # surveyed a moment ago
    create_trigger(nps, event="order_delivered", delay_hours=1)
    delivered(buyer, base)

    outcomes = sweep(django_capture_on_commit_callbacks, base + 2 * HOUR)

    assert outcomes["capped"] == 1
    assert outcomes["invited"] == 0
    assert [i.survey_id for i in invitations(alice.workspace)] == [other.pk]


def test_customers_without_consent_or_unsubscribed_are_not_invited(
    alice, nps, base, django_capture_on_commit_callbacks
):
    silent = CustomerFactory(workspace=alice.workspace, consent_email=False)
    gone = CustomerFactory(workspace=alice.workspace, consent_email=True)
    with bind_workspace(alice.workspace):
        distribution.Unsubscribe.objects.create(email=gone.email.upper())
    create_trigger(nps, event="order_delivered")
    delivered(silent, base)
    delivered(gone, base)

    outcomes = sweep(django_capture_on_commit_callbacks, base + HOUR)

    assert outcomes == {"no_consent": 1, "unsubscribed": 1}
    assert invitations(alice.workspace) == []


def test_orders_not_delivered_cancelled_or_older_than_the_lookback_do_not_fire(
    alice, nps, buyer, base, django_capture_on_commit_callbacks
):
    create_trigger(nps, event="order_delivered", delay_hours=1)
    OrderFactory(workspace=alice.workspace, customer=buyer)  # placed, not delivered
    delivered(buyer, base, status=Order.Status.CANCELLED)
    delivered(buyer, base - 5 * DAY)

    sweep(django_capture_on_commit_callbacks, base + 2 * HOUR, lookback=72 * HOUR)

    assert invitations(alice.workspace) == []


def test_closed_survey_or_inactive_trigger_sends_nothing(
    alice, nps, buyer, base, django_capture_on_commit_callbacks
):
    create_trigger(nps, event="order_delivered", active=False)
    closed = SurveyFactory(workspace=alice.workspace, kind="csat")
    create_trigger(closed, event="order_delivered")
    with bind_workspace(alice.workspace):
        Survey.objects.filter(pk=closed.pk).update(status=Survey.Status.CLOSED)
    closing = SurveyFactory(workspace=alice.workspace, kind="ces")
    create_trigger(closing, event="order_delivered")
    with bind_workspace(alice.workspace):
        Survey.objects.filter(pk=closing.pk).update(closes_at=base + HOUR)
    delivered(buyer, base)

    outcomes = sweep(django_capture_on_commit_callbacks, base + 2 * HOUR)

    assert outcomes == {}
    assert invitations(alice.workspace) == []


def test_another_workspaces_orders_never_trigger_this_workspaces_survey(
    alice, bob, nps, buyer, base, django_capture_on_commit_callbacks
):
    alice_trigger = create_trigger(nps, event="order_delivered")
    bobs_customer = CustomerFactory(workspace=bob.workspace, consent_email=True)
    bobs_order = delivered(bobs_customer, base)
    bobs_survey = SurveyFactory(workspace=bob.workspace, kind="nps")
    bob_trigger = create_trigger(bobs_survey, event="order_delivered")

    sweep(django_capture_on_commit_callbacks, base + HOUR)

    assert invitations(alice.workspace) == []
    [bobs] = invitations(bob.workspace)
    assert (bobs.survey_id, bobs.order_id) == (bobs_survey.pk, bobs_order.pk)
    assert bobs.dedupe_key == f"trigger:{bob_trigger.pk}:order:{bobs_order.pk}"
    assert alice_trigger.pk != bob_trigger.pk


# --- day N of onboarding ----------------------------------------------------------------------


def test_onboarding_day_n_invites_once_when_the_day_comes(
    alice, nps, base, django_capture_on_commit_callbacks
):
    trigger = create_trigger(nps, event="onboarding_day", day=7, delay_hours=10)
    newcomer = CustomerFactory(
        workspace=alice.workspace, consent_email=True, first_purchase_at=base - 7 * DAY
    )
    veteran = CustomerFactory(
        workspace=alice.workspace, consent_email=True, first_purchase_at=base - 30 * DAY
    )

    assert sweep(django_capture_on_commit_callbacks, base + 9 * HOUR)["invited"] == 0
    assert sweep(django_capture_on_commit_callbacks, base + 11 * HOUR)["invited"] == 1
    assert sweep(django_capture_on_commit_callbacks, base + 12 * HOUR)["invited"] == 0

    [invitation] = invitations(alice.workspace)
    assert invitation.customer_id == newcomer.pk != veteran.pk
    assert invitation.dedupe_key == f"trigger:{trigger.pk}:onboarding:{newcomer.pk}"
    assert invitation.order_id is None


# --- concurrency ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises every write")
def test_simultaneous_sweeps_invite_each_event_once(settings, alice, nps, base):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    update_feedback_settings(alice.workspace, contact_cap_days=0)
    create_trigger(nps, event="order_delivered")
    buyers = [CustomerFactory(workspace=alice.workspace, consent_email=True) for _ in range(5)]
    for buyer in buyers:
        delivered(buyer, base)
    workers = 6
    barrier = threading.Barrier(workers)
    results = []

    def sweep_now() -> None:
        barrier.wait()
        try:
            results.append(run_triggers(base + HOUR))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep_now) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == workers
    assert sum(r["invited"] for r in results) == len(buyers)
    assert sorted(i.customer_id for i in invitations(alice.workspace)) == [b.pk for b in buyers]


# --- entry points -----------------------------------------------------------------------------


def test_cron_command_and_task_run_the_sweep(
    alice, nps, buyer, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    update_feedback_settings(alice.workspace, contact_cap_days=0)
    create_trigger(nps, event="order_delivered")
    delivered(buyer, timezone.now() - HOUR)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=False):
        call_command("run_triggers", stdout=out)
        result = run_triggers_task.enqueue()

    assert out.getvalue().strip() == "invited: 1"
    assert result.return_value == {}
    assert len(invitations(alice.workspace)) == 1


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "settings_", "field", "says"),
    [
        ("onboarding_day", {}, "day", "needs the day, from 1 to 100"),
        ("onboarding_day", {"day": 0}, "day", "greater than or equal to 1"),
        ("onboarding_day", {"day": 101}, "day", "less than or equal to 100"),
        ("order_delivered", {"day": 3}, "day", "only 'Day N of onboarding' triggers take a day"),
        ("order_delivered", {"delay_hours": -1}, "delay_hours", "greater than or equal to 0"),
        ("order_delivered", {"delay_hours": 24 * 91}, "delay_hours", "less than or equal to"),
        ("conversation_resolved", {}, "event", "need a conversation source"),
        ("order_shipped", {}, "event", "Unknown event “order_shipped”"),
    ],
)
def test_invalid_trigger_settings_are_refused_with_the_field_to_fix(
    alice, nps, event, settings_, field, says
):
    with pytest.raises(TriggerInvalid, match=says) as refused:
        create_trigger(nps, event=event, **settings_)

    assert refused.value.field == field
    assert refused.value.status == 400
    with bind_workspace(alice.workspace):
        assert not SurveyTrigger.objects.exists()


def test_valid_settings_make_the_rule_of_their_event():
    assert validate_rule("order_delivered", delay_hours=48).delay_hours == 48
    assert validate_rule("onboarding_day", day=30).day == 30


def test_a_stored_trigger_that_makes_no_rule_is_counted_and_skipped(
    alice, nps, buyer, base, django_capture_on_commit_callbacks
):
    with bind_workspace(alice.workspace):
        SurveyTrigger.objects.create(survey=nps, event="conversation_resolved")
    delivered(buyer, base)

    assert sweep(django_capture_on_commit_callbacks, base + HOUR) == {"invalid": 1}
