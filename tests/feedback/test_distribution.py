"""Survey invitations by email, delivered to a real SMTP server (aiosmtpd) and read back."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus

from cxloop.core.scoping import bind_workspace
from cxloop.feedback import distribution
from cxloop.feedback.models import Invitation, Response, Unsubscribe
from cxloop.feedback.services import update_feedback_settings
from cxloop.feedback.tasks import send_invitation

from ..factories import CustomerFactory, SurveyFactory
from ..mail import BASE, smtp_inbox

SURVEY_LINK = re.compile(re.escape(BASE) + r"(/s/i/[^\s/]+/)")
UNSUBSCRIBE_LINK = re.compile(re.escape(BASE) + r"(/s/u/[^\s/]+/)")


@pytest.fixture
def inbox(settings):
    """A real SMTP server on a free local port; tasks run as they are enqueued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with smtp_inbox(settings) as handler:
        yield handler


@pytest.fixture
def subscriber(alice):
    return CustomerFactory(
        workspace=alice.workspace, name="Олена Коваль", language="uk", consent_email=True
    )


def _send(survey, customers, **kwargs):
    """Invite as a request would: the transaction commits and the on-commit sends run."""
    with transaction.atomic():
        return distribution.invite(survey, customers, **kwargs)


def _invite_and_commit(django_capture_on_commit_callbacks, survey, customers):
    with django_capture_on_commit_callbacks(execute=True):
        return _send(survey, customers)


def _part(message: EmailMessage, subtype: str) -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


def _refresh(invitation: Invitation) -> Invitation:
    return Invitation.unscoped.get(pk=invitation.pk)


# --- delivery ---------------------------------------------------------------------------------


