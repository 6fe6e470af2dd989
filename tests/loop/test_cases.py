"""Cases: which signals open one, the dedupe key, the owner's round robin and the deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from cxloop.accounts.models import Role
from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Stance
from cxloop.experiences.models import Experience
from cxloop.feedback.services import update_feedback_settings
from cxloop.insights.models import ExperienceAnalysis, Topic
from cxloop.loop import cases
from cxloop.loop.models import Case, CaseEvent

from ..factories import (
    CustomerFactory,
    ExperienceFactory,
    MembershipFactory,
    OrderFactory,
    UserFactory,
)

pytest_plugins = ["tests.loop.case_fixtures"]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the injected clock

pytestmark = pytest.mark.django_db


def _cases(workspace):
    with bind_workspace(workspace):
        return list(Case.objects.order_by("id"))


# --- what opens a case ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "score", "opens"),
    [
        ("nps", 6, True),
        ("nps", 7, False),
        ("csat", 2, True),
        ("csat", 3, True),  # below expectation on the CSAT scale (scoring.py)
        ("csat", 4, False),
        ("ces", 3, True),
        ("ces", 4, False),
        ("stars5", 2, True),
        ("stars5", 3, False),
    ],
)
def test_a_below_expectation_answer_opens_a_case_and_others_do_not(
    alice, shop, customer, record, scale, score, opens
):
    record(customer, touchpoint=shop.courier, score=score, scale=scale)
    assert len(_cases(alice.workspace)) == (1 if opens else 0)


def test_an_experience_with_outcome_below_opens_a_case_whatever_its_source(
    alice, shop, customer, record
):
    record(customer, source="staff_note", outcome="below", text="Parcel lost")
    (case,) = _cases(alice.workspace)
    assert case.dedupe_key == "none"
    assert case.experience.text == "Parcel lost"


def test_an_anonymous_negative_signal_opens_no_case(alice, shop, record):
    record(None, touchpoint=shop.courier, score=0, scale="nps")
    assert _cases(alice.workspace) == []


def test_a_mention_whose_words_read_negative_opens_its_case_on_the_backfill(alice, shop, customer):
    mention = ExperienceFactory(
        workspace=alice.workspace,
        customer=customer,
        source="social",
        score=None,
        scale="",
        outcome="met",
        emotion="ok",
        text="Кур'єр нагрубив",
    )
    with bind_workspace(alice.workspace):
        delivery = Topic.objects.create(key="delivery", name="Delivery")
        analysis = ExperienceAnalysis.objects.create(
            experience=mention,
            language="uk",
            emotion="negative",
            confidence=0.9,
            classifier="test",
            analysed_at=NOW,
        )
        analysis.topics.add(delivery)
        summary = cases.open_cases(now=NOW)
        again = cases.open_cases(now=NOW)
    assert (summary.opened, summary.attached) == (1, 0)
    assert again.examined == 0  # already linked: the backfill is idempotent
    (case,) = _cases(alice.workspace)
    assert case.dedupe_key == "topic:delivery"
    assert case.topic == delivery


def test_a_corrected_emotion_wins_over_the_machines(alice, customer):
    mention = ExperienceFactory(
        workspace=alice.workspace, customer=customer, nps=9, text="Ну звісно, дуже швидко"
    )
    with bind_workspace(alice.workspace):
        ExperienceAnalysis.objects.create(
            experience=mention,
            language="uk",
            emotion="wow",
            corrected_emotion="negative",
            confidence=0.6,
            classifier="test",
            analysed_at=NOW,
        )
        assert cases.is_negative_signal(Experience.objects.get(pk=mention.pk))
        assert cases.open_cases(now=NOW).opened == 1


# --- dedupe --------------------------------------------------------------------------------------


def test_a_second_signal_about_the_same_thing_joins_the_open_case(alice, shop, customer, record):
    first = record(customer, touchpoint=shop.courier, score=2, scale="nps")
    second = record(customer, touchpoint=shop.courier, score=1, scale="csat")
    (case,) = _cases(alice.workspace)
    assert case.dedupe_key == f"touchpoint:{shop.courier.pk}"
    assert case.experience == first
    assert case.signal_count == 2
    with bind_workspace(alice.workspace):
        joined = CaseEvent.objects.get(kind=CaseEvent.Kind.SIGNAL)
    assert joined.experience == second


def test_another_touchpoint_or_another_customer_opens_another_case(alice, shop, customer, record):
    from ..factories import TouchpointFactory

    site = TouchpointFactory(workspace=alice.workspace, name="Site")
    record(customer, touchpoint=shop.courier, score=2, scale="nps")
    record(customer, touchpoint=site, score=2, scale="nps")
    record(
        CustomerFactory(workspace=alice.workspace), touchpoint=shop.courier, score=2, scale="nps"
    )
    assert len(_cases(alice.workspace)) == 3


def test_after_the_case_is_closed_a_new_signal_opens_a_new_case(alice, shop, customer, record):
    record(customer, touchpoint=shop.courier, score=2, scale="nps")
    (case,) = _cases(alice.workspace)
    with bind_workspace(alice.workspace):
        cases.change_status(case, "resolved", actor=shop.agents[0], text="Called, refunded")
    record(customer, touchpoint=shop.courier, score=3, scale="nps")
    first, second = _cases(alice.workspace)
    assert (first.status, second.status) == ("resolved", "new")


def test_the_database_refuses_a_second_open_case_for_the_same_key(alice, shop, customer, record):
    from django.db import IntegrityError, transaction

    record(customer, touchpoint=shop.courier, score=2, scale="nps")
    (case,) = _cases(alice.workspace)
    with bind_workspace(alice.workspace), pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            customer=customer,
            dedupe_key=case.dedupe_key,
            signal_at=NOW,
            opened_at=NOW,
            due_at=NOW,
        )


def test_a_signal_already_linked_is_not_linked_twice(alice, shop, customer, record):
    experience = record(customer, touchpoint=shop.courier, score=2, scale="nps")
    with bind_workspace(alice.workspace):
        assert cases.open_case_for(experience) is None
        assert cases.open_cases(now=NOW).examined == 0
    assert _cases(alice.workspace)[0].signal_count == 1


def test_bulk_loaded_signals_are_opened_by_the_backfill_in_the_order_they_happened(
    alice, shop, customer
):
    older = ExperienceFactory(
        workspace=alice.workspace, customer=customer, nps=1, occurred_at=NOW - timedelta(days=2)
    )
    ExperienceFactory(
        workspace=alice.workspace, customer=customer, nps=2, occurred_at=NOW - timedelta(days=1)
    )
    ExperienceFactory(workspace=alice.workspace, customer=customer, nps=10)
    with bind_workspace(alice.workspace):
        summary = cases.open_cases(now=NOW)
    assert (summary.examined, summary.opened, summary.attached) == (2, 1, 1)
    (case,) = _cases(alice.workspace)
    assert case.experience == older
    assert case.opened_at == NOW


def test_backfill_since_leaves_older_signals_alone(alice, customer):
    ExperienceFactory(
        workspace=alice.workspace, customer=customer, nps=1, occurred_at=NOW - timedelta(days=30)
    )
    with bind_workspace(alice.workspace):
        assert cases.open_cases(since=NOW - timedelta(days=7), now=NOW).examined == 0


# --- owner ---------------------------------------------------------------------------------------


def test_owners_rotate_round_robin_inside_the_touchpoints_department(alice, shop, record):
    for _ in range(4):
        record(
            CustomerFactory(workspace=alice.workspace),
            touchpoint=shop.courier,
            score=0,
            scale="nps",
        )
    owners = [case.owner for case in _cases(alice.workspace)]
    # agents and the department's manager, in turn; each case's department is the touchpoint's
    rotation = sorted([*shop.agents, shop.manager], key=lambda u: u.pk)
    assert owners == [*rotation, rotation[0]]
    assert {case.department for case in _cases(alice.workspace)} == {shop.delivery}


def test_viewers_are_never_given_a_case(alice, shop, record):
    MembershipFactory(
        workspace=alice.workspace,
        user=UserFactory(email="viewer@example.com"),
        role=Role.VIEWER,
        department=shop.delivery,
    )
    for _ in range(4):
        record(
            CustomerFactory(workspace=alice.workspace),
            touchpoint=shop.courier,
            score=0,
            scale="nps",
        )
    assert "viewer@example.com" not in {c.owner.email for c in _cases(alice.workspace)}


def test_without_a_touchpoint_the_workspace_managers_and_owners_take_turns(
    alice, shop, customer, record
):
    record(customer, source="staff_note", outcome="below")
    (case,) = _cases(alice.workspace)
    assert case.department is None
    assert case.owner in {alice.user, shop.manager}


# --- deadline ------------------------------------------------------------------------------------


def _spender(workspace, amount):
    who = CustomerFactory(workspace=workspace)
    OrderFactory(workspace=workspace, customer=who, amount=Decimal(amount))
    return who


def test_the_deadline_is_48_hours_by_default(alice, shop, customer, record):
    record(customer, touchpoint=shop.courier, score=2, scale="nps")
    (case,) = _cases(alice.workspace)
    assert case.due_at - case.opened_at == timedelta(hours=48)
    assert case.high_value is False
    assert case.stance_before == Stance.PROSECUTOR


def test_a_high_value_prosecutor_gets_24_hours(alice, shop, record):
    # five customers with spend; the top 20 % is one customer: the biggest spender
    spenders = [_spender(alice.workspace, amount) for amount in (100, 200, 300, 400, 5000)]
    record(spenders[-1], touchpoint=shop.courier, score=2, scale="nps")
    record(spenders[-2], touchpoint=shop.courier, score=2, scale="nps")
    top, second = _cases(alice.workspace)
    assert (top.due_at - top.opened_at, top.high_value) == (timedelta(hours=24), True)
    assert (second.due_at - second.opened_at, second.high_value) == (timedelta(hours=48), False)


def test_a_high_value_customer_who_is_not_a_prosecutor_keeps_the_standard_deadline(
    alice, shop, record
):
    rich = _spender(alice.workspace, 9000)
    record(rich, touchpoint=shop.courier, score=10, scale="nps")  # an advocate by NPS
    record(rich, touchpoint=shop.courier, score=3, scale="csat")  # a bad day, still an advocate
    (case,) = _cases(alice.workspace)
    assert case.stance_before == Stance.ADVOCATE
    assert case.due_at - case.opened_at == timedelta(hours=48)


def test_cancelled_orders_are_not_spend(alice, shop, record):
    rich = CustomerFactory(workspace=alice.workspace)
    OrderFactory(workspace=alice.workspace, customer=rich, amount=Decimal(9000), status="cancelled")
    _spender(alice.workspace, 100)
    record(rich, touchpoint=shop.courier, score=2, scale="nps")
    assert _cases(alice.workspace)[0].high_value is False


def test_the_deadlines_follow_the_workspace_settings(alice, shop, record):
    with bind_workspace(alice.workspace):
        update_feedback_settings(alice.workspace, detractor_contact_hours=12)
        cases.update_case_settings(alice.workspace, high_value_contact_hours=4)
    rich = _spender(alice.workspace, 9000)
    record(
        CustomerFactory(workspace=alice.workspace), touchpoint=shop.courier, score=2, scale="nps"
    )
    record(rich, touchpoint=shop.courier, score=2, scale="nps")
    normal, fast = _cases(alice.workspace)
    assert normal.due_at - normal.opened_at == timedelta(hours=12)
    assert fast.due_at - fast.opened_at == timedelta(hours=4)


# --- timeline rows -------------------------------------------------------------------------------


def test_opening_leaves_opened_and_assigned_rows(alice, shop, customer, record):
    record(customer, touchpoint=shop.courier, score=2, scale="nps")
    with bind_workspace(alice.workspace):
        kinds = list(CaseEvent.objects.values_list("kind", flat=True))
    assert kinds == ["opened", "assigned"]


def test_a_failed_recording_leaves_no_case(alice, shop, customer):
    from django.db import transaction

    from cxloop.experiences.services import record_experience

    def request_that_fails_after_recording() -> None:
        with transaction.atomic():
            record_experience(
                source="survey", customer=customer, touchpoint=shop.courier, score=1, scale="nps"
            )
            raise RuntimeError("the request failed after recording")

    with bind_workspace(alice.workspace), pytest.raises(RuntimeError):
        request_that_fails_after_recording()
    assert _cases(alice.workspace) == []


def test_the_open_cases_command_backfills_every_workspace_and_reports(alice, bob, customer):
    import io

    from django.core.management import call_command

    ExperienceFactory(workspace=alice.workspace, customer=customer, nps=0)
    ExperienceFactory(workspace=bob.workspace, nps=0)
    out = io.StringIO()
    call_command("open_cases", "--since", "2000-01-01", stdout=out)
    assert "alice: 1 signals, 1 cases opened" in out.getvalue()
    assert "bob: 1 signals, 1 cases opened" in out.getvalue()
    call_command("open_cases", "--workspace", "alice", stdout=(again := io.StringIO()))
    assert "alice: 0 signals" in again.getvalue()


def test_with_lifetime_value_predictions_high_value_follows_the_prediction(alice, shop, record):
    from cxloop.analytics.models import CustomerValue

    big_spender = _spender(alice.workspace, 9000)  # spent most, but predicted to leave
    promising = _spender(alice.workspace, 100)
    others = [_spender(alice.workspace, 50) for _ in range(3)]
    with bind_workspace(alice.workspace):
        for who, clv in [(big_spender, 10.0), (promising, 5000.0)] + [(o, 20.0) for o in others]:
            CustomerValue.objects.create(
                customer=who,
                spent=0,
                probability_alive=0.5,
                expected_purchases=1,
                expected_spend=1,
                lifetime_value=clv,
                as_of=NOW,
            )
    record(big_spender, touchpoint=shop.courier, score=2, scale="nps")
    record(promising, touchpoint=shop.courier, score=2, scale="nps")
    rich, likely = _cases(alice.workspace)
    assert (rich.high_value, likely.high_value) == (False, True)
    assert likely.due_at - likely.opened_at == timedelta(hours=24)


def test_the_threshold_is_cached_and_the_backfill_recomputes_it(alice):
    for amount in (100, 200, 300, 400, 500):
        _spender(alice.workspace, amount)
    with bind_workspace(alice.workspace):
        assert cases.high_value_threshold(20) == ("spend", Decimal("500.00"))
        _spender(alice.workspace, 9000)
        _spender(alice.workspace, 8000)  # seven spenders: the top 20 % are the first two
        assert cases.high_value_threshold(20) == ("spend", Decimal("500.00"))  # cached
        cases.open_cases(now=NOW)
        assert cases.high_value_threshold(20) == ("spend", Decimal("8000.00"))
