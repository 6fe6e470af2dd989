"""Tables of the loop app: cases (closed-loop follow-up of negative signals), their timeline and
in-app notifications; below the marker, improvements and the CX goal.

A *case* is the work of getting back to a customer after a negative signal. The rules (what opens
one, who owns it, when it is due, which transitions are allowed) live in ``cases.py``; the tables
only hold the invariants a database can keep: at most one open case per customer and dedupe key,
and an overdue notice at most once per case and person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.core.scoping import WorkspaceScopedModel


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    RESOLVED = "resolved", _("Resolved")
    WONT_FIX = "wont_fix", _("Won't fix")


OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.CONTACTED)


class CaseSettings(WorkspaceScopedModel):
    """How a workspace closes the loop: one row each, created with defaults on first use.

    The standard deadline is the feedback setting "hours until we contact an unhappy customer"
    (``FeedbackSettings.detractor_contact_hours``, 48 by default); this row holds the faster
    deadline for prosecutors with a high lifetime value and what "high" means.
    """

    high_value_contact_hours = models.PositiveSmallIntegerField(
        _("hours until we contact a high-value prosecutor"), default=24
    )
    high_value_top_percent = models.PositiveSmallIntegerField(
        _("high value: top percent of customers by spend"),
        default=20,
        help_text=_("A customer whose lifetime spend is in this top share counts as high value."),
    )
    email_overdue = models.BooleanField(
        _("email overdue notices"),
        default=True,
        help_text=_("Besides the in-app notice, when email is configured."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case settings")
        verbose_name_plural = _("case settings")
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="loop_case_settings_one_per_ws")
        ]

    def __str__(self) -> str:
        return f"case settings of workspace {self.workspace_id}"


class Case(WorkspaceScopedModel):
    """Follow-up of a negative signal for one customer.

    ``dedupe_key`` says what the case is about: ``topic:<key>`` when the signal's text had been
    analysed and carries a topic, else ``touchpoint:<id>``, else ``none``. The partial unique
    constraint keeps one *open* case per customer and key, so two signals arriving at once cannot
    open two cases; the later signal is attached to the open case instead.
    """

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="cases"
    )
    experience = models.ForeignKey(
        "experiences.Experience",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The negative signal that opened the case.",
    )
    dedupe_key = models.CharField(_("about"), max_length=80)
    topic = models.ForeignKey(
        "insights.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("touchpoint"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    opened_at = models.DateTimeField(_("opened"))
    due_at = models.DateTimeField(_("due"))
    high_value = models.BooleanField(
        _("high value"), default=False, help_text="Why the deadline is the shorter one."
    )
    contacted_at = models.DateTimeField(_("contacted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    stance_before = models.CharField(_("stance at opening"), max_length=16, blank=True)
    stance_after = models.CharField(_("stance at closing"), max_length=16, blank=True)
    resolution = models.TextField(_("what we did"), blank=True)
    goodwill_value = models.DecimalField(
        _("goodwill value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    goodwill_currency = models.CharField(_("currency"), max_length=3, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    signal_count = models.PositiveIntegerField(_("signals"), default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "customer", "dedupe_key"],
                condition=models.Q(status__in=["new", "contacted"]),
                name="loop_case_one_open_per_key",
            ),
            models.CheckConstraint(
                condition=models.Q(goodwill_value__isnull=True) | ~models.Q(goodwill_currency=""),
                name="loop_case_goodwill_has_currency",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "due_at"], name="loop_case_ws_status_due"),
            models.Index(fields=["workspace", "owner", "status"], name="loop_case_ws_owner"),
            models.Index(fields=["customer", "opened_at"], name="loop_case_customer"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.customer_id} {self.dedupe_key} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseEvent(WorkspaceScopedModel):
    """One row per state change of a case, written in the same transaction as the change.

    The case page's timeline and the customer's 360 timeline read these rows.
    """

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        SIGNAL = "signal", _("Another signal")
        ASSIGNED = "assigned", _("Owner assigned")
        STATUS = "status", _("Status changed")
        NOTE = "note", _("Note")
        OVERDUE = "overdue", _("Overdue notice sent")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="case_events"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=10, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=CaseStatus.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The new owner, for an assignment.",
    )
    experience = models.ForeignKey(
        "experiences.Experience",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [
            models.Index(fields=["case", "created_at"], name="loop_case_event_case"),
            models.Index(fields=["customer", "created_at"], name="loop_case_event_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of case {self.case_id}"


class Notification(WorkspaceScopedModel):
    """An in-app notice to one person (an overdue case today); read when they open it."""

    class Kind(models.TextChoices):
        CASE_OVERDUE = "case_overdue", _("Case overdue")
        CASE_ASSIGNED = "case_assigned", _("Case assigned")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="loop_notifications"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user", "kind"],
                condition=models.Q(kind="case_overdue"),
                name="loop_notification_overdue_once",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "user", "read_at"], name="loop_notification_unread")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


# --- improvements ---
