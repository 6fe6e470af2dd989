"""The effect of an improvement: its metrics for N weeks before and after the ship date.

Which experiences count: those at the improvement's touchpoint when it has one, else those whose
text was analysed as being about one of its topics. *Before* is ``[ship − N weeks, ship)``, *after*
is ``[ship, ship + N weeks)`` cut at today, so a recent improvement is compared on the days it has
had (the volume test accounts for the shorter exposure; the others compare shares and means).

Each metric names its test, and a difference is called significant when the two-sided p-value is
below 0.05 (95% confidence):

- **share negative** = negative experiences / all experiences: the two-proportion z-test with the
  pooled proportion, ``z = (p₂ − p₁) / √(p̂(1 − p̂)(1/n₁ + 1/n₂))``, ``p = erfc(|z| / √2)``;
- **NPS** = mean of +100 (promoter, 9–10), 0 (passive, 7–8), −100 (detractor, 0–6) per answer,
  and **CSAT** = mean score (1–5): Welch's t-test (unequal variances, Welch–Satterthwaite degrees
  of freedom);
- **complaint volume** = negative experiences per week: the exact conditional test for two Poisson
  rates: given ``k = k₁ + k₂`` complaints, ``k₂ ~ Binomial(k, t₂ / (t₁ + t₂))`` under "no change",
  ``t`` being each period's length; the p-value is the two-sided binomial test's.

No test is run when a period has too little data (no experiences, fewer than two answers, no
variance); the page then says so instead of printing a p-value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cxloop.analytics.stats import pooled_z, welch
from cxloop.experiences.models import Experience
from cxloop.experiences.scoring import Emotion, Scale

from .models import Improvement

DEFAULT_WEEKS = 6
MAX_WEEKS = 26
ALPHA = 0.05

TEST_Z = _("two-proportion z-test")
TEST_WELCH = _("Welch's t-test")
TEST_POISSON = _("exact conditional test of two Poisson rates (binomial)")


@dataclass(frozen=True)
class TestResult:
    statistic: float | None  # z or t; None for the exact test
    p_value: float

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> TestResult | None:
    """Pooled two-proportion z-test of x₁/n₁ against x₂/n₂ (two-sided); None when undefined."""
    if n1 == 0 or n2 == 0:
        return None
    z = pooled_z(x2, n2, x1, n1)
    if z is None:
        return None
    return TestResult(z, math.erfc(abs(z) / math.sqrt(2)))


@dataclass(frozen=True)
class Moments:
    """n, mean and sample variance (n − 1 in the denominator) of a sample."""

    n: int
    mean: float | None
    variance: float | None

    @classmethod
    def of(cls, counts: dict[float, int]) -> Moments:
        n = sum(counts.values())
        if n == 0:
            return cls(0, None, None)
        mean = sum(v * c for v, c in counts.items()) / n
        if n < 2:
            return cls(n, mean, None)
        variance = sum(c * (v - mean) ** 2 for v, c in counts.items()) / (n - 1)
        return cls(n, mean, variance)


def welch_t(a: Moments, b: Moments) -> TestResult | None:
    """Welch's unequal-variances t-test of b's mean against a's (two-sided)."""
    if a.n < 2 or b.n < 2 or a.variance is None or b.variance is None:
        return None
    result = welch(b.mean, b.variance, b.n, a.mean, a.variance, a.n)  # type: ignore[arg-type]
    if result is None:
        return None
    return TestResult(result.t, result.p_value)


def poisson_rates(k1: int, t1: float, k2: int, t2: float) -> TestResult | None:
    """Exact conditional test that k₁ events in time t₁ and k₂ in t₂ share one rate."""
    if t1 <= 0 or t2 <= 0 or k1 + k2 == 0:
        return None
    from scipy.stats import binomtest

    return TestResult(None, float(binomtest(k2, k1 + k2, t2 / (t1 + t2)).pvalue))


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    experiences: int
    negative: int
    nps: Moments
    csat: Moments

    @property
    def weeks(self) -> float:
        return (self.end - self.start).days / 7

    @property
    def negative_share(self) -> float | None:
        return 100 * self.negative / self.experiences if self.experiences else None

    @property
    def complaints_per_week(self) -> float | None:
        return self.negative / self.weeks if self.weeks > 0 else None


