"""A/B experiments: defining them, assigning customers, and judging variants honestly.

Unit of analysis. Customers are randomised, so each customer counts once: an observation is the
customer's *first* encounter in the experiment's window (their first survey answer on the metric's
scale, their first experience, or their first order). Observations of one customer are therefore
never counted twice, and each enters the data at a fixed time, which the sequential test needs.

Statistics (two-sided, α = 0.05; with k > 2 variants each of the k − 1 comparisons with the
control uses α / (k − 1), Bonferroni):

- rates (CSAT % satisfied, WOW rate, negative share, repeat-purchase rate): two-proportion z-test
  with the pooled proportion under H0; the uplift's interval is the unpooled Wald interval; each
  variant's own interval is Wilson's score interval.
- NPS: each answer is an indicator +1 (promoter, 9–10), 0 (passive), −1 (detractor, 0–6); NPS is
  100 × its mean and its variance is p₊ + p₋ − (p₊ − p₋)². The difference is tested with a z-test
  on the two indicator variances.
- means (CES on 1–7, order value): Welch's t-test with Welch–Satterthwaite degrees of freedom.

Planned sample size (fixed horizon, power 0.8), per variant:

- rates: Fleiss (1981), *Statistical Methods for Rates and Proportions*, eq. 3.14 without the
  continuity correction: n = [z₁₋α/₂·√(2p̄q̄) + z₁₋β·√(p₁q₁ + p₂q₂)]² / δ².
- means and NPS: n = 2·(z₁₋α/₂ + z₁₋β)²·σ² / δ² (Cohen's d = 0.5 gives 63).

Sequential design: the mixture sequential probability ratio test (mSPRT) with a normal mixture
N(0, τ²) over the difference, from Johari, Koomen, Pekelis & Walsh, "Peeking at A/B Tests"
(KDD 2017) and "Always Valid Inference" (Operations Research 70(3), 2022). With the difference
estimate Δ̂ and its variance v = σ₁²/n₁ + σ₂²/n₂,

    Λ = √(v / (v + τ²)) · exp(τ²·Δ̂² / (2·v·(v + τ²)))

and the test stops (significant) the first time Λ ≥ 1/α. The always-valid p-value is the running
minimum of 1/Λ; the confidence sequence is Δ̂ ± √(v(v+τ²)/τ² · (2·ln(1/α) + ln((v+τ²)/v))). It may
be read after every new observation without inflating false positives. τ is the minimum
detectable effect; variances are plug-in estimates, as in the papers' practical version.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import NormalDist

from django.db import transaction
from django.utils import timezone
from scipy import stats as scipy_stats

from cxloop.customers.models import Customer, Segment

from . import stats
from .models import Experiment, ExperimentAssignment, ExperimentMetric, Variant
from .stats import pooled_z, welch, z_quantile

ALPHA = 0.05
POWER = 0.8
_NORMAL = NormalDist()

# How each metric is analysed: its test family and the factor from the internal unit to the one
# people read (fractions → %, NPS indicator mean → points).
RATE_METRICS = {
    ExperimentMetric.CSAT,
    ExperimentMetric.WOW_RATE,
    ExperimentMetric.NEGATIVE_SHARE,
    ExperimentMetric.REPEAT_PURCHASE,
}
MEAN_METRICS = {ExperimentMetric.CES, ExperimentMetric.ORDER_VALUE}
LOWER_IS_BETTER = {ExperimentMetric.NEGATIVE_SHARE}


def display_scale(metric: str) -> float:
    return 1.0 if metric in MEAN_METRICS else 100.0


# --- statistics -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One variant's observations summarised: size, mean and variance.

    For rates and NPS the variance is the population variance of the 0/1 (or −1/0/+1)
    indicator, as the z-tests use it; for means it is the sample variance (n − 1).
    """

    n: int
    mean: float
    variance: float

    @classmethod
    def of(cls, values: Sequence[float], *, kind: str) -> Sample:
        n = len(values)
        if n == 0:
            return cls(0, math.nan, math.nan)
        mean = math.fsum(values) / n
        squares = math.fsum((v - mean) ** 2 for v in values)
        if kind == "mean":
            return cls(n, mean, squares / (n - 1) if n > 1 else math.nan)
        return cls(n, mean, squares / n)


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Comparison:
    """Treatment − control: the difference, its interval, and the test that judged it."""

    difference: float
    low: float
    high: float
    statistic: float
    p_value: float
    test: str
    df: float | None = None

    def significant(self, alpha: float) -> bool:
        return self.p_value < alpha


