""" "You said, we did": shipped improvements told to the customers who asked, by real SMTP.

Mail goes to an aiosmtpd server on a free local port and is read back from there.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cxloop.core.scoping import bind_workspace
from cxloop.feedback.models import Invitation, Unsubscribe
from cxloop.feedback.services import update_feedback_settings
from cxloop.loop import improvements, you_said
from cxloop.loop.models import YouSaidNotification
from cxloop.loop.tasks import send_you_said

from ..factories import CustomerFactory, ExperienceFactory, SurveyFactory, TouchpointFactory
from ..mail import BASE, smtp_inbox
from .improvement_helpers import make_improvement

pytestmark = pytest.mark.django_db

UNSUBSCRIBE_LINK = re.compile(re.escape(BASE) + r"(/loop/you-said/unsubscribe/[^\s/]+/)")


@pytest.fixture
def inbox(settings):
    """A real SMTP server on a free local port; tasks run as they are enqueued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with smtp_inbox(settings) as handler:
        yield handler


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def courier(alice):
    return TouchpointFactory(workspace=alice.workspace, name="Courier")


def _customer(alice, **kwargs):
    kwargs.setdefault("consent_email", True)
    return CustomerFactory(workspace=alice.workspace, **kwargs)


def _ship(alice, improvement, django_capture_on_commit_callbacks):
    with bind_workspace(alice.workspace):
        improvements.move(improvement, "planned")
        improvements.move(improvement, "in_progress")
        with django_capture_on_commit_callbacks(execute=True):
            return improvements.move(improvement, "shipped")


def _improvement_for(alice, customers, courier, **kwargs):
    signals = [
        ExperienceFactory(workspace=alice.workspace, customer=c, touchpoint=courier, nps=3)
        for c in customers
    ]
    # A second complaint from the first customer: still one email.
    signals.append(
        ExperienceFactory(
            workspace=alice.workspace, customer=customers[0], touchpoint=courier, nps=1
        )
    )
    return make_improvement(
        alice.workspace,
        touchpoint=courier,
        links=improvements.Links(experience_ids=[s.pk for s in signals]),
        customer_message={
            "uk": "Кур'єр тепер телефонує за годину до приїзду.",
            "en": "Our couriers now call an hour before they arrive.",
        },
        **kwargs,
    )


def test_shipping_tells_each_customer_once_in_their_language(
    alice, courier, inbox, django_capture_on_commit_callbacks
):
    olena = _customer(alice, name="Олена Коваль", language="uk", email="olena@example.org")
    john = _customer(alice, name="John Smith", language="en", email="john@example.org")
    improvement = _improvement_for(alice, [olena, john], courier)

    _ship(alice, improvement, django_capture_on_commit_callbacks)

    assert sorted(to[0] for to in inbox.recipients) == ["john@example.org", "olena@example.org"]
    by_to = {to[0]: message for to, message in inbox.messages}
    uk = by_to["olena@example.org"]
    assert uk["Subject"].strip() == "Ви сказали — ми зробили"
    assert uk["Content-Language"] == "uk"
    assert "Олена Коваль" in _text(uk)
    assert "Кур'єр тепер телефонує за годину до приїзду." in _text(uk)
    assert "Our couriers now call an hour before they arrive." in _text(by_to["john@example.org"])
    assert UNSUBSCRIBE_LINK.search(_text(uk))
    with bind_workspace(alice.workspace):
        assert YouSaidNotification.objects.filter(sent_at__isnull=False).count() == 2


def test_running_the_task_twice_sends_one_email(
    alice, courier, inbox, django_capture_on_commit_callbacks
):
    olena = _customer(alice, email="olena@example.org")
    improvement = _improvement_for(alice, [olena], courier)
    _ship(alice, improvement, django_capture_on_commit_callbacks)
    with bind_workspace(alice.workspace):
        notification = YouSaidNotification.objects.get()
    again = send_you_said.enqueue(notification.pk)
    assert again.return_value == "already_sent"
    assert you_said.send_notification(notification.pk) == "already_sent"
    assert len(inbox.messages) == 1
    # Notifying again (a retried shipping step) creates no second row.
    with bind_workspace(alice.workspace):
        result = you_said.notify_customers(improvement)
        assert result.queued == []
        assert YouSaidNotification.objects.count() == 1


def test_a_refused_send_gives_the_claim_back_and_a_retry_sends_once(
    alice, courier, inbox, django_capture_on_commit_callbacks
):
    olena = _customer(alice, email="olena@example.org")
    improvement = _improvement_for(alice, [olena], courier)
    inbox.refuse = 1
    _ship(alice, improvement, django_capture_on_commit_callbacks)
    assert inbox.messages == []
    with bind_workspace(alice.workspace):
        notification = YouSaidNotification.objects.get()
    assert notification.sent_at is None
    assert "SMTPDataError" in notification.last_error
    assert you_said.send_notification(notification.pk) == "sent"
    assert you_said.send_notification(notification.pk) == "already_sent"
    assert len(inbox.messages) == 1


