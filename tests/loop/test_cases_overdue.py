"""Overdue cases, transitions and the recovery rate, with an injected clock (no sleeping); overdue
notices once, in the app and by email to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from cxloop.accounts.models import Role
from cxloop.core.scoping import bind_workspace
from cxloop.loop import case_selectors, cases
from cxloop.loop.models import Case, CaseEvent, Notification

from ..factories import CustomerFactory, DepartmentFactory, ExperienceFactory, MembershipFactory
from ..mail import smtp_inbox

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.loop.case_fixtures"]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the injected clock


@pytest.fixture
def inbox(settings):
    """A real SMTP server on a free local port."""
    with smtp_inbox(settings) as handler:
        yield handler


@pytest.fixture
def opened(alice, shop, customer):
    """A case opened at NOW (48 h deadline) by the service, clock injected."""
    signal = ExperienceFactory(
        workspace=alice.workspace,
        customer=customer,
        nps=2,
        touchpoint=shop.courier,
        occurred_at=NOW,
    )
    with bind_workspace(alice.workspace):
        return cases.open_case_for(signal, now=NOW)


def _overdue_ids(alice, now) -> set[int]:
    with bind_workspace(alice.workspace):
        return {c.pk for c in case_selectors.search_cases(overdue=True, now=now)}


# --- overdue --------------------------------------------------------------------------------------


def test_a_case_is_overdue_only_after_its_deadline_and_only_while_open(alice, opened):
    assert opened.due_at == NOW + timedelta(hours=48)
    assert _overdue_ids(alice, NOW + timedelta(hours=47, minutes=59)) == set()
    assert _overdue_ids(alice, NOW + timedelta(hours=48, seconds=1)) == {opened.pk}
    with bind_workspace(alice.workspace):
        cases.change_status(opened, "contacted", actor=None, now=NOW + timedelta(hours=50))
    assert _overdue_ids(alice, NOW + timedelta(hours=51)) == {opened.pk}  # contacted is still open
    with bind_workspace(alice.workspace):
        cases.change_status(
            opened, "resolved", actor=None, text="Refund", now=NOW + timedelta(hours=52)
        )
    assert _overdue_ids(alice, NOW + timedelta(hours=53)) == set()


def test_the_owner_and_the_department_manager_are_notified_once(alice, shop, opened, inbox):
    late = NOW + timedelta(hours=49)
    first = cases.notify_overdue_cases(now=late)
    second = cases.notify_overdue_cases(now=late + timedelta(hours=1))
    call_command("notify_overdue_cases", stdout=io.StringIO())  # the real clock: still once
    assert (first.cases, first.notices, first.emailed) == (1, 2, 2)
    assert (second.cases, second.notices, second.emailed) == (0, 0, 0)
    with bind_workspace(alice.workspace):
        told = {n.user for n in Notification.objects.all()}
        assert CaseEvent.objects.filter(kind="overdue").count() == 1
    assert told == {opened.owner, shop.manager}
    assert sorted(to for to, _ in inbox.messages) == sorted([[u.email] for u in told])
    _, message = inbox.messages[0]
    assert f"Case #{opened.pk} is overdue" in message["Subject"]
    assert f"http://testserver/loop/cases/{opened.pk}/" in message.get_content()


def test_a_case_not_yet_due_is_not_notified(alice, opened, inbox):
    assert cases.notify_overdue_cases(now=NOW + timedelta(hours=47)).cases == 0
    assert inbox.messages == []


def test_without_a_department_manager_the_workspace_leads_are_told(alice, customer, inbox):
    team = DepartmentFactory(workspace=alice.workspace, name="Site")
    agent = MembershipFactory(workspace=alice.workspace, role=Role.AGENT, department=team).user
    signal = ExperienceFactory(workspace=alice.workspace, customer=customer, nps=0, occurred_at=NOW)
    with bind_workspace(alice.workspace):
        case = cases.open_case_for(signal, now=NOW)
        cases.reassign(case, actor=alice.user, owner=agent, now=NOW)
    cases.notify_overdue_cases(now=NOW + timedelta(days=3))
    with bind_workspace(alice.workspace):
        assert {n.user for n in Notification.objects.all()} == {agent, alice.user}


def test_a_refused_email_is_retried_on_the_next_run_and_sent_once(alice, opened, inbox):
    inbox.refuse = 2
    late = NOW + timedelta(hours=49)
    first = cases.notify_overdue_cases(now=late)
    assert (first.notices, first.emailed, first.email_failed) == (2, 0, 2)
    second = cases.notify_overdue_cases(now=late + timedelta(hours=1))
    third = cases.notify_overdue_cases(now=late + timedelta(hours=2))
    assert (second.emailed, third.emailed) == (2, 0)
    assert len(inbox.messages) == 2


def test_no_email_when_the_workspace_turned_it_off(alice, opened, inbox):
    with bind_workspace(alice.workspace):
        cases.update_case_settings(alice.workspace, email_overdue=False)
    summary = cases.notify_overdue_cases(now=NOW + timedelta(hours=49))
    assert (summary.notices, summary.emailed) == (2, 0)
    assert inbox.messages == []


def test_reassigning_rearms_the_notice_for_the_new_owner(alice, shop, opened, inbox):
    cases.notify_overdue_cases(now=NOW + timedelta(hours=49))
    new_owner = next(u for u in shop.agents if u != opened.owner)
    with bind_workspace(alice.workspace):
        cases.reassign(opened, actor=alice.user, owner=new_owner, now=NOW + timedelta(hours=50))
    again = cases.notify_overdue_cases(now=NOW + timedelta(hours=51))
    assert again.cases == 1
    with bind_workspace(alice.workspace):
        assert Notification.objects.filter(user=new_owner).count() == 1
        assert Notification.objects.filter(user=shop.manager).count() == 1  # told once per case


def test_the_notice_count_shows_on_the_cases_page_until_read(alice, shop, opened):
    cases.notify_overdue_cases(now=NOW + timedelta(hours=49))
    from django.test import Client

    lead = Client()
    lead.force_login(shop.manager)
    page = lead.get("/loop/cases/").content.decode()
    assert "1 unread notice" in page
    lead.post("/loop/notifications/read/")
    assert "unread notice" not in lead.get("/loop/cases/").content.decode()


# --- transitions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["contacted"], True),
        (["resolved"], True),
        (["wont_fix"], True),
        (["contacted", "resolved"], True),
        (["contacted", "wont_fix"], True),
        (["contacted", "contacted"], False),
        (["resolved", "contacted"], False),
        (["wont_fix", "resolved"], False),
        (["new"], False),
    ],
)
def test_the_status_flow(alice, opened, path, allowed):
    with bind_workspace(alice.workspace):
        try:
            for status in path:
                cases.change_status(opened, status, actor=None, text="done", now=NOW)
        except cases.TransitionNotAllowed:
            moved = False
        else:
            moved = True
    assert moved is allowed


def test_a_stale_copy_cannot_overwrite_a_newer_status(alice, opened):
    with bind_workspace(alice.workspace):
        stale = Case.objects.get(pk=opened.pk)
        cases.change_status(opened, "wont_fix", actor=None, text="duplicate", now=NOW)
        with pytest.raises(cases.TransitionNotAllowed):
            cases.change_status(stale, "resolved", actor=None, text="refund", now=NOW)
        assert Case.objects.get(pk=opened.pk).status == "wont_fix"


def test_goodwill_needs_a_currency_code(alice, opened):
    from decimal import Decimal

    with bind_workspace(alice.workspace), pytest.raises(cases.CaseInvalid):
        cases.change_status(
            opened,
            "resolved",
            actor=None,
            text="x",
            goodwill_value=Decimal(5),
            goodwill_currency="hryvnia",
        )


# --- recovery rate -------------------------------------------------------------------------------


def test_recovery_rate_counts_each_prosecutors_next_experience(alice, shop):
    def prosecutor_with_next(next_nps):
        who = CustomerFactory(workspace=alice.workspace)
        signal = ExperienceFactory(
            workspace=alice.workspace, customer=who, nps=1, occurred_at=NOW - timedelta(days=5)
        )
        if next_nps is not None:
            ExperienceFactory(
                workspace=alice.workspace,
                customer=who,
                nps=next_nps,
                occurred_at=NOW - timedelta(days=2),
            )
            # a later one does not count: only the next experience decides
            ExperienceFactory(
                workspace=alice.workspace, customer=who, nps=0, occurred_at=NOW - timedelta(days=1)
            )
        with bind_workspace(alice.workspace):
            cases.open_case_for(signal, now=NOW - timedelta(days=5))

    for next_nps in (10, 8, 3, None):  # recovered (exceeded), recovered (met), not, waiting
        prosecutor_with_next(next_nps)
    old = CustomerFactory(workspace=alice.workspace)
    old_signal = ExperienceFactory(
        workspace=alice.workspace, customer=old, nps=1, occurred_at=NOW - timedelta(days=200)
    )
    with bind_workspace(alice.workspace):
        cases.open_case_for(old_signal, now=NOW - timedelta(days=200))  # outside the window
        rate = case_selectors.recovery_rate(now=NOW)
    assert (rate.customers, rate.judged, rate.recovered, rate.waiting) == (4, 3, 2, 1)
    assert rate.rate == pytest.approx(2 / 3)


def test_recovery_rate_is_unknown_without_anyone_to_judge(alice):
    with bind_workspace(alice.workspace):
        assert case_selectors.recovery_rate(now=NOW).rate is None


def test_the_hourly_task_runs_the_sweep(alice, opened, settings):
    from cxloop.loop.tasks import notify_overdue_cases

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    result = notify_overdue_cases.enqueue()
    assert result.return_value["cases"] == 1  # the real clock is long past NOW + 48 h
    assert notify_overdue_cases.enqueue().return_value["cases"] == 0
