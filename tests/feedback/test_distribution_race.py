"""Two workers delivering the same send task at the same moment mail one email: the
compare-and-set on ``sent_at`` decides, not a check in Python. PostgreSQL only, where the
workers really run in parallel."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from cxloop.feedback import distribution
from cxloop.feedback.models import Invitation

from ..factories import CustomerFactory
from .test_distribution import inbox  # noqa: F401 - the real SMTP server fixture

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises every write anyway"
    ),
]


def test_simultaneous_deliveries_of_one_send_task_mail_one_email(
    inbox,  # noqa: F811
    settings,
    alice,
    nps,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    customer = CustomerFactory(workspace=alice.workspace, consent_email=True)
    invitation = distribution.invite(nps, [customer]).invitations[0]  # queued, not yet run
    workers = 8
    barrier = threading.Barrier(workers)
    outcomes: list[str] = []

    def deliver() -> None:
        barrier.wait()
        try:
            outcomes.append(distribution.send_invitation(invitation.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already_sent"] * (workers - 1) + ["sent"]
    assert len(inbox.messages) == 1
    assert Invitation.unscoped.get(pk=invitation.pk).send_attempts == 1