def test_unsubscribed_unconsenting_and_addressless_customers_are_not_emailed(
    alice, courier, inbox, django_capture_on_commit_callbacks
):
    gone = _customer(alice, email="Gone@Example.org")
    silent = _customer(alice, email="silent@example.org", consent_email=False)
    nowhere = _customer(alice, email="")
    welcome = _customer(alice, email="welcome@example.org")
    with bind_workspace(alice.workspace):
        Unsubscribe.objects.create(email="gone@example.org")
    improvement = _improvement_for(alice, [gone, silent, nowhere, welcome], courier)
    _ship(alice, improvement, django_capture_on_commit_callbacks)
    assert sorted(to[0] for to in inbox.recipients) == ["welcome@example.org"]
    with bind_workspace(alice.workspace):
        reasons = dict(YouSaidNotification.objects.values_list("customer_id", "skipped_reason"))
    assert reasons == {
        gone.pk: "unsubscribed",
        silent.pk: "no_consent",
        nowhere.pk: "no_email",
        welcome.pk: "",
    }


def test_the_contact_frequency_cap_holds_back_a_customer_surveyed_recently(
    alice, courier, inbox, django_capture_on_commit_callbacks
):
    surveyed = _customer(alice, email="surveyed@example.org")
    fresh = _customer(alice, email="fresh@example.org")
    survey = SurveyFactory(workspace=alice.workspace)
    with bind_workspace(alice.workspace):
        Invitation.objects.create(
            survey=survey,
            customer=surveyed,
            token_hash="x" * 64,
            channel=Invitation.Channel.EMAIL,
            dedupe_key="test",
            sent_at=timezone.now() - timedelta(days=3),
            expires_at=timezone.now() + timedelta(days=20),
        )
    update_feedback_settings(alice.workspace, contact_cap_days=30)
    improvement = _improvement_for(alice, [surveyed, fresh], courier)
    _ship(alice, improvement, django_capture_on_commit_callbacks)
    assert sorted(to[0] for to in inbox.recipients) == ["fresh@example.org"]
    with bind_workspace(alice.workspace):
        assert YouSaidNotification.objects.get(customer=surveyed).skipped_reason == "capped"


def test_a_second_improvement_within_the_cap_waits_its_turn(
    alice, courier, inbox, django_capture_on_commit_callbacks
):
    olena = _customer(alice, email="olena@example.org")
    first = _improvement_for(alice, [olena], courier)
    _ship(alice, first, django_capture_on_commit_callbacks)
    second = _improvement_for(
        alice, [olena], courier, title="Packaging without plastic", process=first.process
    )
    _ship(alice, second, django_capture_on_commit_callbacks)
    assert len(inbox.messages) == 1


def test_the_unsubscribe_link_asks_then_records(
    alice, courier, inbox, django_capture_on_commit_callbacks, client
):
    olena = _customer(alice, email="olena@example.org", language="uk")
    improvement = _improvement_for(alice, [olena], courier)
    _ship(alice, improvement, django_capture_on_commit_callbacks)
    path = UNSUBSCRIBE_LINK.search(_text(inbox.messages[0][1])).group(1)
    asked = client.get(path)
    assert asked.status_code == 200
    assert "Відписатися" in asked.content.decode()
    with bind_workspace(alice.workspace):
        assert not Unsubscribe.objects.exists()
    done = client.post(path)
    assert done.status_code == 200
    with bind_workspace(alice.workspace):
        assert Unsubscribe.objects.get().email == "olena@example.org"
    assert client.get("/loop/you-said/unsubscribe/forged/").status_code == 404


def test_the_customer_360_shows_the_email_on_the_timeline(
    alice, courier, inbox, django_capture_on_commit_callbacks
):
    olena = _customer(alice, email="olena@example.org")
    improvement = _improvement_for(alice, [olena], courier, title="Courier calls before arrival")
    _ship(alice, improvement, django_capture_on_commit_callbacks)
    body = alice.client.get(reverse("customers:detail", args=[olena.pk])).content.decode()
    assert "You said, we did" in body
    assert "Courier calls before arrival" in body


def test_a_manager_edits_and_previews_the_template(alice, courier):
    improvement = _improvement_for(alice, [_customer(alice)], courier)
    url = reverse("loop:you_said_template")
    page = alice.client.get(url + f"?lang=en&improvement={improvement.pk}")
    assert "Our couriers now call an hour before they arrive." in page.content.decode()
    alice.client.post(
        url,
        {"lang": "en", "subject": "We fixed it, {name}", "body": "Dear {name}: {change} <b>x</b>"},
    )
    with bind_workspace(alice.workspace):
        preview = you_said.preview(improvement, "en", name="Ann")
    assert preview.subject == "We fixed it, Ann"
    assert "Dear Ann: Our couriers now call" in preview.text
    assert "&lt;b&gt;x&lt;/b&gt;" in preview.html


def test_a_rolled_back_shipping_sends_nothing(
    alice, courier, inbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    improvement = _improvement_for(alice, [_customer(alice, email="olena@example.org")], courier)
    with bind_workspace(alice.workspace):
        improvements.move(improvement, "planned")
        improvements.move(improvement, "in_progress")

        def ship_then_fail() -> None:
            with transaction.atomic():
                improvements.move(improvement, "shipped")
                raise RuntimeError("the request failed after shipping")

        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
        ):
            ship_then_fail()
        assert callbacks == []
        assert not YouSaidNotification.objects.exists()
        improvement.refresh_from_db()
        assert improvement.status == "in_progress"
    assert inbox.messages == []
