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


class Stance(models.TextChoices):
    """The customer's current relation to the company (NPS detractor / passive / promoter)."""

    PROSECUTOR = "prosecutor", _("Prosecutor")
    NEUTRAL = "neutral", _("Neutral")
    ADVOCATE = "advocate", _("Advocate")


class LifecyclePhase(models.TextChoices):
    """Where the customer is in their life with the company; rules in ``lifecycle.py``."""

    PROSPECT = "prospect", _("Prospect")
    ONBOARDING = "onboarding", _("Onboarding (first 100 days)")
    ACTIVE = "active", _("Active")
    LAPSED = "lapsed", _("Lapsed")


# Customers who have had an experience: stance is blank until the first one (``services.py``).
# ``stance > ''`` rather than ``NOT stance = ''``: PostgreSQL proves that ``stance = 'advocate'``
# implies it, so a stance filter can use the partial indexes below.
HAS_STANCE = models.Q(stance__gt="")


class Customer(WorkspaceScopedModel):
    """A person or company who buys from the workspace.

    Every index costs each imported row its maintenance, so the table keeps only those a page or
    a lookup uses (listed in ``Meta.indexes``); the foreign keys get no single-column index of
    their own: every composite index starts with the workspace, and a segment's customers are
    found through ``customer_ws_segment``.
    """

    workspace = models.ForeignKey(
        "accounts.Workspace",
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_index=False,
    )
    external_id = models.CharField(_("external id"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGES, default="uk")
    segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        db_index=False,
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    consent_email = models.BooleanField(_("agrees to email"), default=False)
    first_purchase_at = models.DateTimeField(_("first purchase"), null=True, blank=True)
    last_purchase_at = models.DateTimeField(_("last purchase"), null=True, blank=True)
    lifecycle_phase = models.CharField(
        _("lifecycle phase"),
        max_length=16,
        choices=LifecyclePhase.choices,
        default=LifecyclePhase.PROSPECT,
    )
    stance = models.CharField(_("stance"), max_length=16, choices=Stance.choices, blank=True)
    stance_changed_at = models.DateTimeField(_("stance since"), null=True, blank=True)
    last_experience_at = models.DateTimeField(_("last experience"), null=True, blank=True)
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
        # Who uses each (bench/customer_pages.py prints the plans at 1M customers): the list by
        # name (ws_name); the list filtered by segment, stance, lifecycle phase, last experience
        # (ws_segment, ws_stance, ws_lifecycle, ws_last_experience) and by the three at once
        # (ws_stance_phase_seg); the unique constraint serves the upsert by external id and the
        # external id search. On PostgreSQL, a trigram index serves the text search (0007).
        #
        # The stance and last-experience indexes are partial: they hold only customers who have
        # had an experience. An imported customer has none, so a million-row import does not pay
        # for three index insertions per row (bench/import_customers.py), and the filters they
        # serve ("prosecutors", "within 30 days") never match such a customer. "No stance yet" and
        # "never" match most customers of a workspace; the name index serves them (the planner
        # walks it and filters).
        indexes = [
            models.Index(fields=["workspace", "name", "id"], name="customer_ws_name"),
            models.Index(fields=["workspace", "segment", "name"], name="customer_ws_segment"),
            models.Index(
                fields=["workspace", "stance", "name"],
                name="customer_ws_stance",
                condition=HAS_STANCE,
            ),
            # Stance, phase and segment at once: the count and the first page are one range of
            # this index (small: B-tree deduplication folds the many equal keys).
            models.Index(
                fields=["workspace", "stance", "lifecycle_phase", "segment", "name"],
                name="customer_ws_stance_phase_seg",
                condition=HAS_STANCE,
            ),
            models.Index(
                fields=["workspace", "lifecycle_phase", "name"], name="customer_ws_lifecycle"
            ),
            models.Index(
                fields=["workspace", "last_experience_at"],
                name="customer_ws_last_experience",
                condition=models.Q(last_experience_at__isnull=False),
            ),
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


class StanceChange(WorkspaceScopedModel):
    """One row per change of a customer's stance: the history behind "recovered a prosecutor"."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="stance_changes")
    from_stance = models.CharField(max_length=16, choices=Stance.choices, blank=True)
    to_stance = models.CharField(max_length=16, choices=Stance.choices, blank=True)
    changed_at = models.DateTimeField(_("changed"))
    experience = models.ForeignKey(
        "experiences.Experience",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The experience that caused the change, if one did.",
    )
    rule = models.CharField(_("rule"), max_length=200, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("stance change")
        verbose_name_plural = _("stance changes")
        indexes = [
            models.Index(fields=["customer", "changed_at"], name="stance_change_customer"),
            models.Index(fields=["workspace", "changed_at"], name="stance_change_ws_time"),
        ]

    def __str__(self) -> str:
        return f"{self.from_stance or '—'} → {self.to_stance or '—'}"


class Expectation(WorkspaceScopedModel):
    """What a customer wants and waits for.

    *General* expectations hold for a segment or at a touchpoint ("delivery within 2 days");
    *individual* ones are written down for one customer ("prefers to meet in person").
    """

    class Kind(models.TextChoices):
        GENERAL = "general", _("General")
        INDIVIDUAL = "individual", _("Individual")

    class Source(models.TextChoices):
        STAFF = "staff", _("Noted by staff")
        CUSTOMER = "customer", _("Said by the customer")
        SURVEY = "survey", _("Survey")
        RESEARCH = "research", _("Market research")
        IMPORT = "import", _("Import")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.CharField(_("expectation"), max_length=500)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="expectations"
    )
    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, null=True, blank=True, related_name="expectations"
    )
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="expectations",
    )
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.STAFF
    )
    noted_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    noted_on = models.DateField(_("noted on"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-noted_on", "-id"]
        verbose_name = _("expectation")
        verbose_name_plural = _("expectations")
        constraints = [
            models.CheckConstraint(
                name="expectation_individual_has_customer",
                condition=(
                    models.Q(kind="individual", customer__isnull=False)
                    | models.Q(kind="general", customer__isnull=True)
                    & (models.Q(segment__isnull=False) | models.Q(touchpoint__isnull=False))
                ),
            )
        ]

    def __str__(self) -> str:
        return self.text


class WowPlanItem(WorkspaceScopedModel):
    """One step of a customer's WOW plan: what we will do to exceed their expectations."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="wow_plan")
    expectation = models.ForeignKey(
        Expectation, on_delete=models.SET_NULL, null=True, blank=True, related_name="wow_steps"
    )
    action = models.CharField(_("what we will do"), max_length=500)
    owner = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done"), null=True, blank=True)
    produced_wow = models.BooleanField(_("produced a WOW"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_on", "due_on", "id"]
        verbose_name = _("WOW plan step")
        verbose_name_plural = _("WOW plan steps")
        indexes = [models.Index(fields=["workspace", "due_on"], name="wow_plan_ws_due")]

    def __str__(self) -> str:
        return self.action


class ImportRun(WorkspaceScopedModel):
    """One import of a customers or orders file: what was asked, how far it got, what it found.

    ``draft`` waits for a person to confirm the column mapping; ``queued`` waits for a worker (or
    runs inline at once when the file is small); ``running`` moves ``rows_processed`` batch by
    batch; ``done`` and ``failed`` are final. The uploaded file and the bad-row report live under
    ``VAR_DIR/imports`` with random names (``stored_name``, ``report_name``); the name the person
    gave the file (``file_name``) is only ever shown, never used as a path.
    """

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        ORDERS = "orders", _("Orders")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Waiting for the column mapping")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    mapping = models.JSONField(
        _("column mapping"),
        default=list,
        blank=True,
        help_text="One {column, field} per column of the file; field '' skips the column.",
    )
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_processed = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    bad_count = models.PositiveIntegerField(_("bad rows"), default=0)
    report_name = models.CharField(max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(
        max_length=8, blank=True, help_text="Language of the person who started it, for reasons."
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["workspace", "created_at"], name="import_run_ws_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int | None:
        if not self.rows_total:
            return None
        return min(100, round(100 * self.rows_processed / self.rows_total))
