"""The customer 360 page: stance with history, expectations, WOW plan, orders, timeline."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Expectation, Stance, WowPlanItem
from cxloop.experiences.services import record_experience

from ..conftest import make_tenant
from ..factories import CustomerFactory, ExpectationFactory, SegmentFactory


def url(name, *args):
    return reverse(f"customers:{name}", args=args)


def test_360_shows_stance_history_expectations_and_plan(alice):
    segment = SegmentFactory(workspace=alice.workspace, name="Parents")
    customer = CustomerFactory(workspace=alice.workspace, segment=segment)
    ExpectationFactory(workspace=alice.workspace, segment=segment, customer=None, kind="general",
                       text="Books before 1 September")  # fmt: skip
    with bind_workspace(alice.workspace):
        record_experience(source="survey", customer=customer, score=2, scale="nps")
        record_experience(source="survey", customer=customer, score=10, scale="nps")
    alice.client.post(url("add_expectation", customer.pk), {"text": "Call before delivery",
                                                             "source": "customer"})  # fmt: skip
    body = alice.client.get(url("detail", customer.pk)).content.decode()
    assert "Call before delivery" in body
    assert "Books before 1 September" in body
    assert "latest NPS answer 10 (9–10)" in body
    assert body.count("stance-prosecutor") >= 1  # in the history
    assert "stance-advocate" in body


def test_agent_plans_a_wow_and_marks_it_done(alice):
    customer = CustomerFactory(workspace=alice.workspace)
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = alice.client.post(
        url("add_wow_step", customer.pk),
        {"action": "Gift-wrap the next order", "due_on": due, "owner": alice.membership.pk},
    )
    assert response.status_code == 302
    step = WowPlanItem.unscoped.get()
    assert step.owner == alice.user
    alice.client.post(url("complete_wow_step", customer.pk, step.pk), {"produced_wow": "yes"})
    step.refresh_from_db()
    assert step.done_on == timezone.localdate()
    assert step.produced_wow is True


def test_a_past_due_date_is_refused_with_a_reason(alice):
    customer = CustomerFactory(workspace=alice.workspace)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = alice.client.post(
        url("add_wow_step", customer.pk), {"action": "x", "due_on": yesterday}
    )
    assert response.status_code == 422
    assert "The due date is in the past." in response.content.decode()
    assert not WowPlanItem.unscoped.exists()


def test_an_owner_from_another_workspace_does_not_validate(alice, bob):
    customer = CustomerFactory(workspace=alice.workspace)
    due = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = alice.client.post(
        url("add_wow_step", customer.pk), {"action": "x", "due_on": due, "owner": bob.membership.pk}
    )
    assert response.status_code == 422
    assert not WowPlanItem.unscoped.exists()


def test_viewers_see_but_cannot_change(db):
    viewer = make_tenant("Vera", role="viewer")
    customer = CustomerFactory(workspace=viewer.workspace)
    page = viewer.client.get(url("detail", customer.pk))
    assert page.status_code == 200
    assert "Note it" not in page.content.decode()
    response = viewer.client.post(
        url("add_expectation", customer.pk), {"text": "x", "source": "staff"}
    )
    assert response.status_code == 403
    assert not Expectation.unscoped.exists()


def test_retired_expectations_leave_the_page_but_stay_stored(alice):
    customer = CustomerFactory(workspace=alice.workspace)
    alice.client.post(url("add_expectation", customer.pk), {"text": "Old wish", "source": "staff"})
    expectation = Expectation.unscoped.get()
    alice.client.post(url("retire_expectation", customer.pk, expectation.pk))
    assert "Old wish" not in alice.client.get(url("detail", customer.pk)).content.decode()
    expectation.refresh_from_db()
    assert expectation.active is False


def test_360_query_count_is_flat(alice, django_assert_max_num_queries):
    customer = CustomerFactory(workspace=alice.workspace)
    with bind_workspace(alice.workspace):
        for score in range(11):
            record_experience(source="survey", customer=customer, score=score, scale="nps")
    for _ in range(5):
        alice.client.post(url("add_expectation", customer.pk), {"text": "wish", "source": "staff"})
    with django_assert_max_num_queries(20):
        assert alice.client.get(url("detail", customer.pk)).status_code == 200


def test_filters_by_stance_lifecycle_and_last_experience(alice):
    now = timezone.now()
    fan = CustomerFactory(workspace=alice.workspace, name="Fan", stance=Stance.ADVOCATE,
                          last_experience_at=now - timedelta(days=2))  # fmt: skip
    CustomerFactory(workspace=alice.workspace, name="Critic", stance=Stance.PROSECUTOR,
                    last_experience_at=now - timedelta(days=200))  # fmt: skip
    CustomerFactory(workspace=alice.workspace, name="Silent")

    def names(**params):
        return [c.name for c in alice.client.get(url("list"), params).context["page"]]

    assert names(stance="advocate") == [fan.name]
    assert names(stance="unknown") == ["Silent"]
    assert names(last_experience="7") == ["Fan"]
    assert names(last_experience="older") == ["Critic"]
    assert names(last_experience="never") == ["Silent"]
    assert names(lifecycle_phase="prospect") == ["Critic", "Fan", "Silent"]
    assert names(stance="nonsense") == ["Critic", "Fan", "Silent"]
