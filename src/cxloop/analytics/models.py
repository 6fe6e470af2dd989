"""analytics tables."""

from django.db import models  # noqa: F401


# --- experiments ---
# A/B experiments (cxloop.analytics.experiments): the definition only; results are computed from
# the experience ledger and the orders each time they are shown, never stored.
from django.conf import settings as _settings  # noqa: E402
from django.utils.translation import gettext_lazy as _x  # noqa: E402

from cxloop.core.scoping import WorkspaceScopedModel as _Scoped  # noqa: E402


class ExperimentMetric(models.TextChoices):
    NPS = "nps", _x("NPS")
    CSAT = "csat", _x("CSAT (% satisfied)")
    CES = "ces", _x("CES (mean ease)")
    WOW_RATE = "wow_rate", _x("WOW rate")
    NEGATIVE_SHARE = "negative_share", _x("Negative share")
    REPEAT_PURCHASE = "repeat_purchase", _x("Repeat-purchase rate")
    ORDER_VALUE = "order_value", _x("Average order value")


class Experiment(_Scoped):
    """Two or more variants of a process or message, who gets which, and how to judge them.

    ``assignment`` says how customers land in variants: ``hash`` (a deterministic hash of the
    experiment and customer ids, split by the variants' weights; optionally only customers of
    ``eligible_segment``), ``segment`` (each variant is one segment) or ``list`` (explicit
    external ids, stored as :class:`ExperimentAssignment` rows). ``design`` is ``fixed``
    (one two-sided test at the planned sample size) or ``sequential`` (an always-valid mSPRT
    that may be read at any time). ``minimum_detectable_effect`` is absolute, in the metric's
    unit (percentage points for rates, NPS points, the mean's unit).
    """

    class Assignment(models.TextChoices):
        HASH = "hash", _x("Deterministic hash by weights")
        SEGMENT = "segment", _x("One segment per variant")
        LIST = "list", _x("Explicit list of customers")

    class Design(models.TextChoices):
        FIXED = "fixed", _x("Fixed horizon (two-sided test, planned sample size)")
        SEQUENTIAL = "sequential", _x("Sequential (always-valid mSPRT, read any time)")

    name = models.CharField(_x("name"), max_length=160)
    hypothesis = models.TextField(_x("hypothesis"), blank=True)
    metric = models.CharField(_x("metric"), max_length=20, choices=ExperimentMetric.choices)
    assignment = models.CharField(
        _x("assignment"), max_length=10, choices=Assignment.choices, default=Assignment.HASH
    )
    eligible_segment = models.ForeignKey(
        "customers.Segment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_x("only customers of segment"),
    )
    design = models.CharField(
        _x("design"), max_length=10, choices=Design.choices, default=Design.FIXED
    )
    starts_on = models.DateField(_x("starts"))
    ends_on = models.DateField(_x("ends"))
    minimum_detectable_effect = models.FloatField(_x("minimum detectable effect"))
    baseline = models.FloatField(_x("baseline"), null=True, blank=True)
    created_by = models.ForeignKey(
        _settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _x("experiment")
        verbose_name_plural = _x("experiments")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="experiment_unique_name"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="experiment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_detectable_effect__gt=0), name="experiment_mde_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Variant(_Scoped):
    """One arm of an experiment; exactly one per experiment is the control (position 0)."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(_x("name"), max_length=120)
    position = models.PositiveSmallIntegerField()
    weight = models.PositiveSmallIntegerField(_x("weight"), default=1)
    segment = models.ForeignKey(
        "customers.Segment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["experiment", "position"]
        verbose_name = _x("variant")
        verbose_name_plural = _x("variants")
        constraints = [
            models.UniqueConstraint(fields=["experiment", "name"], name="variant_unique_name"),
            models.UniqueConstraint(
                fields=["experiment", "position"], name="variant_unique_position"
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="variant_weight_pos"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_control(self) -> bool:
        return self.position == 0


class ExperimentAssignment(_Scoped):
    """An explicit "this customer is in this variant" row (assignment ``list``)."""

    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="assignments"
    )
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="assignments")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _x("experiment assignment")
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "customer"], name="experiment_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.variant_id}"
