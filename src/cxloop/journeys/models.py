"""Journeys, their ordered stages and the touchpoints where customers meet the company."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.core.scoping import WorkspaceScopedModel


class Channel(models.TextChoices):
    """Where a touchpoint happens; conversations and feedback use the same names."""

    SITE = "site", _("Website")
    APP = "app", _("Mobile app")
    EMAIL = "email", _("Email")
    WEB_CHAT = "web_chat", _("Web chat")
    PHONE = "phone", _("Phone")
    SOCIAL = "social", _("Social media")
    REVIEW_SITE = "review_site", _("Review site")
    IN_STORE = "in_store", _("In store")
    DELIVERY = "delivery", _("Delivery")
    PACKAGE = "package", _("Package")
    OTHER = "other", _("Other")


class Journey(WorkspaceScopedModel):
    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Purchase journey")
        ONBOARDING = "onboarding", _("100-day onboarding")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PURCHASE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="journey_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Stage(WorkspaceScopedModel):
    """One step of a journey (discover → choose → buy → receive → use → get help → return).

    ``day_from``/``day_to`` place the stage on the lifecycle clock where that matters: the stages
    of the 100-day onboarding journey cover days 0–100 after the first purchase.
    """

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"))
    description = models.TextField(_("description"), blank=True)
    day_from = models.PositiveSmallIntegerField(_("from day"), null=True, blank=True)
    day_to = models.PositiveSmallIntegerField(_("to day"), null=True, blank=True)

    class Meta:
        ordering = ["journey", "position"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["journey", "position"], name="stage_unique_position")
        ]

    def __str__(self) -> str:
        return self.name


class Touchpoint(WorkspaceScopedModel):
    """A place where the customer meets the company, owned by one department."""

    stage = models.ForeignKey(
        Stage, on_delete=models.SET_NULL, null=True, blank=True, related_name="touchpoints"
    )
    name = models.CharField(_("name"), max_length=160)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.OTHER
    )
    owner_department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="touchpoints",
        verbose_name=_("owner department"),
    )
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["stage__position", "position", "name"]
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="touchpoint_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
