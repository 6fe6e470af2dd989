"""The CX metrics: one small runner per metric, its formula in its docstring and its help text.

A runner turns *sums* into a :class:`MetricValue` (value, answers, 95% interval, "small group"
flag). Sums come from the daily rollups for the ledger metrics (``models.RollupCounts``), from the
customers for the stance mix and from the survey invitations for the response rate
(``selectors.py`` gathers them), so the dashboard, the API and the export share one code path and
one definition. The same runner says which raw answers it counts (``population``), how they split
into buckets for the drill-down (``buckets``: the rows behind "detractors") and what one answer
is worth (``per_answer``, whose mean is the metric: the key-driver analysis uses it).

``MIN_N`` = 30: below that many answers a value is shown as a "small group", not as a fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal

from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.expressions import Expression
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cxloop.customers.models import Stance
from cxloop.experiences.scoring import Emotion, Outcome, Scale

from . import stats

MIN_N = 30

Sums = Mapping[str, float]
Source = Literal["ledger", "customers", "invitations"]


@dataclass(frozen=True)
class MetricValue:
    """One number as the analytics show it.

    ``moe`` is the 95% margin (±), ``low``/``high`` the interval; all three are None when not
    defined (no answers, or one). ``small`` is True below :data:`MIN_N` answers.
    """

    value: float | None
    n: int
    moe: float | None
    low: float | None
    high: float | None
    small: bool

    @classmethod
    def of(cls, interval: stats.Interval, n: int) -> MetricValue:
        return cls(
            value=interval.estimate,
            n=n,
            moe=interval.margin,
            low=interval.low,
            high=interval.high,
            small=n < MIN_N,
        )


class Metric:
    key: ClassVar[str]
    label: ClassVar[Promise]
    help_text: ClassVar[Promise]
    unit: ClassVar[str]  # "points" (NPS, −100…+100), "%" or "score" (a mean on its scale)
    source: ClassVar[Source] = "ledger"
    measures: ClassVar[tuple[str, ...]]
    kind: ClassVar[Literal["nps", "proportion", "mean"]]
    # Which raw experiences count, how they split for the drill-down, what one answer is worth.
    population: ClassVar[Q] = Q()
    buckets: ClassVar[dict[str, Q]] = {}

    def n(self, sums: Sums) -> int:
        raise NotImplementedError

    def interval(self, sums: Sums) -> stats.Interval:
        raise NotImplementedError

    def difference(self, a: Sums, b: Sums) -> stats.Difference:
        raise NotImplementedError

    def per_answer(self) -> Expression | None:
        """The value of one raw answer whose mean over answers is the metric (None if none)."""
        return None

    def value(self, sums: Sums) -> MetricValue:
        return MetricValue.of(self.interval(sums), self.n(sums))


class _Proportion(Metric):
    """A share of successes among a count, in percent, with Wilson's interval."""

    kind = "proportion"
    successes: ClassVar[str]
    total: ClassVar[str]
    success: ClassVar[Q]

    @property
    def measures(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.successes, self.total)

    def n(self, sums: Sums) -> int:
        return int(sums.get(self.total) or 0)

    def counts(self, sums: Sums) -> tuple[int, int]:
        return int(sums.get(self.successes) or 0), self.n(sums)

    def interval(self, sums: Sums) -> stats.Interval:
        return stats.wilson(*self.counts(sums))

    def difference(self, a: Sums, b: Sums) -> stats.Difference:
        return stats.proportion_difference(self.counts(a), self.counts(b))

    def per_answer(self) -> Expression | None:
        return Case(
            When(self.success, then=Value(100.0)), default=Value(0.0), output_field=FloatField()
        )


