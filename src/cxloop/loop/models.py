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
    signal_at = models.DateTimeField(
        _("signal time"), help_text="When the opening signal happened (recovery is measured after)."
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
# Improvements, the weekly grid and the CX goal (see ``improvements.py``, ``grid.py``, ``goal.py``).


class Process(WorkspaceScopedModel):
    """A process the company runs (delivery, packaging, site search, payments, returns…).

    The weekly grid has one row per active process, grouped by ``department``; the rule it shows is
    "one improvement per process per week". New workspaces get the default list
    (``improvements.DEFAULT_PROCESSES``), editable afterwards.
    """

    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="loop_process_key_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ImprovementStatus(models.TextChoices):
    IDEA = "idea", _("Idea")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    SHIPPED = "shipped", _("Shipped")


class Improvement(WorkspaceScopedModel):
    """A change to one process, owned by a department, linked to the signals that asked for it.

    ``shipped_on`` is set exactly when the status is ``shipped`` (a check constraint keeps it so);
    the grid places the improvement in that date's ISO week, and its effect is measured around it.
    ``customer_message`` is what changed in the customers' words, ``{language: text}``, used by the
    "you said, we did" email. Its process and department cannot be deleted while it exists
    (RESTRICT, not PROTECT, so deleting the whole workspace still cascades).
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    process = models.ForeignKey(
        Process, on_delete=models.RESTRICT, related_name="improvements", verbose_name=_("process")
    )
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.RESTRICT,
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
        _("status"),
        max_length=12,
        choices=ImprovementStatus.choices,
        default=ImprovementStatus.IDEA,
    )
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    shipped_on = models.DateField(_("shipped on"), null=True, blank=True)
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("touchpoint"),
        help_text=_("Where the effect is measured."),
    )
    topics = models.ManyToManyField(
        "insights.Topic", blank=True, related_name="+", verbose_name=_("topics")
    )
    experiences = models.ManyToManyField(
        "experiences.Experience", blank=True, related_name="+", verbose_name=_("signals")
    )
    cases = models.ManyToManyField(Case, blank=True, related_name="+", verbose_name=_("cases"))
    customer_message = models.JSONField(_("message to customers"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("improvement")
        verbose_name_plural = _("improvements")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="shipped", shipped_on__isnull=False)
                    | (~models.Q(status="shipped") & models.Q(shipped_on__isnull=True))
                ),
                name="loop_improvement_shipped_has_date",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "status"], name="loop_improvement_ws_status"),
            models.Index(fields=["workspace", "shipped_on"], name="loop_improvement_ws_shipped"),
        ]

    def __str__(self) -> str:
        return self.title


class ImprovementEvent(WorkspaceScopedModel):
    """One row per change of an improvement, written in the same transaction as the change."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        STATUS = "status", _("Status changed")
        LINKED = "linked", _("Signals linked")
        NOTIFIED = "notified", _("Customers told")

    improvement = models.ForeignKey(Improvement, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=ImprovementStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ImprovementStatus.choices, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("improvement event")
        verbose_name_plural = _("improvement events")
        indexes = [
            models.Index(fields=["improvement", "created_at"], name="loop_improvement_event_imp")
        ]

    def __str__(self) -> str:
        return f"{self.kind} of improvement {self.improvement_id}"


class CxGoal(WorkspaceScopedModel):
    """The workspace's one CX goal: a short statement, the atmosphere wanted, target metrics."""

    statement = models.TextField(_("our goal"), blank=True)
    atmosphere = models.TextField(_("the atmosphere we want"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("CX goal")
        verbose_name_plural = _("CX goals")
        constraints = [models.UniqueConstraint(fields=["workspace"], name="loop_goal_one_per_ws")]

    def __str__(self) -> str:
        return self.statement[:60]


class GoalTarget(WorkspaceScopedModel):
    """A target metric of the goal: ``metric`` ``comparison`` ``value`` by ``due_on``."""

    class Metric(models.TextChoices):
        NPS = "nps", _("NPS")
        CSAT = "csat", _("CSAT (average, 1–5)")
        CES = "ces", _("CES (average, 1–7)")
        WOW_RATE = "wow_rate", _("WOW rate, %")
        NEGATIVE_SHARE = "negative_share", _("Share negative, %")

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", "≥"
        AT_MOST = "lte", "≤"

    goal = models.ForeignKey(CxGoal, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices)
    comparison = models.CharField(
        _("comparison"), max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    value = models.DecimalField(_("target value"), max_digits=7, decimal_places=2)
    due_on = models.DateField(_("by"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "due_on", "id"]
        verbose_name = _("goal target")
        verbose_name_plural = _("goal targets")

    def __str__(self) -> str:
        return f"{self.metric} {self.get_comparison_display()} {self.value} by {self.due_on}"


class YouSaidTemplate(WorkspaceScopedModel):
    """The workspace's "you said, we did" email in one language, as the manager edited it.

    Placeholders: ``{name}`` (the customer), ``{change}`` (the improvement's message to
    customers), ``{workspace}``. Without a row the built-in text of ``you_said.DEFAULT_COPY``
    is used.
    """

    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language"]
        verbose_name = _("you said, we did template")
        verbose_name_plural = _("you said, we did templates")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "language"], name="loop_you_said_template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.subject}"


class YouSaidNotification(WorkspaceScopedModel):
    """One customer told (or, with ``skipped_reason``, not told) about one shipped improvement.

    The unique constraint makes "at most once per improvement per customer" structural; sending
    claims the row with a compare-and-set on ``sent_at`` (see ``you_said.send_notification``).
    """

    improvement = models.ForeignKey(
        Improvement, on_delete=models.CASCADE, related_name="notifications"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="you_said_notifications"
    )
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped_reason = models.CharField(max_length=20, blank=True)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("you said, we did email")
        verbose_name_plural = _("you said, we did emails")
        constraints = [
            models.UniqueConstraint(
                fields=["improvement", "customer"], name="loop_you_said_once_per_customer"
            )
        ]
        indexes = [
            models.Index(fields=["customer", "sent_at"], name="loop_you_said_customer_sent"),
        ]

    def __str__(self) -> str:
        return f"improvement {self.improvement_id} → customer {self.customer_id}"