@dataclass(frozen=True)
class Comparison:
    key: str
    label: str
    unit: str
    before: float | None
    after: float | None
    test_name: str
    result: TestResult | None
    lower_is_better: bool

    @property
    def difference(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def better(self) -> bool | None:
        """True when the change is significant and in the good direction."""
        if self.result is None or not self.result.significant or not self.difference:
            return None
        return (self.difference < 0) == self.lower_is_better


@dataclass(frozen=True)
class WeekPoint:
    monday: date
    experiences: int
    negative: int
    after: bool

    @property
    def negative_share(self) -> float | None:
        return 100 * self.negative / self.experiences if self.experiences else None


@dataclass
class Effect:
    improvement: Improvement
    weeks: int
    scope: str  # "touchpoint" | "topics" | ""
    scope_name: str
    before: Period | None = None
    after: Period | None = None
    comparisons: list[Comparison] = field(default_factory=list)
    series: list[WeekPoint] = field(default_factory=list)

    @property
    def measurable(self) -> bool:
        return self.before is not None and self.after is not None


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


def _nps_value(score: int) -> float:
    return 100.0 if score >= 9 else -100.0 if score <= 6 else 0.0


def experiences_in_scope(improvement: Improvement):
    """The experiences whose metrics the improvement should move, and how that scope is named."""
    if improvement.touchpoint_id:
        return (
            Experience.objects.filter(touchpoint_id=improvement.touchpoint_id),
            "touchpoint",
            improvement.touchpoint.name,
        )
    topics = list(improvement.topics.all())
    if topics:
        return (
            Experience.objects.filter(analysis__topics__in=[t.pk for t in topics]).distinct(),
            "topics",
            ", ".join(t.name for t in topics),
        )
    return None, "", ""


def measure(
    improvement: Improvement, *, weeks: int = DEFAULT_WEEKS, today: date | None = None
) -> Effect:
    """Before/after metrics of a shipped improvement (an empty :class:`Effect` otherwise)."""
    weeks = max(1, min(MAX_WEEKS, weeks))
    found, scope, scope_name = experiences_in_scope(improvement)
    effect = Effect(improvement, weeks, scope, scope_name)
    if improvement.shipped_on is None or found is None:
        return effect
    today = today or timezone.localdate()
    ship = improvement.shipped_on
    start = ship - timedelta(weeks=weeks)
    end = min(ship + timedelta(weeks=weeks), today + timedelta(days=1))
    rows = found.filter(occurred_at__gte=_midnight(start), occurred_at__lt=_midnight(end))
    by_period: dict[bool, dict] = {
        flag: {"n": 0, "neg": 0, "nps": {}, "csat": {}} for flag in (False, True)
    }
    weekly: dict[int, list[int]] = {}
    # Two grouped queries whatever the volume, bucketed by week with plain comparisons on
    # ``occurred_at`` (no per-row date function, which SQLite would run in Python): experiences per
    # week and emotion (at most 2N·3 rows), and scored answers per week, scale and score.
    # Count(distinct) for a topic scope, which joins each experience once per matching topic.
    total_weeks = math.ceil((end - start).days / 7)
    week = Case(
        *[
            When(occurred_at__lt=_midnight(start + timedelta(weeks=n + 1)), then=Value(n))
            for n in range(total_weeks - 1)
        ],
        default=Value(total_weeks - 1),
        output_field=IntegerField(),
    )
    per_week = (
        rows.annotate(week=week)
        .values("week", "emotion")
        .annotate(n=Count("id", distinct=scope == "topics"))
        .order_by()
    )
    for row in per_week:
        n = row["n"]
        negative = n if row["emotion"] == Emotion.NEGATIVE else 0
        bucket = by_period[row["week"] >= weeks]
        bucket["n"] += n
        bucket["neg"] += negative
        counts = weekly.setdefault(row["week"], [0, 0])
        counts[0] += n
        counts[1] += negative
    scored = (
        rows.filter(score__isnull=False, scale__in=[Scale.NPS, Scale.CSAT])
        .annotate(week=week)
        .values("week", "scale", "score")
        .annotate(n=Count("id", distinct=scope == "topics"))
        .order_by()
    )
    for row in scored:
        bucket = by_period[row["week"] >= weeks]
        if row["scale"] == Scale.NPS:
            value, key = _nps_value(row["score"]), "nps"
        else:
            value, key = float(row["score"]), "csat"
        bucket[key][value] = bucket[key].get(value, 0) + row["n"]

    def period(after: bool, first: date, last: date) -> Period:
        b = by_period[after]
        return Period(first, last, b["n"], b["neg"], Moments.of(b["nps"]), Moments.of(b["csat"]))

    effect.before = period(False, start, ship)
    effect.after = period(True, ship, max(end, ship))
    if effect.after.end <= effect.after.start:
        effect.after = None
        return effect
    before, after = effect.before, effect.after
    effect.comparisons = [
        Comparison(
            "negative_share",
            str(_("Share negative")),
            "%",
            before.negative_share,
            after.negative_share,
            str(TEST_Z),
            two_proportion_z(
                before.negative, before.experiences, after.negative, after.experiences
            ),
            lower_is_better=True,
        ),
        Comparison(
            "complaints",
            str(_("Complaints per week")),
            "",
            before.complaints_per_week,
            after.complaints_per_week,
            str(TEST_POISSON),
            poisson_rates(before.negative, before.weeks, after.negative, after.weeks),
            lower_is_better=True,
        ),
    ]
    for key, label, before_m, after_m in (
        ("nps", _("NPS"), before.nps, after.nps),
        ("csat", _("CSAT"), before.csat, after.csat),
    ):
        if before_m.n or after_m.n:
            effect.comparisons.append(
                Comparison(
                    key,
                    str(label),
                    "",
                    before_m.mean,
                    after_m.mean,
                    str(TEST_WELCH),
                    welch_t(before_m, after_m),
                    lower_is_better=False,
                )
            )
    for index in range(total_weeks):
        monday = start + timedelta(weeks=index)
        n, negative = weekly.get(index, [0, 0])
        effect.series.append(WeekPoint(monday, n, negative, after=monday >= ship))
    return effect