class NPS(Metric):
    """Net Promoter Score = % promoters (9–10) − % detractors (0–6) of the 0–10 answers.

    From −100 to +100. Margin of error at 95%: ``1.96 · √(var / n) · 100`` with
    ``var = p + d − (p − d)²``, the variance of the per-answer indicator (+1 promoter, 0 passive,
    −1 detractor); p and d are the shares of promoters and detractors.
    """

    key = "nps"
    label = _("NPS")
    help_text = _(
        "Net Promoter Score = share of promoters (9–10) − share of detractors (0–6) among the "
        "answers on the 0–10 scale, in points from −100 to +100. ± is the margin of error at 95%: "
        "1.96 × √(var / n) × 100, where var = p + d − (p − d)² is the variance of the promoter "
        "(+1) / passive (0) / detractor (−1) indicator."
    )
    unit = "points"
    kind = "nps"
    measures = ("nps_promoters", "nps_detractors", "nps_n")
    population = Q(scale=Scale.NPS, score__isnull=False)
    buckets = {
        "promoter": Q(score__gte=9),
        "passive": Q(score__gte=7, score__lte=8),
        "detractor": Q(score__lte=6),
    }

    def counts(self, sums: Sums) -> tuple[int, int, int]:
        return (
            int(sums.get("nps_promoters") or 0),
            int(sums.get("nps_detractors") or 0),
            int(sums.get("nps_n") or 0),
        )

    def n(self, sums: Sums) -> int:
        return self.counts(sums)[2]

    def interval(self, sums: Sums) -> stats.Interval:
        return stats.nps_interval(*self.counts(sums))

    def difference(self, a: Sums, b: Sums) -> stats.Difference:
        return stats.nps_difference(self.counts(a), self.counts(b))

    def per_answer(self) -> Expression:
        return Case(
            When(score__gte=9, then=Value(100.0)),
            When(score__lte=6, then=Value(-100.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )


class CSAT(_Proportion):
    """CSAT = % of answers on the 1–5 scale that are 4 or 5 ("satisfied" or "very satisfied")."""

    key = "csat"
    label = _("CSAT")
    help_text = _(
        "Customer satisfaction = share of the answers on the 1–5 scale that are 4 or 5. ± is the "
        "Wilson interval at 95%."
    )
    unit = "%"
    successes, total = "csat_satisfied", "csat_n"
    population = Q(scale=Scale.CSAT, score__isnull=False)
    success = Q(score__gte=4)
    buckets = {"satisfied": Q(score__gte=4), "unsatisfied": Q(score__lte=3)}


class CES(Metric):
    """CES = the mean of the answers on the 1–7 "how easy was it" scale (7 = very easy).

    Higher is better. Interval: Student's t at 95% from the answers' sample variance.
    """

    key = "ces"
    label = _("CES")
    help_text = _(
        "Customer effort score = the mean answer to “how easy was it?” on the 1–7 scale "
        "(7 = very easy; higher is better). ± is the 95% t interval of the mean."
    )
    unit = "score"
    kind = "mean"
    measures = ("ces_n", "ces_sum", "ces_sum_sq")
    population = Q(scale=Scale.CES, score__isnull=False)
    buckets = {"easy": Q(score__gte=5), "not_easy": Q(score__lte=4)}

    def sample(self, sums: Sums) -> stats.MeanSums:
        return stats.MeanSums(
            n=int(sums.get("ces_n") or 0),
            total=float(sums.get("ces_sum") or 0),
            total_sq=float(sums.get("ces_sum_sq") or 0),
        )

    def n(self, sums: Sums) -> int:
        return self.sample(sums).n

    def interval(self, sums: Sums) -> stats.Interval:
        return stats.mean_interval(self.sample(sums))

    def difference(self, a: Sums, b: Sums) -> stats.Difference:
        return stats.mean_difference(self.sample(a), self.sample(b))

    def per_answer(self) -> Expression:
        return Case(When(score__isnull=False, then=F("score")), output_field=FloatField())


class CESEasy(_Proportion):
    """% easy = % of the CES answers (1–7) that are 5, 6 or 7."""

    key = "ces_easy"
    label = _("Share easy (CES)")
    help_text = _(
        "Share of answers to “how easy was it?” (1–7) that are 5, 6 or 7. ± is the 95% Wilson "
        "interval."
    )
    unit = "%"
    successes, total = "ces_easy", "ces_n"
    population = Q(scale=Scale.CES, score__isnull=False)
    success = Q(score__gte=5)
    buckets = {"easy": Q(score__gte=5), "not_easy": Q(score__lte=4)}


class WowRate(_Proportion):
    """WOW rate = % of all experiences (scored or not) whose outcome is ``exceeded``."""

    key = "wow_rate"
    label = _("WOW rate")
    help_text = _(
        "Share of all experiences — survey answers, reviews, mentions, notes — whose outcome "
        "exceeded the customer's expectation. ± is the 95% Wilson interval."
    )
    unit = "%"
    successes, total = "exceeded", "answers"
    success = Q(outcome=Outcome.EXCEEDED)
    buckets = {
        "exceeded": Q(outcome=Outcome.EXCEEDED),
        "met": Q(outcome=Outcome.MET),
        "below": Q(outcome=Outcome.BELOW),
    }


class NegativeShare(_Proportion):
    """Negative share = % of all experiences whose emotion is ``negative``."""

    key = "negative_share"
    label = _("Negative share")
    help_text = _(
        "Share of all experiences that left a negative emotion (expectation not met). ± is the "
        "95% Wilson interval."
    )
    unit = "%"
    successes, total = "negative", "answers"
    success = Q(emotion=Emotion.NEGATIVE)
    buckets = {
        "negative": Q(emotion=Emotion.NEGATIVE),
        "ok": Q(emotion=Emotion.OK),
        "wow": Q(emotion=Emotion.WOW),
    }


class _StanceShare(_Proportion):
    """Share of customers with a stance whose current stance is this one."""

    source = "customers"
    total = "stance_n"


class ProsecutorShare(_StanceShare):
    """Prosecutors = % of customers with a stance who are prosecutors (NPS detractor side)."""

    key = "prosecutors"
    label = _("Prosecutors")
    help_text = _(
        "Share of customers with a known stance who are prosecutors now (unhappy, warn others). "
        "± is the 95% Wilson interval."
    )
    unit = "%"
    successes = "prosecutors"
    success = Q(stance=Stance.PROSECUTOR)


class NeutralShare(_StanceShare):
    """Neutrals = % of customers with a stance who are neutral (met, forgotten at once)."""

    key = "neutrals"
    label = _("Neutrals")
    help_text = _(
        "Share of customers with a known stance who are neutral now: satisfied and forgotten at "
        "once. ± is the 95% Wilson interval."
    )
    unit = "%"
    successes = "neutrals"
    success = Q(stance=Stance.NEUTRAL)


class AdvocateShare(_StanceShare):
    """Advocates = % of customers with a stance who are advocates (return and recommend)."""

    key = "advocates"
    label = _("Advocates")
    help_text = _(
        "Share of customers with a known stance who are advocates now: they return and "
        "recommend. ± is the 95% Wilson interval."
    )
    unit = "%"
    successes = "advocates"
    success = Q(stance=Stance.ADVOCATE)


class ResponseRate(_Proportion):
    """Response rate = survey invitations answered / invitations sent, in the period they were sent.

    An invitation counts as answered when its response is completed.
    """

    key = "response_rate"
    label = _("Survey response rate")
    help_text = _(
        "Survey invitations answered ÷ invitations sent, by the day they were sent. ± is the "
        "95% Wilson interval."
    )
    unit = "%"
    source = "invitations"
    successes, total = "answered", "sent"
    success = Q()


METRICS: dict[str, Metric] = {
    metric.key: metric
    for metric in (
        NPS(),
        CSAT(),
        CES(),
        CESEasy(),
        WowRate(),
        NegativeShare(),
        ProsecutorShare(),
        NeutralShare(),
        AdvocateShare(),
        ResponseRate(),
    )
}

STANCE_METRICS = ("prosecutors", "neutrals", "advocates")


class UnknownMetric(LookupError):
    def __init__(self, key: str) -> None:
        super().__init__(f"Unknown metric {key!r}; use one of {', '.join(METRICS)}.")


def get_metric(key: str) -> Metric:
    try:
        return METRICS[key]
    except KeyError:
        raise UnknownMetric(key) from None