def test_invitation_arrives_in_the_customers_language_and_its_link_opens_the_survey(
    inbox, nps, subscriber, respondent, django_capture_on_commit_callbacks
):
    result = _invite_and_commit(django_capture_on_commit_callbacks, nps, [subscriber])

    assert result.invited == 1
    assert inbox.recipients == [[subscriber.email]]
    message = inbox.only()
    assert message["Content-Language"] == "uk"
    assert "розкажіть, як ми впоралися" in message["Subject"]
    plain, html = _part(message, "plain"), _part(message, "html")
    assert "Вітаємо, Олена Коваль!" in plain
    assert "Пройти опитування" in html
    path = SURVEY_LINK.search(plain).group(1)
    assert path in html

    page = respondent.get(path)
    assert page.status_code == 200
    assert page["Content-Language"] == "uk"
    assert 'method="post"' in page.content.decode()
    invitation = _refresh(result.invitations[0])
    assert invitation.sent_at is not None
    assert invitation.channel == Invitation.Channel.EMAIL
    assert invitation.opened_at is not None


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("en", "tell us how we did", "Hello,"),
        ("ru", "расскажите, как мы справились", "Здравствуйте,"),
    ],
)
def test_email_language_follows_the_customer(
    inbox, nps, alice, language, subject, greeting, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(workspace=alice.workspace, language=language, consent_email=True)

    _invite_and_commit(django_capture_on_commit_callbacks, nps, [customer])

    message = inbox.only()
    assert message["Content-Language"] == language
    assert subject in message["Subject"]
    assert greeting in _part(message, "plain")


def test_customer_name_is_escaped_in_the_html_email(
    inbox, nps, alice, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(
        workspace=alice.workspace, name="<script>alert(1)</script>", consent_email=True
    )

    _invite_and_commit(django_capture_on_commit_callbacks, nps, [customer])

    html = _part(inbox.only(), "html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- who is invited ---------------------------------------------------------------------------


def test_customers_who_cannot_be_emailed_are_skipped_and_counted_by_reason(
    inbox, nps, alice, subscriber, django_capture_on_commit_callbacks
):
    no_email = CustomerFactory(workspace=alice.workspace, email="", consent_email=True)
    no_consent = CustomerFactory(workspace=alice.workspace, consent_email=False)
    gone = CustomerFactory(workspace=alice.workspace, email="Gone@Example.org", consent_email=True)
    with bind_workspace(alice.workspace):
        Unsubscribe.objects.create(email="gone@example.org")

    result = _invite_and_commit(
        django_capture_on_commit_callbacks, nps, [no_email, no_consent, gone, subscriber]
    )
    again = _invite_and_commit(django_capture_on_commit_callbacks, nps, [subscriber])

    assert result.invited == 1
    assert result.skipped == {"no_email": 1, "no_consent": 1, "unsubscribed": 1}
    assert again.invited == 0
    assert again.skipped == {"already_invited": 1}
    assert inbox.recipients == [[subscriber.email]]


def test_frequency_cap_holds_back_a_customer_surveyed_recently_by_any_survey(
    inbox, nps, alice, subscriber, django_capture_on_commit_callbacks
):
    csat = SurveyFactory(workspace=alice.workspace, kind="csat")
    earlier = _invite_and_commit(django_capture_on_commit_callbacks, csat, [subscriber])
    Invitation.unscoped.filter(pk=earlier.invitations[0].pk).update(
        sent_at=timezone.now() - timedelta(days=10)
    )

    capped = _invite_and_commit(django_capture_on_commit_callbacks, nps, [subscriber])
    assert capped.invited == 0
    assert capped.skipped == {"capped": 1}

    update_feedback_settings(alice.workspace, contact_cap_days=7)
    allowed = _invite_and_commit(django_capture_on_commit_callbacks, nps, [subscriber])
    assert allowed.invited == 1
    assert len(inbox.messages) == 2


def test_an_invitation_waiting_to_be_sent_counts_against_the_cap(
    inbox, nps, alice, subscriber, django_capture_on_commit_callbacks
):
    csat = SurveyFactory(workspace=alice.workspace, kind="csat")
    with django_capture_on_commit_callbacks(execute=False):
        _send(csat, [subscriber])

    result = _invite_and_commit(django_capture_on_commit_callbacks, nps, [subscriber])

    assert result.skipped == {"capped": 1}
    assert inbox.messages == []


def test_a_cap_of_zero_days_turns_the_cap_off(
    inbox, nps, alice, subscriber, django_capture_on_commit_callbacks
):
    update_feedback_settings(alice.workspace, contact_cap_days=0)
    csat = SurveyFactory(workspace=alice.workspace, kind="csat")

    _invite_and_commit(django_capture_on_commit_callbacks, csat, [subscriber])
    result = _invite_and_commit(django_capture_on_commit_callbacks, nps, [subscriber])

    assert result.invited == 1
    assert len(inbox.messages) == 2


# --- sending exactly once ---------------------------------------------------------------------


def test_a_rolled_back_transaction_sends_nothing(
    inbox, nps, subscriber, django_capture_on_commit_callbacks
):
    class Abandoned(Exception):
        pass

    def invite_then_fail() -> None:
        with transaction.atomic():
            distribution.invite(nps, [subscriber])
            raise Abandoned

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Abandoned):
        invite_then_fail()

    assert callbacks == []
    assert inbox.messages == []
    assert not Invitation.unscoped.filter(customer=subscriber).exists()


def test_running_the_send_task_twice_sends_one_email(
    inbox, nps, subscriber, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = _send(nps, [subscriber]).invitations[0]

    first = send_invitation.enqueue(invitation.pk)
    second = send_invitation.enqueue(invitation.pk)

    assert (first.return_value, second.return_value) == ("sent", "already_sent")
    assert len(inbox.messages) == 1
    assert _refresh(invitation).send_attempts == 1


def test_a_refused_send_gives_the_claim_back_and_a_retry_sends_once(
    inbox, nps, subscriber, django_capture_on_commit_callbacks
):
    inbox.refuse = 1
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _send(nps, [subscriber]).invitations[0]

    failed = _refresh(invitation)
    assert inbox.messages == []
    assert failed.sent_at is None
    assert "Refused by the test" in failed.last_error
    assert failed.send_attempts == 1

    retry = send_invitation.enqueue(invitation.pk)
    again = send_invitation.enqueue(invitation.pk)

    assert retry.status == TaskResultStatus.SUCCESSFUL
    assert (retry.return_value, again.return_value) == ("sent", "already_sent")
    assert len(inbox.messages) == 1
    sent = _refresh(invitation)
    assert sent.sent_at is not None
    assert sent.last_error == ""
    assert sent.send_attempts == 2


def test_the_send_task_fails_visibly_when_the_mail_server_refuses(
    inbox, nps, subscriber, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = _send(nps, [subscriber]).invitations[0]
    inbox.refuse = 1

    result = send_invitation.enqueue(invitation.pk)

    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "smtplib.SMTPDataError"


# --- unsubscribing ----------------------------------------------------------------------------


def test_the_unsubscribe_link_asks_then_records_and_every_sender_honours_it(
    inbox, nps, alice, subscriber, respondent, django_capture_on_commit_callbacks
):
    update_feedback_settings(alice.workspace, contact_cap_days=0)
    _invite_and_commit(django_capture_on_commit_callbacks, nps, [subscriber])
    message = inbox.only()
    path = UNSUBSCRIBE_LINK.search(_part(message, "plain")).group(1)
    assert message["List-Unsubscribe"].strip() == f"<{BASE}{path}>"

    asked = respondent.get(path)
    assert asked.status_code == 200
    assert "Відписатися" in asked.content.decode()
    assert not Unsubscribe.unscoped.exists()

    done = respondent.post(path)
    assert done.status_code == 200
    assert "Готово" in done.content.decode()
    assert respondent.post(path).status_code == 200  # a second click changes nothing
    stored = Unsubscribe.unscoped.get()
    assert (stored.email, stored.customer_id, stored.workspace_id) == (
        subscriber.email.lower(),
        subscriber.pk,
        alice.workspace.pk,
    )

    csat = SurveyFactory(workspace=alice.workspace, kind="csat")
    result = _invite_and_commit(django_capture_on_commit_callbacks, csat, [subscriber])
    assert result.skipped == {"unsubscribed": 1}
    assert len(inbox.messages) == 1


def test_an_invitation_queued_before_the_unsubscribe_is_not_sent(
    inbox, nps, alice, subscriber, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        invitation = _send(nps, [subscriber]).invitations[0]
    distribution.unsubscribe(_refresh(invitation))

    assert send_invitation.enqueue(invitation.pk).return_value == "skipped:unsubscribed"
    assert inbox.messages == []
    assert _refresh(invitation).skipped_reason == "unsubscribed"


def test_a_tampered_unsubscribe_link_is_not_found(db, inbox, respondent):
    response = respondent.post("/s/u/MQ:1tampered:signature/")

    assert response.status_code == 404
    assert not Unsubscribe.unscoped.exists()


# --- reminders --------------------------------------------------------------------------------


def _sent_invitation(django_capture_on_commit_callbacks, survey, customer) -> Invitation:
    invitation = _invite_and_commit(django_capture_on_commit_callbacks, survey, [customer])
    return _refresh(invitation.invitations[0])


def test_one_reminder_after_the_workspace_delay_with_the_same_working_link(
    inbox, nps, subscriber, respondent, django_capture_on_commit_callbacks
):
    invitation = _sent_invitation(django_capture_on_commit_callbacks, nps, subscriber)
    first_link = SURVEY_LINK.search(_part(inbox.only(), "plain")).group(1)

    too_early = distribution.send_due_reminders(invitation.sent_at + timedelta(days=2))
    due = invitation.sent_at + timedelta(days=3, minutes=1)
    sent = distribution.send_due_reminders(due)
    again = distribution.send_due_reminders(due + timedelta(days=1))

    assert too_early == {}
    assert sent == {"sent": 1}
    assert again == {}
    assert len(inbox.messages) == 2
    reminder = inbox.messages[1][1]
    assert reminder["Subject"].strip().startswith("Нагадування:")
    assert SURVEY_LINK.search(_part(reminder, "plain")).group(1) == first_link
    assert respondent.get(first_link).status_code == 200
    assert _refresh(invitation).reminded_at == due


def test_no_reminder_for_an_answered_invitation(
    inbox, nps, alice, subscriber, django_capture_on_commit_callbacks
):
    invitation = _sent_invitation(django_capture_on_commit_callbacks, nps, subscriber)
    with bind_workspace(alice.workspace):
        Response.objects.create(
            survey=nps,
            invitation=invitation,
            customer=subscriber,
            submission_id=uuid.uuid4(),
            via=Response.Via.PERSONAL,
            language="uk",
            status=Response.Status.COMPLETED,
        )

    outcome = distribution.send_due_reminders(invitation.sent_at + timedelta(days=4))

    assert outcome == {}
    assert len(inbox.messages) == 1


def test_no_reminder_after_unsubscribing(
    inbox, nps, subscriber, django_capture_on_commit_callbacks
):
    invitation = _sent_invitation(django_capture_on_commit_callbacks, nps, subscriber)
    distribution.unsubscribe(invitation)

    outcome = distribution.send_due_reminders(invitation.sent_at + timedelta(days=4))

    assert outcome == {"skipped:unsubscribed": 1}
    assert len(inbox.messages) == 1
    assert _refresh(invitation).reminded_at is None


def test_reminders_follow_each_workspaces_delay_and_zero_turns_them_off(
    inbox, nps, alice, bob, subscriber, django_capture_on_commit_callbacks
):
    update_feedback_settings(alice.workspace, reminder_after_days=0)
    bobs_survey = SurveyFactory(workspace=bob.workspace, kind="nps")
    bobs_customer = CustomerFactory(workspace=bob.workspace, language="en", consent_email=True)
    update_feedback_settings(bob.workspace, reminder_after_days=1)
    alices = _sent_invitation(django_capture_on_commit_callbacks, nps, subscriber)
    bobs = _sent_invitation(django_capture_on_commit_callbacks, bobs_survey, bobs_customer)

    outcome = distribution.send_due_reminders(alices.sent_at + timedelta(days=5))

    assert outcome == {"sent": 1}
    assert _refresh(alices).reminded_at is None
    assert _refresh(bobs).reminded_at is not None
    assert inbox.recipients[-1] == [bobs_customer.email]


def test_a_refused_reminder_is_retried_by_the_next_sweep(
    inbox, nps, subscriber, django_capture_on_commit_callbacks
):
    invitation = _sent_invitation(django_capture_on_commit_callbacks, nps, subscriber)
    due = invitation.sent_at + timedelta(days=4)
    inbox.refuse = 1

    assert distribution.send_due_reminders(due) == {"failed": 1}
    assert _refresh(invitation).reminded_at is None
    assert distribution.send_due_reminders(due) == {"sent": 1}
    assert distribution.send_due_reminders(due) == {}
    assert len(inbox.messages) == 2


def test_send_reminders_command_runs_the_sweep(db, capsys):
    from django.core.management import call_command

    call_command("send_reminders")
    assert "nothing due" in capsys.readouterr().out