def wilson_interval(successes: int, n: int, alpha: float = ALPHA) -> Interval:
    """Wilson's score interval for one proportion (honest at small n, unlike Wald), as
    fractions: ``stats.wilson`` in this module's units."""
    interval = stats.wilson(successes, n, alpha)
    return Interval(successes / n, interval.low / 100, interval.high / 100)


def mean_interval(sample: Sample, alpha: float = ALPHA) -> Interval:
    """Student's t interval for one mean (the indicator's normal interval for NPS)."""
    half = scipy_stats.t.ppf(1 - alpha / 2, sample.n - 1) * math.sqrt(sample.variance / sample.n)
    return Interval(sample.mean, sample.mean - half, sample.mean + half)


def normal_interval(sample: Sample, alpha: float = ALPHA) -> Interval:
    half = z_quantile(alpha) * math.sqrt(sample.variance / sample.n)
    return Interval(sample.mean, sample.mean - half, sample.mean + half)


def two_proportion_z_test(x1: int, n1: int, x2: int, n2: int, alpha: float = ALPHA) -> Comparison:
    """Is p₂ − p₁ zero? Pooled standard error under H0, unpooled Wald interval for the gap."""
    p1, p2 = x1 / n1, x2 / n2
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    diff = p2 - p1
    z = pooled_z(x2, n2, x1, n1) or 0.0
    half = z_quantile(alpha) * se
    return Comparison(diff, diff - half, diff + half, z, 2 * _NORMAL.cdf(-abs(z)), "z")


def indicator_z_test(control: Sample, treatment: Sample, alpha: float = ALPHA) -> Comparison:
    """NPS difference: z-test on the two indicator means with their own variances."""
    se = math.sqrt(control.variance / control.n + treatment.variance / treatment.n)
    diff = treatment.mean - control.mean
    z = diff / se if se > 0 else 0.0
    half = z_quantile(alpha) * se
    return Comparison(diff, diff - half, diff + half, z, 2 * _NORMAL.cdf(-abs(z)), "z-nps")


def welch_t_test(control: Sample, treatment: Sample, alpha: float = ALPHA) -> Comparison:
    """Welch's unequal-variance t-test with Welch–Satterthwaite degrees of freedom."""
    result = welch(
        treatment.mean,
        treatment.variance,
        treatment.n,
        control.mean,
        control.variance,
        control.n,
        alpha,
    )
    if result is None:
        diff = treatment.mean - control.mean
        return Comparison(diff, diff, diff, 0.0, 1.0, "welch", None)
    d, half = result.diff, result.half
    return Comparison(d, d - half, d + half, result.t, result.p_value, "welch", float(result.df))


