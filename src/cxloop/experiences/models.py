"""The experience ledger: every encounter of a customer with the company and how it felt."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.core.scoping import WorkspaceScopedModel

from .scoring import Emotion, Outcome, Scale


class Source(models.TextChoices):
    SURVEY = "survey", _("Survey")
    CONVERSATION = "conversation", _("Conversation")
    REVIEW = "review", _("Review")
    SOCIAL = "social", _("Social mention")
    STAFF_NOTE = "staff_note", _("Staff note")
    EVENT = "event", _("Event")


class Experience(WorkspaceScopedModel):
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="experiences",
        help_text="Empty for an anonymous signal.",
    )
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiences",
        verbose_name=_("touchpoint"),
    )
    expectation = models.ForeignKey(
        "customers.Expectation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiences",
        help_text="The expectation this encounter is measured against, if known.",
    )
    occurred_at = models.DateTimeField(_("time"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    scale = models.CharField(_("scale"), max_length=8, choices=Scale.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    emotion = models.CharField(_("emotion"), max_length=10, choices=Emotion.choices)
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("experience")
        verbose_name_plural = _("experiences")
        indexes = [
            models.Index(fields=["workspace", "occurred_at"], name="experience_ws_time"),
            models.Index(fields=["customer", "occurred_at"], name="experience_customer_time"),
            models.Index(
                fields=["workspace", "touchpoint", "occurred_at"], name="experience_ws_touchpoint"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | ~models.Q(scale=""),
                name="experience_score_has_scale",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.occurred_at:%Y-%m-%d} {self.outcome}"
