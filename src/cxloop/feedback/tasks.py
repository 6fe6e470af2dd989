"""Background tasks of the feedback app; each a thin, idempotent wrapper over a service.

Each task's dedupe key is its row: ``feedback.send_invitation:<id>`` claims the invitation with a
compare-and-set on ``sent_at`` before mailing, so a second delivery of the same task (a retry
after a killed worker, a duplicate enqueue) finds it claimed and sends nothing.
"""

from __future__ import annotations

from django_tasks import task

from . import distribution, triggers


@task()
def send_invitation(invitation_id: int) -> str:
    """Mail one survey invitation at most once; fails (and can be retried) when SMTP refuses."""
    return distribution.send_invitation(invitation_id)


@task()
def send_due_reminders() -> dict[str, int]:
    """The periodic sweep: one reminder per emailed invitation left unanswered long enough."""
    return dict(distribution.send_due_reminders())


@task()
def run_triggers() -> dict[str, int]:
    """The periodic sweep: invite the customers whose trigger event (an order delivered, day N of
    onboarding) is due; an event already fired is found by its dedupe key and not fired again."""
    return dict(triggers.run_triggers())
