"""Spikes (Poisson control limit) and emerging topics (groups of unmatched negative texts)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from cxloop.core.scoping import bind_workspace
from cxloop.insights import services
from cxloop.insights.emerging import propose_topics
from cxloop.insights.models import Topic, TopicProposal
from cxloop.insights.spikes import find_spikes

from ..factories import ExperienceFactory

DAY = date(2026, 3, 2)


def _history(per_day: int, today: int, days: int = 28) -> dict:
    counts = {DAY - timedelta(days=i): per_day for i in range(1, days + 1)}
    counts[DAY] = today
    return {"delivery": counts}


def test_a_day_far_above_its_baseline_is_a_spike():
    (spike,) = find_spikes(_history(per_day=2, today=12), DAY)
    assert spike.topic == "delivery"
    assert spike.count == 12
    assert spike.expected == 2
    assert spike.p_value < 0.001


def test_ordinary_variation_is_not_a_spike():
    assert find_spikes(_history(per_day=2, today=5), DAY) == []
    assert find_spikes(_history(per_day=20, today=30), DAY) == []


def test_a_new_topic_needs_the_minimum_count():
    assert find_spikes({"packaging": {DAY: 4}}, DAY) == []
    assert [s.topic for s in find_spikes({"packaging": {DAY: 5}}, DAY)] == ["packaging"]


def _at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def test_topic_spikes_come_from_analysed_negative_experiences(alice):
    with bind_workspace(alice.workspace):
        services.ensure_default_topics()
    texts = {"negative": "Кур'єр знову запізнився, жахливо", "wow": "Кур'єр чудовий, дякую!"}
    made = []
    for days_ago in range(1, 29, 7):  # a quiet baseline: one late courier a week
        made.append(ExperienceFactory(workspace=alice.workspace, text=texts["negative"], nps=2,
                                      occurred_at=_at(DAY - timedelta(days=days_ago))))  # fmt: skip
    today = [
        ExperienceFactory(
            workspace=alice.workspace, text=texts["negative"], nps=1, occurred_at=_at(DAY)
        )
        for _ in range(6)
    ]
    praise = [
        ExperienceFactory(
            workspace=alice.workspace, text=texts["wow"], nps=10, occurred_at=_at(DAY)
        )
        for _ in range(6)
    ]
    with bind_workspace(alice.workspace):
        services.analyse_experiences([e.pk for e in made + today + praise])
        found = services.topic_spikes(DAY)
        assert services.topic_spikes(DAY - timedelta(days=1)) == []
    assert {s.topic for s in found} == {"courier", "delivery"}
    courier = next(s for s in found if s.topic == "courier")
    assert sorted(courier.experience_ids) == sorted(e.pk for e in today)


UNMATCHED = ["Подарунковий сертифікат не спрацював на касі"] * 3 + [
    "Сертифікат подарунковий недійсний, не приймають",
    "Подарунковий сертифікат не зарахували",
] * 2


def test_similar_unmatched_texts_become_one_proposal_with_quotes():
    texts = [*UNMATCHED, "Жахливо", "Сумно", "Не сподобалось", "Розчарована", "Погано"]
    (proposal,) = propose_topics(texts, ["uk"] * len(texts))
    assert "сертифікат" in proposal.keywords
    assert len(proposal.quotes) == 3
    assert all("ертифікат" in q for q in proposal.quotes)
    assert sorted(proposal.indices) == list(range(len(UNMATCHED)))


def test_too_few_texts_propose_nothing():
    assert propose_topics(["Жахливо", "Погано"], ["uk", "uk"]) == []


def test_emerging_proposal_accepted_becomes_a_topic(alice):
    with bind_workspace(alice.workspace):
        services.ensure_default_topics()
    filler = ["Жахливо", "Сумно", "Не сподобалось", "Розчарована", "Погано"]
    experiences = [
        ExperienceFactory(workspace=alice.workspace, text=t, nps=1, occurred_at=timezone.now())
        for t in UNMATCHED + filler
    ]
    with bind_workspace(alice.workspace):
        services.analyse_experiences([e.pk for e in experiences])
        for experience in experiences:  # whatever the classifier said, staff call them negative
            services.correct_emotion(experience, "negative")
        (proposal,) = services.propose_emerging_topics()
        assert proposal.size == len(UNMATCHED)
        topic = services.accept_proposal(proposal, key="gift_card", name="Gift cards")
        assert topic.origin == Topic.Origin.EMERGING
        assert TopicProposal.objects.get().status == "accepted"
        services.analyse_experiences([experiences[0].pk])
        assert "gift_card" in {t.key for t in experiences[0].analysis.topics.all()}


def test_a_spike_is_stored_and_announced_once(alice):
    from io import StringIO

    from django.core.management import call_command

    from cxloop.insights.events import spike_detected
    from cxloop.insights.models import SpikeAlert

    with bind_workspace(alice.workspace):
        services.ensure_default_topics()
    today = timezone.localdate()
    made = [
        ExperienceFactory(workspace=alice.workspace, text="Кур'єр знову запізнився", nps=1,
                          occurred_at=_at(today, hour=0) + timedelta(minutes=i))
        for i in range(6)
    ]  # fmt: skip
    heard = []

    def listen(sender, *, alert, experience_ids, **kwargs):
        heard.append((alert.topic.key, alert.day, sorted(experience_ids)))

    spike_detected.connect(listen)
    try:
        with bind_workspace(alice.workspace):
            services.analyse_experiences([e.pk for e in made])
            for experience in made:
                services.correct_emotion(experience, "negative")
            first = services.record_spikes(today)
            again = services.record_spikes(today)
        out = StringIO()
        call_command("detect_trends", stdout=out)
    finally:
        spike_detected.disconnect(listen)
    assert {a.topic.key for a in first} == {"courier", "delivery"}
    assert again == []
    assert "alice: 0 new spikes" in out.getvalue()
    assert sorted(heard) == [
        ("courier", today, sorted(e.pk for e in made)),
        ("delivery", today, sorted(e.pk for e in made)),
    ]
    with bind_workspace(alice.workspace):
        assert SpikeAlert.objects.count() == 2
