"""Background tasks of the loop app; each a thin, idempotent wrapper over a service."""

from __future__ import annotations

from django_tasks import task

# --- cases ------------------------------------------------------------------------------------


@task()
def notify_overdue_cases() -> dict[str, int]:
    """The hourly sweep: each overdue case's owner and managers are told once (the claim is a
    compare-and-set on ``Case.overdue_notified_at``; emails on ``Notification.emailed_at``)."""
    from . import cases

    return vars(cases.notify_overdue_cases())


@task()
def open_cases(workspace_id: int) -> dict[str, int]:
    """Open the cases a workspace's negative signals still lack (after a bulk load or analysis);
    safe to repeat: a signal already linked to a case is skipped."""
    from cxloop.accounts.models import Workspace
    from cxloop.core.scoping import bind_workspace

    from . import cases

    with bind_workspace(Workspace.objects.get(pk=workspace_id)):
        summary = cases.open_cases()
    return {"examined": summary.examined, "opened": summary.opened, "attached": summary.attached}


# --- improvements -----------------------------------------------------------------------------


@task()
def send_you_said(notification_id: int) -> str:
    """Mail one "you said, we did" email at most once (dedupe key: the notification row, claimed
    with a compare-and-set on ``sent_at``); fails, and can be retried, when SMTP refuses."""
    from . import you_said

    return you_said.send_notification(notification_id)