def sample_size_proportions(
    p1: float, p2: float, alpha: float = ALPHA, power: float = POWER
) -> int:
    """Per-variant n to tell p₁ from p₂ (Fleiss 1981, eq. 3.14, no continuity correction)."""
    za, zb = z_quantile(alpha), _NORMAL.inv_cdf(power)
    mean = (p1 + p2) / 2
    top = za * math.sqrt(2 * mean * (1 - mean)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(top * top / (p2 - p1) ** 2)


def sample_size_means(sd: float, delta: float, alpha: float = ALPHA, power: float = POWER) -> int:
    """Per-variant n for a difference ``delta`` of means with standard deviation ``sd``."""
    za, zb = z_quantile(alpha), _NORMAL.inv_cdf(power)
    return math.ceil(2 * (za + zb) ** 2 * sd * sd / (delta * delta))


@dataclass(frozen=True)
class SequentialLook:
    likelihood_ratio: float
    low: float
    high: float


def msprt(diff: float, variance: float, tau: float, alpha: float = ALPHA) -> SequentialLook:
    """The normal-mixture mSPRT statistic Λ and the confidence sequence at one look."""
    tau2 = tau * tau
    log_ratio = 0.5 * math.log(variance / (variance + tau2)) + tau2 * diff * diff / (
        2 * variance * (variance + tau2)
    )
    half = math.sqrt(
        variance
        * (variance + tau2)
        / tau2
        * (2 * math.log(1 / alpha) + math.log((variance + tau2) / variance))
    )
    return SequentialLook(math.exp(min(log_ratio, 700.0)), diff - half, diff + half)


# --- assignment -------------------------------------------------------------------------------


def hash_bucket(experiment_id: int, customer_id: int) -> float:
    """A uniform number in [0, 1) fixed by the pair: the same customer always gets it."""
    digest = hashlib.sha256(f"cxloop-experiment:{experiment_id}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def hashed_variant(experiment_id: int, customer_id: int, variants: Sequence[Variant]) -> Variant:
    """The variant a customer falls in, by cumulative weights over the hash bucket."""
    total = sum(v.weight for v in variants)
    point = hash_bucket(experiment_id, customer_id) * total
    upto = 0
    for variant in variants:
        upto += variant.weight
        if point < upto:
            return variant
    return variants[-1]


# --- definition -------------------------------------------------------------------------------


class ExperimentInvalid(ValueError):
    """The definition cannot be saved; ``field`` names the form field the sentence belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class VariantSpec:
    name: str
    weight: int = 1
    segment: Segment | None = None


@transaction.atomic
def create_experiment(
    workspace: object,
    *,
    name: str,
    metric: str,
    starts_on: date,
    ends_on: date,
    minimum_detectable_effect: float,
    variants: Sequence[VariantSpec],
    hypothesis: str = "",
    design: str = Experiment.Design.FIXED,
    assignment: str = Experiment.Assignment.HASH,
    eligible_segment: Segment | None = None,
    baseline: float | None = None,
    members: Sequence[tuple[str, str]] = (),
    created_by: object | None = None,
) -> Experiment:
    """Save an experiment with its variants (the first is the control) and explicit members.

    ``members`` are ``(external_id, variant name)`` pairs, used by the ``list`` assignment.
    """
    from django.utils.translation import gettext as _

    if len(variants) < 2:
        raise ExperimentInvalid(_("An experiment needs at least two variants."), "variants")
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise ExperimentInvalid(_("Variant names must differ."), "variants")
    if ends_on < starts_on:
        raise ExperimentInvalid(_("The end must not be before the start."), "ends_on")
    if minimum_detectable_effect <= 0:
        raise ExperimentInvalid(
            _("The minimum detectable effect must be above zero."), "minimum_detectable_effect"
        )
    if Experiment.objects.filter(name=name).exists():
        raise ExperimentInvalid(_("An experiment with this name exists."), "name")
    if assignment == Experiment.Assignment.SEGMENT and any(v.segment is None for v in variants):
        raise ExperimentInvalid(_("Name a segment for every variant."), "variants")
    if assignment == Experiment.Assignment.LIST and not members:
        raise ExperimentInvalid(_("List the customers of each variant."), "members")
    experiment = Experiment.objects.create(
        name=name,
        hypothesis=hypothesis,
        metric=metric,
        assignment=assignment,
        eligible_segment=eligible_segment if assignment == Experiment.Assignment.HASH else None,
        design=design,
        starts_on=starts_on,
        ends_on=ends_on,
        minimum_detectable_effect=minimum_detectable_effect,
        baseline=baseline,
        created_by=created_by,
    )
    saved = Variant.objects.bulk_create(
        Variant(
            experiment=experiment,
            name=spec.name,
            position=position,
            weight=spec.weight,
            segment=spec.segment if assignment == Experiment.Assignment.SEGMENT else None,
        )
        for position, spec in enumerate(variants)
    )
    if assignment == Experiment.Assignment.LIST:
        _assign_members(experiment, {v.name: v for v in saved}, members)
    return experiment


def _assign_members(
    experiment: Experiment, variants: dict[str, Variant], members: Sequence[tuple[str, str]]
) -> None:
    from django.utils.translation import gettext as _

    unknown_variants = sorted({name for _id, name in members if name not in variants})
    if unknown_variants:
        raise ExperimentInvalid(
            _("No variant is called: %(names)s.") % {"names": ", ".join(unknown_variants[:5])},
            "members",
        )
    wanted: dict[str, str] = {}
    for external_id, variant_name in members:
        if wanted.setdefault(external_id, variant_name) != variant_name:
            raise ExperimentInvalid(
                _("Customer %(id)s is listed in two variants.") % {"id": external_id}, "members"
            )
    ids = dict(
        Customer.objects.filter(external_id__in=list(wanted)).values_list("external_id", "pk")
    )
    missing = [external_id for external_id in wanted if external_id not in ids]
    if missing:
        raise ExperimentInvalid(
            _("%(count)s external ids match no customer, e.g. %(ids)s.")
            % {"count": len(missing), "ids": ", ".join(missing[:5])},
            "members",
        )
    ExperimentAssignment.objects.bulk_create(
        (
            ExperimentAssignment(
                experiment=experiment, variant=variants[name], customer_id=ids[external_id]
            )
            for external_id, name in wanted.items()
        ),
        batch_size=2000,
    )


def update_experiment(experiment: Experiment, **changes: object) -> Experiment:
    """Change what may change while it runs: name, hypothesis, end, effect, baseline.

    Variants and who is in them stay fixed: moving customers midway would invalidate the test.
    """
    from django.utils.translation import gettext as _

    allowed = {"name", "hypothesis", "ends_on", "minimum_detectable_effect", "baseline"}
    unknown = set(changes) - allowed
    if unknown:
        raise ExperimentInvalid(f"Cannot change {', '.join(sorted(unknown))}.")
    if (
        "name" in changes
        and Experiment.objects.filter(name=changes["name"]).exclude(pk=experiment.pk).exists()
    ):
        raise ExperimentInvalid(_("An experiment with this name exists."), "name")
    ends_on = changes.get("ends_on", experiment.ends_on)
    if ends_on < experiment.starts_on:
        raise ExperimentInvalid(_("The end must not be before the start."), "ends_on")
    for key, value in changes.items():
        setattr(experiment, key, value)
    experiment.save()
    return experiment


def window(experiment: Experiment) -> tuple[datetime, datetime]:
    """[start of the first day, start of the day after the last) in the current time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(experiment.starts_on, time.min, tzinfo=zone)
    end = datetime.combine(experiment.ends_on + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def status(experiment: Experiment, today: date | None = None) -> str:
    today = today or timezone.localdate()
    if today < experiment.starts_on:
        return "planned"
    return "running" if today <= experiment.ends_on else "ended"


@dataclass
class VariantResult:
    variant: Variant
    sample: Sample
    estimate: Interval | None  # display units
    comparison: Comparison | None = None  # display units; None for the control
    planned_n: int | None = None
    verdict: str = ""
    stopped_on: date | None = None
    always_valid_p: float | None = None

    @property
    def still_needed(self) -> int | None:
        if self.planned_n is None:
            return None
        return max(self.planned_n - self.sample.n, 0)


@dataclass
class ExperimentResults:
    experiment: Experiment
    status: str
    alpha: float
    test: str
    variants: list[VariantResult] = field(default_factory=list)
    baseline: float | None = None  # display units
    baseline_source: str = ""
    sequential_looks: int = 0


# --- results ----------------------------------------------------------------------------------

BASELINE_DAYS = 90  # the pre-period that estimates the baseline and the spread for planning
MIN_FOR_BASELINE = 30


def metric_kind(metric: str) -> str:
    if metric == ExperimentMetric.NPS:
        return "nps"
    return "mean" if metric in MEAN_METRICS else "rate"


class _Sums:
    """Running n, Σx and Σx² of one variant, so a look at any moment costs nothing."""

    __slots__ = ("n", "s", "ss")

    def __init__(self) -> None:
        self.n, self.s, self.ss = 0, 0.0, 0.0

    def add(self, value: float) -> None:
        self.n += 1
        self.s += value
        self.ss += value * value

    def raise_from_zero(self, value: float) -> None:
        self.s += value
        self.ss += value * value

    def sample(self, kind: str) -> Sample:
        if self.n == 0:
            return Sample(0, math.nan, math.nan)
        mean = self.s / self.n
        squares = max(self.ss - self.n * mean * mean, 0.0)
        if kind == "mean":
            return Sample(self.n, mean, squares / (self.n - 1) if self.n > 1 else math.nan)
        return Sample(self.n, mean, squares / self.n)


def compare(kind: str, control: Sample, treatment: Sample, alpha: float) -> Comparison | None:
    """The fixed-horizon test for the metric's kind, or None while it cannot be computed."""
    if control.n < 2 or treatment.n < 2:
        return None
    if kind == "rate":
        return two_proportion_z_test(
            round(control.mean * control.n),
            control.n,
            round(treatment.mean * treatment.n),
            treatment.n,
            alpha,
        )
    if kind == "nps":
        return indicator_z_test(control, treatment, alpha)
    return welch_t_test(control, treatment, alpha)


def own_interval(kind: str, sample: Sample, alpha: float = ALPHA) -> Interval | None:
    if sample.n == 0 or (kind == "mean" and sample.n < 2):
        return None
    if kind == "rate":
        return wilson_interval(round(sample.mean * sample.n), sample.n, alpha)
    if kind == "nps":
        return normal_interval(sample, alpha)
    return mean_interval(sample, alpha)


def planned_sample_size(
    kind: str, baseline: float, spread: float | None, effect: float, alpha: float
) -> int | None:
    """Per-variant n for the fixed horizon; ``baseline`` and ``effect`` in internal units."""
    if kind == "rate":
        target = baseline + effect if baseline + effect < 1 else baseline - effect
        if not 0 < baseline < 1 or not 0 <= target <= 1:
            return None
        return sample_size_proportions(baseline, target, alpha)
    if spread is None or not spread > 0:
        return None
    return sample_size_means(spread, effect, alpha)


def _scaled(comparison: Comparison, factor: float) -> Comparison:
    return Comparison(
        comparison.difference * factor,
        comparison.low * factor,
        comparison.high * factor,
        comparison.statistic,
        comparison.p_value,
        comparison.test,
        comparison.df,
    )


def _scaled_interval(interval: Interval | None, factor: float) -> Interval | None:
    if interval is None:
        return None
    return Interval(interval.value * factor, interval.low * factor, interval.high * factor)


def _variant_finder(experiment: Experiment, variants: list[Variant]):
    if experiment.assignment == Experiment.Assignment.LIST:
        from .experiment_selectors import assignment_map

        by_id = {v.pk: v for v in variants}
        members = assignment_map(experiment)
        return lambda o: by_id.get(members.get(o.customer_id))
    if experiment.assignment == Experiment.Assignment.SEGMENT:
        by_segment = {v.segment_id: v for v in variants}
        return lambda o: by_segment.get(o.segment_id)
    return lambda o: hashed_variant(experiment.pk, o.customer_id, variants)


def _baseline(
    experiment: Experiment, kind: str, start: datetime, control: Sample
) -> tuple[float | None, float | None, str]:
    """(baseline, spread, where from) in internal units: the user's, the pre-period, the control."""
    from .experiment_selectors import observations

    before = _Sums()
    for observation in observations(
        experiment.metric, start - timedelta(days=BASELINE_DAYS), start, experiment
    ):
        before.add(observation.value)
    pre = before.sample(kind)
    source, reference = "", None
    if pre.n >= MIN_FOR_BASELINE:
        source, reference = "pre_period", pre
    elif control.n >= MIN_FOR_BASELINE:
        source, reference = "control", control
    spread = math.sqrt(reference.variance) if reference is not None else None
    if experiment.baseline is not None:
        return experiment.baseline / display_scale(experiment.metric), spread, "given"
    if reference is None:
        return None, None, ""
    return reference.mean, spread, source


def experiment_results(experiment: Experiment, now: datetime | None = None) -> ExperimentResults:
    """Every variant's metric, its uplift over the control and the verdict of the design's test.

    Fixed horizon: a verdict only once the planned sample is reached (or the experiment ended:
    then marked underpowered if it fell short), because deciding earlier inflates false
    positives. Sequential: the mSPRT is evaluated at the end of every day of the window; the
    first day Λ ≥ 1/α stops it, and the always-valid p-value is the running minimum of 1/Λ.
    """
    from .experiment_selectors import observations

    now = now or timezone.now()
    variants = sorted(experiment.variants.all(), key=lambda v: v.position)
    kind = metric_kind(experiment.metric)
    factor = display_scale(experiment.metric)
    alpha = ALPHA / max(len(variants) - 1, 1)
    start, end = window(experiment)
    until = min(now, end)
    sequential = experiment.design == Experiment.Design.SEQUENTIAL
    results = ExperimentResults(
        experiment=experiment,
        status=status(experiment, timezone.localdate(now)),
        alpha=alpha,
        test=("msprt" if sequential else {"rate": "z", "nps": "z-nps", "mean": "welch"}[kind]),
    )
    sums = {v.pk: _Sums() for v in variants}
    events: list[tuple[datetime, int, int, float]] = []
    if until > start:
        find = _variant_finder(experiment, variants)
        for observation in observations(experiment.metric, start, until, experiment):
            variant = find(observation)
            if variant is None:
                continue
            late = observation.changes_at is not None
            events.append(
                (observation.entered_at, 0, variant.pk, 0.0 if late else observation.value)
            )
            if late:
                events.append((observation.changes_at, 1, variant.pk, observation.value))
        events.sort(key=lambda e: (e[0], e[1]))
    tau = experiment.minimum_detectable_effect / factor
    control = variants[0]
    stopped: dict[int, date] = {}
    best_p: dict[int, float] = {v.pk: 1.0 for v in variants[1:]}
    looks = 0
    cutoff = start + timedelta(days=1)
    index = 0
    while True:
        look_at = min(cutoff, until)
        while index < len(events) and events[index][0] < look_at:
            _at, change, variant_id, value = events[index]
            if change:
                sums[variant_id].raise_from_zero(value)
            else:
                sums[variant_id].add(value)
            index += 1
        if sequential:
            looks += 1
            base = sums[control.pk].sample(kind)
            for variant in variants[1:]:
                look = _sequential_look(kind, base, sums[variant.pk].sample(kind), tau, alpha)
                if look is None:
                    continue
                best_p[variant.pk] = min(best_p[variant.pk], 1 / max(look.likelihood_ratio, 1.0))
                if look.likelihood_ratio >= 1 / alpha and variant.pk not in stopped:
                    stopped[variant.pk] = (look_at - timedelta(microseconds=1)).date()
        if look_at >= until or until <= start:
            break
        cutoff += timedelta(days=1)
    results.sequential_looks = looks
    samples = {v.pk: sums[v.pk].sample(kind) for v in variants}
    baseline, spread, results.baseline_source = _baseline(
        experiment, kind, start, samples[control.pk]
    )
    results.baseline = None if baseline is None else baseline * factor
    planned = None
    if baseline is not None and not sequential:
        planned = planned_sample_size(kind, baseline, spread, tau, alpha)
    for variant in variants:
        sample = samples[variant.pk]
        row = VariantResult(
            variant=variant,
            sample=sample,
            estimate=_scaled_interval(own_interval(kind, sample), factor),
            planned_n=planned,
        )
        if variant.pk != control.pk:
            _judge(row, kind, samples[control.pk], results, tau, stopped, best_p, factor)
        results.variants.append(row)
    return results


def _sequential_look(
    kind: str, control: Sample, treatment: Sample, tau: float, alpha: float
) -> SequentialLook | None:
    if control.n < 2 or treatment.n < 2:
        return None
    variance = control.variance / control.n + treatment.variance / treatment.n
    if not variance > 0:
        return None
    return msprt(treatment.mean - control.mean, variance, tau, alpha)


def _judge(
    row: VariantResult,
    kind: str,
    control: Sample,
    results: ExperimentResults,
    tau: float,
    stopped: dict[int, date],
    best_p: dict[int, float],
    factor: float,
) -> None:
    alpha = results.alpha
    comparison = compare(kind, control, row.sample, alpha)
    if comparison is None:
        row.verdict = "no_data"
        return
    if results.experiment.design == Experiment.Design.SEQUENTIAL:
        look = _sequential_look(kind, control, row.sample, tau, alpha)
        row.always_valid_p = best_p[row.variant.pk]
        row.stopped_on = stopped.get(row.variant.pk)
        if look is not None:
            comparison = Comparison(
                comparison.difference,
                look.low,
                look.high,
                look.likelihood_ratio,
                row.always_valid_p,
                "msprt",
            )
        row.comparison = _scaled(comparison, factor)
        if row.stopped_on is not None:
            row.verdict = "significant"
        else:
            row.verdict = "noise" if results.status == "ended" else "collecting"
        return
    row.comparison = _scaled(comparison, factor)
    reached = row.planned_n is not None and min(row.sample.n, control.n) >= row.planned_n
    if not reached and results.status != "ended":
        row.verdict = "collecting"
    else:
        row.verdict = "significant" if comparison.significant(alpha) else "noise"


def is_better(metric: str, difference: float) -> bool:
    return difference < 0 if metric in LOWER_IS_BETTER else difference > 0
