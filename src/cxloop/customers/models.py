"""Customers, their orders and the segments they fall into."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.core.scoping import WorkspaceScopedModel

LANGUAGES = [("uk", "Українська"), ("ru", "Русский"), ("en", "English")]


class Segment(WorkspaceScopedModel):
    """A group of customers who expect alike (a persona): who they are and what moves them."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="segment_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Customer(WorkspaceScopedModel):
    external_id = models.CharField(_("external id"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGES, default="uk")
    segment = models.ForeignKey(
        Segment, on_delete=models.SET_NULL, null=True, blank=True, related_name="customers"
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    consent_email = models.BooleanField(_("agrees to email"), default=False)
    first_purchase_at = models.DateTimeField(_("first purchase"), null=True, blank=True)
    last_purchase_at = models.DateTimeField(_("last purchase"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="customer_unique_external_id"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "name"], name="customer_ws_name"),
            models.Index(fields=["workspace", "email"], name="customer_ws_email"),
        ]

    def __str__(self) -> str:
        return self.name


class Order(WorkspaceScopedModel):
    class Status(models.TextChoices):
        PLACED = "placed", _("Placed")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    external_id = models.CharField(_("external id"), max_length=100)
    placed_at = models.DateTimeField(_("placed"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="UAH")
    items = models.JSONField(_("items"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLACED
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"], name="order_unique_external_id"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "placed_at"], name="order_ws_placed"),
            models.Index(fields=["customer", "placed_at"], name="order_customer_placed"),
        ]

    def __str__(self) -> str:
        return self.external_id
