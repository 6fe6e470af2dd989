"""Tables of the insights app: topics, emotion model versions and per-experience analyses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.core.scoping import WorkspaceScopedModel


class Topic(WorkspaceScopedModel):
    """A root cause in the workspace's taxonomy, found by lemma rules (``topics.py``).

    ``keywords`` is ``{"uk": [...], "ru": [...], "en": [...]}``; a keyword ending in ``*`` is a
    stem.
    """

    class Origin(models.TextChoices):
        DEFAULT = "default", _("Default taxonomy")
        MANUAL = "manual", _("Added by staff")
        EMERGING = "emerging", _("Proposed from emerging texts")

    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    keywords = models.JSONField(_("keywords"), default=dict)
    is_active = models.BooleanField(_("active"), default=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="insights_topic_key_unique")
        ]

    def __str__(self) -> str:
        return self.name


class EmotionModelVersion(WorkspaceScopedModel):
    """One training of the workspace's emotion model, with its cross-validated quality.

    At most one version per workspace is active. A training whose cross-validated macro-F1 is
    below the active version's is kept as ``rejected`` with the reason, never switched to
    silently.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Replaced by a better version")
        REJECTED = "rejected", _("Not better than the active model")

    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    examples = models.PositiveIntegerField(_("training examples"))
    corrections = models.PositiveIntegerField(_("manual corrections"), default=0)
    macro_f1 = models.FloatField(_("macro-F1 (cross-validated)"))
    accuracy = models.FloatField(_("accuracy (cross-validated)"))
    cold_start_macro_f1 = models.FloatField(
        _("cold-start macro-F1 on the same examples"), null=True, blank=True
    )
    metrics = models.JSONField(default=dict)
    note = models.CharField(_("note"), max_length=300, blank=True)
    data = models.BinaryField(help_text="The model file (classifiers/workspace.py format).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("emotion model version")
        verbose_name_plural = _("emotion model versions")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "version"], name="insights_model_version_unique"
            ),
            models.UniqueConstraint(
                fields=["workspace"],
                condition=models.Q(status="active"),
                name="insights_one_active_model",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.status}, macro-F1 {self.macro_f1:.3f})"


class ExperienceAnalysis(WorkspaceScopedModel):
    """What the text of one experience says: language, emotion, topics, and who decided it.

    ``classifier`` and ``classifier_version`` name the model that produced ``emotion`` (the UI
    says "cold-start" or "workspace v3"). Staff corrections live beside the machine's answer:
    ``corrected_emotion`` wins over ``emotion`` for display and becomes a training example;
    ``topics_corrected`` keeps re-analysis from overwriting topics a person chose.
    """

    experience = models.OneToOneField(
        "experiences.Experience", on_delete=models.CASCADE, related_name="analysis"
    )
    language = models.CharField(_("language"), max_length=8)
    emotion = models.CharField(_("emotion"), max_length=10)
    confidence = models.FloatField(_("confidence"))
    classifier = models.CharField(_("classifier"), max_length=40)
    classifier_version = models.CharField(max_length=20, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="analyses")
    analysed_at = models.DateTimeField(_("analysed at"))
    corrected_emotion = models.CharField(_("corrected emotion"), max_length=10, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    topics_corrected = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("experience analysis")
        verbose_name_plural = _("experience analyses")
        indexes = [
            models.Index(fields=["workspace", "emotion"], name="insights_analysis_emotion"),
        ]

    def __str__(self) -> str:
        return f"{self.experience_id}: {self.final_emotion} ({self.language})"

    @property
    def final_emotion(self) -> str:
        return self.corrected_emotion or self.emotion


class TopicProposal(WorkspaceScopedModel):
    """An emerging topic: a group of recent negative texts no topic matched (``emerging.py``).

    A manager accepts it (it becomes a :class:`Topic` with these keywords) or dismisses it.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    keywords = models.JSONField(_("keywords"), default=list)
    quotes = models.JSONField(_("representative quotes"), default=list)
    size = models.PositiveIntegerField(_("texts"))
    cohesion = models.FloatField()
    experiences = models.ManyToManyField("experiences.Experience", related_name="+", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("topic proposal")
        verbose_name_plural = _("topic proposals")

    def __str__(self) -> str:
        return ", ".join(self.keywords[:3])


class SpikeAlert(WorkspaceScopedModel):
    """A spike found by the periodic sweep (``services.record_spikes``), stored once per topic and
    day so that ``events.spike_detected`` fires once for it (playbooks, the dashboard)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="spike_alerts")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("complaints"))
    expected = models.FloatField(_("expected per day"))
    p_value = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "p_value"]
        verbose_name = _("spike alert")
        verbose_name_plural = _("spike alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "topic", "day"], name="insights_spike_once_per_topic_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.day}: {self.count} (expected {self.expected:.1f})"
