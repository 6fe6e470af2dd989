"""The insights services on the real database: analyses, corrections, training versions."""

from __future__ import annotations

import random

import pytest

from cxloop.core.scoping import bind_workspace
from cxloop.insights import services, tasks
from cxloop.insights.models import EmotionModelVersion, ExperienceAnalysis, Topic
from cxloop.insights.selectors import active_emotion_model, model_versions, reanalysis_progress

from ..factories import ExperienceFactory
from .conftest import constructed_examples, shop_examples

NPS_OF = {"negative": 2, "ok": 7, "wow": 10}


def _experiences(workspace, examples):
    return [
        ExperienceFactory(workspace=workspace, text=text, nps=NPS_OF[emotion], language="")
        for text, emotion, _ in examples
    ]


@pytest.fixture
def topics(alice):
    with bind_workspace(alice.workspace):
        services.ensure_default_topics()


def test_default_topics_are_added_once_in_the_workspace_language(alice):
    alice.workspace.default_language = "uk"
    with bind_workspace(alice.workspace):
        assert services.ensure_default_topics() == 11
        assert services.ensure_default_topics() == 0
        assert Topic.objects.get(key="delivery").name == "Доставка"


def test_analysis_stores_language_emotion_topics_and_classifier(alice, topics):
    (experience,) = _experiences(
        alice.workspace, [("Кур'єр запізнився, жахлива доставка", "negative", "uk")]
    )
    with bind_workspace(alice.workspace):
        assert services.analyse_experiences([experience.pk]) == 1
        analysis = ExperienceAnalysis.objects.get(experience=experience)
        assert {t.key for t in analysis.topics.all()} == {"delivery", "courier"}
    assert analysis.language == "uk"
    assert analysis.emotion == "negative"
    assert analysis.classifier == "cold-start"
    assert analysis.classifier_version == "2"


def test_analysing_twice_keeps_one_row_and_staff_corrections(alice, topics):
    (experience,) = _experiences(alice.workspace, [("Доставка нормальна", "ok", "uk")])
    with bind_workspace(alice.workspace):
        services.analyse_experiences([experience.pk])
        services.correct_emotion(experience, "wow", user=alice.user)
        services.correct_topics(experience, ["price"])
        services.analyse_experiences([experience.pk])
        analysis = ExperienceAnalysis.objects.get(experience=experience)
        assert ExperienceAnalysis.objects.count() == 1
        assert [t.key for t in analysis.topics.all()] == ["price"]
    assert analysis.final_emotion == "wow"
    assert analysis.corrected_by == alice.user


def test_a_correction_must_be_an_emotion(alice, topics):
    (experience,) = _experiences(alice.workspace, [("Ок", "ok", "uk")])
    with bind_workspace(alice.workspace), pytest.raises(services.InvalidCorrection):
        services.correct_emotion(experience, "angry")


def test_another_workspace_cannot_analyse_alices_experiences(alice, bob, topics):
    (experience,) = _experiences(alice.workspace, [("Жахливо", "negative", "uk")])
    with bind_workspace(bob.workspace):
        assert services.analyse_experiences([experience.pk]) == 0
    assert not ExperienceAnalysis.unscoped.exists()


def test_no_training_below_the_minimum(alice):
    _experiences(alice.workspace, constructed_examples(9))
    with bind_workspace(alice.workspace):
        result = services.train_workspace_model()
    assert result.version is None
    assert "training starts at 200" in result.reason


def test_training_activates_a_model_that_beats_cold_start(alice, topics):
    _experiences(alice.workspace, shop_examples(60))
    with bind_workspace(alice.workspace):
        result = services.train_workspace_model(folds=3, min_examples=50)
        assert result.activated, result.reason
        version = model_versions(alice.workspace).get()
        assert version.status == "active"
        assert version.macro_f1 > version.cold_start_macro_f1
        model = active_emotion_model(alice.workspace)
        assert model.version == "1"
        services.analyse_unanalysed()
        analysis = ExperienceAnalysis.objects.first()
    assert analysis.classifier == "workspace"
    assert analysis.classifier_version == "1"


def test_a_worse_retrain_never_replaces_the_active_model(alice, topics):
    _experiences(alice.workspace, shop_examples(60))
    with bind_workspace(alice.workspace):
        first = services.train_workspace_model(folds=3, min_examples=50)
        assert first.activated
    # New answers, a third of whose scores contradict their words: a model trained on everything
    # still beats the cold start, but it is worse than the active one.
    rng = random.Random(1)
    noisy = [
        (text, rng.choice(["negative", "ok", "wow"]) if rng.random() < 0.35 else emotion, lang)
        for text, emotion, lang in shop_examples(240, seed=3)
    ]
    _experiences(alice.workspace, noisy)
    with bind_workspace(alice.workspace):
        second = services.train_workspace_model(folds=3, min_examples=50)
        versions = {v.version: v for v in model_versions(alice.workspace)}
    assert not second.activated
    assert versions[2].status == EmotionModelVersion.Status.REJECTED
    assert "below the active v1" in versions[2].note
    assert versions[1].status == EmotionModelVersion.Status.ACTIVE


def test_corrections_become_weighted_training_examples(alice, topics):
    (experience,) = _experiences(alice.workspace, [("Доставка норм", "wow", "uk")])
    with bind_workspace(alice.workspace):
        services.correct_emotion(experience, "ok")
        examples = services.training_examples()
    assert examples.emotions == ["ok"]
    assert examples.weights == [services.CORRECTION_WEIGHT]
    assert examples.corrections == 1
    # The score said WOW and a person said OK: the score no longer speaks for this text.
    assert examples.scores == [None]


def test_training_examples_carry_each_answers_place_on_its_scale(alice):
    _experiences(alice.workspace, [("Так собі", "negative", "uk"), ("Супер", "wow", "uk")])
    with bind_workspace(alice.workspace):
        examples = services.training_examples()
    assert examples.scores == [pytest.approx(0.2), pytest.approx(1.0)]


def test_tasks_analyse_and_train(alice, topics, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    experiences = _experiences(alice.workspace, constructed_examples(60))
    result = tasks.analyse_experiences.enqueue(alice.workspace.pk, [e.pk for e in experiences])
    assert result.return_value == len(experiences)
    assert tasks.retrain_if_needed.enqueue(alice.workspace.pk).return_value is False


def test_reanalysis_task_reports_progress(alice, topics, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _experiences(alice.workspace, constructed_examples(30))
    result = tasks.reanalyse_workspace.enqueue(alice.workspace.pk)
    assert result.return_value == len(constructed_examples(30))
    assert reanalysis_progress(alice.workspace) == {
        "done": result.return_value,
        "total": result.return_value,
    }
