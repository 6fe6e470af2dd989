"""A new text is analysed without anybody asking: a task is enqueued after the recording commits."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend

from cxloop.core.scoping import bind_workspace
from cxloop.experiences.services import record_experience
from cxloop.feedback.mentions import import_mentions
from cxloop.insights import services, tasks
from cxloop.insights.models import ExperienceAnalysis

from ..conftest import REDIS_CACHE_PREFIX

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def topics(alice):
    with bind_workspace(alice.workspace):
        services.ensure_default_topics()


def _enqueued() -> list:
    return [r for r in default_task_backend.results if r.task.name == "analyse_experiences"]


def test_a_recorded_text_gets_its_emotion_and_topics(
    alice, topics, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with (
        bind_workspace(alice.workspace),
        django_capture_on_commit_callbacks(execute=True),
    ):
        experience = record_experience(
            source="social", outcome="below", text="Кур'єр запізнився на три дні, жахливо"
        )
    with bind_workspace(alice.workspace):
        analysis = ExperienceAnalysis.objects.get(experience=experience)
        assert analysis.language == "uk"
        assert analysis.emotion == "negative"
        assert {"courier", "delivery"} <= {t.key for t in analysis.topics.all()}


def test_one_task_per_transaction_however_many_texts(
    alice, topics, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    default_task_backend.clear()
    with (
        bind_workspace(alice.workspace),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        made = [
            record_experience(source="social", outcome="met", text=f"Нормально {i}")
            for i in range(5)
        ]
        record_experience(source="staff_note", outcome="met")  # no text: nothing to analyse
    (task,) = _enqueued()
    assert task.args == [alice.workspace.pk, [e.pk for e in made]]


@transaction.atomic
def _record_then_fail() -> None:
    record_experience(source="social", outcome="below", text="Жахливо")
    raise RuntimeError("the request failed after recording")


def test_a_rolled_back_recording_enqueues_nothing(
    alice, topics, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    default_task_backend.clear()
    with bind_workspace(alice.workspace), django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError, match="failed"):
            _record_then_fail()
        kept = record_experience(source="social", outcome="below", text="Погано")
    (task,) = _enqueued()
    assert task.args == [alice.workspace.pk, [kept.pk]]


def test_imported_mentions_are_analysed(
    alice, topics, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    rows = [
        {"source": "google", "external_id": f"g-{i}", "text": text, "rating": rating,
         "posted_at": timezone.now().isoformat()}
        for i, (text, rating) in enumerate(
            [("Упаковка порвана, книжка пошкоджена", 1), ("Чудова книгарня, дякую!", 5)]
        )
    ]  # fmt: skip
    with bind_workspace(alice.workspace), django_capture_on_commit_callbacks(execute=True):
        result = import_mentions(rows)
    assert result.created == 2
    with bind_workspace(alice.workspace):
        analyses = {a.experience.text: a for a in ExperienceAnalysis.objects.all()}
        assert len(analyses) == 2
        damaged = analyses["Упаковка порвана, книжка пошкоджена"]
        assert "packaging" in {t.key for t in damaged.topics.all()}


def test_the_analysis_task_is_idempotent(alice, topics):
    with bind_workspace(alice.workspace):
        experience = record_experience(source="social", outcome="below", text="Жахлива упаковка")
        services.analyse_experiences([experience.pk])
        services.analyse_experiences([experience.pk])
        assert ExperienceAnalysis.objects.filter(experience=experience).count() == 1
        assert experience.analysis.topics.count() == 1


# --- with Redis: the pending list and one drain task -------------------------------------------


def _pending(cache, workspace) -> list[int]:
    client = cache._cache.get_client(write=True)
    (key,) = client.keys(f"{REDIS_CACHE_PREFIX}:*insights:pending:{workspace.pk}") or [None]
    return [int(i) for i in client.lrange(key, 0, -1)] if key else []


def _drains() -> list:
    return [r for r in default_task_backend.results if r.task.name == "analyse_pending"]


def test_with_redis_new_texts_queue_up_behind_one_drain_task(
    alice, topics, settings, redis_cache, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    default_task_backend.clear()
    made = []
    with bind_workspace(alice.workspace):
        for text in ["Кур'єр запізнився", "Все чудово, дякую!", "Упаковка порвана"]:
            with django_capture_on_commit_callbacks(execute=True):
                made.append(record_experience(source="social", outcome="met", text=text))
    assert _pending(redis_cache, alice.workspace) == [e.pk for e in made]
    (drain,) = _drains()  # one task for the three answers, not one each
    assert drain.args == [alice.workspace.pk]
    assert not _enqueued()

    assert tasks.analyse_pending.call(alice.workspace.pk) == 3
    assert _pending(redis_cache, alice.workspace) == []
    with bind_workspace(alice.workspace):
        analysed = {a.experience_id: a for a in ExperienceAnalysis.objects.all()}
        assert set(analysed) == {e.pk for e in made}
        assert "packaging" in {t.key for t in analysed[made[2].pk].topics.all()}

    # The drain cleared its flag: the next text enqueues the next drain.
    with bind_workspace(alice.workspace), django_capture_on_commit_callbacks(execute=True):
        later = record_experience(source="social", outcome="below", text="Жахливо")
    assert len(_drains()) == 2
    assert _pending(redis_cache, alice.workspace) == [later.pk]


def test_with_redis_a_rolled_back_recording_queues_nothing(
    alice, topics, settings, redis_cache, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY
    default_task_backend.clear()
    with (
        bind_workspace(alice.workspace),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError, match="failed"),
    ):
        _record_then_fail()
    assert _pending(redis_cache, alice.workspace) == []
    assert not _drains()


def test_with_redis_a_failed_analysis_leaves_its_texts_on_the_list(
    alice, topics, settings, redis_cache, django_capture_on_commit_callbacks, monkeypatch
):
    settings.TASKS = DUMMY
    with bind_workspace(alice.workspace), django_capture_on_commit_callbacks(execute=True):
        kept = record_experience(source="social", outcome="below", text="Погано")

    def broken(ids):
        raise RuntimeError("the classifier is down")

    monkeypatch.setattr(services, "analyse_experiences", broken)
    with pytest.raises(RuntimeError, match="classifier"):
        tasks.analyse_pending.call(alice.workspace.pk)
    assert _pending(redis_cache, alice.workspace) == [kept.pk]
    monkeypatch.undo()
    assert tasks.analyse_pending.call(alice.workspace.pk) == 1


def test_with_redis_and_a_worker_a_survey_answer_is_analysed(
    alice, topics, settings, redis_cache, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE  # the drain runs as soon as it is enqueued
    with bind_workspace(alice.workspace), django_capture_on_commit_callbacks(execute=True):
        experience = record_experience(
            source="survey", score=1, scale="csat", text="Кур'єр запізнився на три дні, жахливо"
        )
    assert _pending(redis_cache, alice.workspace) == []
    with bind_workspace(alice.workspace):
        analysis = ExperienceAnalysis.objects.get(experience=experience)
        assert analysis.language == "uk"


def test_with_redis_a_big_import_queues_its_texts_too(
    alice, topics, settings, redis_cache, django_capture_on_commit_callbacks, monkeypatch
):
    from cxloop.insights import events

    settings.TASKS = DUMMY
    default_task_backend.clear()
    monkeypatch.setattr(events, "PUSH_SCRIPT_IDS", 2)  # past it, the pipeline takes over
    with (
        bind_workspace(alice.workspace),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        made = [
            record_experience(source="social", outcome="met", text=f"Нормально {i}")
            for i in range(3)
        ]
    assert _pending(redis_cache, alice.workspace) == [e.pk for e in made]
    (drain,) = _drains()
    assert drain.args == [alice.workspace.pk]
