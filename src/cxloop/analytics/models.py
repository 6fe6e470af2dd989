"""analytics tables.

Rollups (``ExperienceDay``, ``ExperienceDayTouchpoint``): counts of the experience ledger per
workspace and day, maintained by :mod:`cxloop.analytics.rollups` so that a metric over two years
reads a few thousand rows instead of millions of answers. They hold no fact of their own: every
row is recomputed from ``experiences.Experience`` (``cxloop rebuild_rollups`` rebuilds them all).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _r

from cxloop.core.scoping import WorkspaceScopedModel as _RollupScoped


class RollupCounts(_RollupScoped):
    """The measures every rollup row carries: sums over the answers of one bucket.

    ``answers`` counts every experience (scored or not); outcome and emotion columns split it.
    ``nps_*`` count answers on the 0–10 scale (promoter 9–10, detractor 0–6); ``csat_*`` on 1–5
    (satisfied 4–5); ``ces_*`` on 1–7 (sum and sum of squares for the mean and its variance;
    easy 5–7). A metric is a formula over these sums (``metrics.py``).
    """

    day = models.DateField(_r("day"))
    answers = models.PositiveIntegerField(default=0)
    below = models.PositiveIntegerField(default=0)
    met = models.PositiveIntegerField(default=0)
    exceeded = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)
    ok = models.PositiveIntegerField(default=0)
    wow = models.PositiveIntegerField(default=0)
    nps_n = models.PositiveIntegerField(default=0)
    nps_promoters = models.PositiveIntegerField(default=0)
    nps_detractors = models.PositiveIntegerField(default=0)
    csat_n = models.PositiveIntegerField(default=0)
    csat_satisfied = models.PositiveIntegerField(default=0)
    ces_n = models.PositiveIntegerField(default=0)
    ces_sum = models.BigIntegerField(default=0)
    ces_sum_sq = models.BigIntegerField(default=0)
    ces_easy = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


MEASURES: tuple[str, ...] = (
    "answers",
    "below",
    "met",
    "exceeded",
    "negative",
    "ok",
    "wow",
    "nps_n",
    "nps_promoters",
    "nps_detractors",
    "csat_n",
    "csat_satisfied",
    "ces_n",
    "ces_sum",
    "ces_sum_sq",
    "ces_easy",
)


class ExperienceDay(RollupCounts):
    """The fine rollup: day × touchpoint × customer segment × language × source.

    Channel, journey stage and department are the touchpoint's, joined at read time, so moving a
    touchpoint to another stage or department needs no rollup change. ``segment`` is the
    customer's *current* segment (as a raw-row query would join it): a segment change of a
    customer recomputes the days of that customer's experiences. Deleting a touchpoint or a
    segment sets it to null here exactly as on the experiences and customers.
    """

    touchpoint = models.ForeignKey(
        "journeys.Touchpoint", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    segment = models.ForeignKey(
        "customers.Segment", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    language = models.CharField(max_length=8, blank=True)
    source = models.CharField(max_length=16)

    class Meta:
        verbose_name = _r("daily experience rollup")
        indexes = [models.Index(fields=["workspace", "day"], name="rollup_day_ws_day")]


class ExperienceDayTouchpoint(RollupCounts):
    """The coarse rollup: day × touchpoint, the sums of :class:`ExperienceDay` over the rest.

    About a hundred times smaller; it answers every slice that filters or groups only by time,
    touchpoint, channel, stage or department (the dashboard's usual questions).
    """

    touchpoint = models.ForeignKey(
        "journeys.Touchpoint", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _r("daily touchpoint rollup")
        indexes = [models.Index(fields=["workspace", "day"], name="rollup_tp_ws_day")]


class ExperienceDaySegment(RollupCounts):
    """The segment rollup: day × customer segment, the sums of :class:`ExperienceDay`.

    The dashboard's usual segment filter reads a few thousand rows here instead of the fine
    rollup's hundreds of thousands.
    """

    segment = models.ForeignKey(
        "customers.Segment", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _r("daily segment rollup")
        indexes = [models.Index(fields=["workspace", "day"], name="rollup_seg_ws_day")]


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

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="assignments")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="assignments")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _x("experiment assignment")
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "customer"], name="experiment_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.variant_id}"


# --- customer value ---
# Cohorts, KPIs, the lifetime-value model and the seeds' claims (cxloop.analytics.value_services):
# recomputed by ``cxloop refresh_clv`` and kept as one snapshot per run, plus each buyer's
# predictions, so the Customer value page and the customer 360 read a few rows at any scale.
from cxloop.core.scoping import WorkspaceScopedModel as _ValueScoped  # noqa: E402


class ValueSnapshot(_ValueScoped):
    """One run of ``refresh_clv``: what the Customer value page shows, as of ``as_of``.

    ``kpis``, ``cohorts`` and ``claims`` are the JSON forms of ``cohorts.ValueKpis``,
    ``cohorts.CohortTable`` and a list of ``claims.Claim``; ``model`` holds the fitted BG/NBD and
    Gamma-Gamma parameters with their fit checks, or the reason there is no fit.
    """

    as_of = models.DateTimeField(_x("as of"))
    computed_at = models.DateTimeField(_x("computed"), auto_now_add=True)
    seconds = models.FloatField(default=0)
    currency = models.CharField(max_length=3, blank=True)
    horizon_months = models.PositiveSmallIntegerField(default=12)
    monthly_discount = models.FloatField(default=0.01)
    kpis = models.JSONField(default=dict)
    cohorts = models.JSONField(default=dict)
    claims = models.JSONField(default=list)
    model = models.JSONField(default=dict)

    class Meta:
        verbose_name = _x("customer value snapshot")
        indexes = [models.Index(fields=["workspace", "-as_of"], name="value_snapshot_ws_asof")]


class CustomerValue(_ValueScoped):
    """A buyer's predictions from the latest fit (only customers with a purchase have one)."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="predicted_value"
    )
    repeat_purchases = models.PositiveIntegerField(default=0)
    spent = models.FloatField(default=0)  # historical value: every purchase so far
    probability_alive = models.FloatField()
    expected_purchases = models.FloatField()  # in the snapshot's horizon
    expected_spend = models.FloatField()  # per future purchase
    lifetime_value = models.FloatField()  # discounted, over the horizon
    as_of = models.DateTimeField()

    class Meta:
        verbose_name = _x("predicted customer value")
        indexes = [
            models.Index(fields=["workspace", "-lifetime_value"], name="customer_value_ws_clv")
        ]
