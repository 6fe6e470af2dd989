"""The stance rule: latest NPS answer first, else the time-weighted balance of experiences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Stance, StanceChange
from cxloop.experiences.services import ExperienceInvalid, record_experience
from cxloop.experiences.stance import Encounter, stance_for

from ..factories import CustomerFactory

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.mark.parametrize(
    ("score", "stance"),
    [(0, Stance.PROSECUTOR), (6, Stance.PROSECUTOR), (7, Stance.NEUTRAL), (9, Stance.ADVOCATE)],
)
def test_latest_nps_answer_decides(score, stance):
    encounters = [
        Encounter(ago(200), "wow", "nps", 10),
        Encounter(ago(3), "ok", "nps", score),
        Encounter(ago(1), "wow", "csat", 5),  # not NPS: does not override the NPS answer
    ]
    assert stance_for(encounters, NOW).stance == stance


def test_nps_older_than_a_year_no_longer_decides():
    encounters = [Encounter(ago(400), "negative", "nps", 2), Encounter(ago(5), "wow", "csat", 5)]
    assert stance_for(encounters, NOW).stance == Stance.ADVOCATE


def test_recent_experiences_weigh_more_than_old_ones():
    # Two negatives 90 days ago (weight 1/8 each) against one WOW today (weight 1):
    # balance = (1 - 0.25) / 1.25 = +0.6 → advocate.
    encounters = [
        Encounter(ago(90), "negative", "", None),
        Encounter(ago(90), "negative", "", None),
        Encounter(ago(0), "wow", "", None),
    ]
    verdict = stance_for(encounters, NOW)
    assert verdict.stance == Stance.ADVOCATE
    assert "+0.60" in verdict.rule


def test_a_mixed_balance_is_neutral_and_nothing_recent_is_unknown():
    mixed = [Encounter(ago(1), "negative", "", None), Encounter(ago(1), "wow", "", None)]
    assert stance_for(mixed, NOW).stance == Stance.NEUTRAL
    assert stance_for([Encounter(ago(200), "negative", "", None)], NOW).stance == ""


def test_recording_experiences_changes_stance_and_leaves_history(alice):
    customer = CustomerFactory(workspace=alice.workspace)
    with bind_workspace(alice.workspace):
        first = record_experience(source="survey", customer=customer, score=3, scale="nps")
        assert customer.stance == Stance.PROSECUTOR
        record_experience(source="survey", customer=customer, score=4, scale="nps")
        second = record_experience(source="survey", customer=customer, score=10, scale="nps")
        assert customer.stance == Stance.ADVOCATE
        history = list(StanceChange.objects.order_by("id"))
    assert [(h.from_stance, h.to_stance) for h in history] == [
        ("", Stance.PROSECUTOR),
        (Stance.PROSECUTOR, Stance.ADVOCATE),
    ]
    assert [h.experience_id for h in history] == [first.pk, second.pk]
    assert customer.last_experience_at == second.occurred_at


def test_staff_note_without_score_needs_an_outcome(alice):
    with bind_workspace(alice.workspace):
        note = record_experience(source="staff_note", outcome="exceeded", text="Thanked us")
        assert note.emotion == "wow"
        with pytest.raises(ExperienceInvalid, match="outcome"):
            record_experience(source="staff_note", text="no outcome")
        with pytest.raises(ExperienceInvalid, match="outside"):
            record_experience(source="survey", score=11, scale="nps")
