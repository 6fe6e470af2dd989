"""Read-side queries for journey maps: how each stage and touchpoint felt in a period.

Shares of an emotion are counted over the experiences recorded at a touchpoint in the period
``since <= occurred_at < until``. A stage's mix is the sum of its touchpoints' mixes, so a busy
touchpoint weighs more than a quiet one, as it does for customers. The *emotion curve* has one
point per stage, its net emotion::

    net = %WOW − %negative        (from −100, everybody left unhappy, to +100, all WOW)

Every function here runs a fixed number of queries, one GROUP BY per question, however many
stages and touchpoints a journey has.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, FloatField, Prefetch, Q, QuerySet, Window
from django.db.models.functions import Cast, RowNumber

from cxloop.customers.models import Expectation
from cxloop.experiences.models import Experience
from cxloop.experiences.scoring import Emotion
from cxloop.experiences.selectors import EmotionMix

from .models import Journey, Stage, Touchpoint

# A touchpoint needs this many experiences in the period before it can rank among the worst:
# with three answers one unhappy customer is 33%, which says more about chance than about the
# touchpoint.
MIN_EXPERIENCES_TO_RANK = 5
QUOTES_PER_TOUCHPOINT = 3
EMPTY_MIX = EmotionMix(0, 0, 0)


@dataclass(frozen=True)
class Shares:
    """Whole percentages of negative / OK / WOW that add up to exactly 100 (or all 0).

    Rounded by largest remainder, so a stacked bar is always full and the labels add up.
    """

    negative: int
    ok: int
    wow: int

    @classmethod
    def of(cls, mix: EmotionMix) -> Shares:
        if not mix.total:
            return cls(0, 0, 0)
        counts = (mix.negative, mix.ok, mix.wow)
        exact = [100 * n / mix.total for n in counts]
        whole = [int(x) for x in exact]
        by_remainder = sorted(range(3), key=lambda i: (whole[i] - exact[i], i))
        for i in by_remainder[: 100 - sum(whole)]:
            whole[i] += 1
        return cls(*whole)


def net_emotion(mix: EmotionMix) -> float | None:
    """%WOW − %negative, or None when nothing was recorded."""
    if not mix.total:
        return None
    return 100 * (mix.wow - mix.negative) / mix.total


def _add(a: EmotionMix, b: EmotionMix) -> EmotionMix:
    return EmotionMix(a.negative + b.negative, a.ok + b.ok, a.wow + b.wow)


@dataclass(frozen=True)
class TouchpointOnMap:
    touchpoint: Touchpoint
    mix: EmotionMix
    expectations: list[str] = field(default_factory=list)

    @property
    def shares(self) -> Shares:
        return Shares.of(self.mix)


@dataclass(frozen=True)
class StageOnMap:
    stage: Stage
    touchpoints: list[TouchpointOnMap]

    @property
    def mix(self) -> EmotionMix:
        total = EMPTY_MIX
        for point in self.touchpoints:
            total = _add(total, point.mix)
        return total

    @property
    def shares(self) -> Shares:
        return Shares.of(self.mix)

    @property
    def net(self) -> float | None:
        return net_emotion(self.mix)


@dataclass(frozen=True)
class JourneyMap:
    journey: Journey
    since: datetime
    until: datetime
    stages: list[StageOnMap]

    @property
    def total(self) -> int:
        return sum(stage.mix.total for stage in self.stages)

    @property
    def curve(self) -> list[float | None]:
        """The emotion curve: each stage's net emotion, left to right (None: no experiences)."""
        return [stage.net for stage in self.stages]


def _in_period(since: datetime, until: datetime) -> Q:
    return Q(occurred_at__gte=since, occurred_at__lt=until)


def emotion_mix_by_touchpoint(
    touchpoint_ids: list[int], since: datetime, until: datetime
) -> dict[int, EmotionMix]:
    """One GROUP BY over the ledger (index ``experience_ws_touchpoint``)."""
    rows = (
        Experience.objects.filter(_in_period(since, until), touchpoint_id__in=touchpoint_ids)
        .values("touchpoint_id")
        .annotate(
            negative=Count("id", filter=Q(emotion=Emotion.NEGATIVE)),
            ok=Count("id", filter=Q(emotion=Emotion.OK)),
            wow=Count("id", filter=Q(emotion=Emotion.WOW)),
        )
        .order_by()
    )
    return {r["touchpoint_id"]: EmotionMix(r["negative"], r["ok"], r["wow"]) for r in rows}


def general_expectations(touchpoint_ids: list[int]) -> dict[int, list[str]]:
    """The active general expectations at each touchpoint, newest first."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = (
        Expectation.objects.filter(
            kind=Expectation.Kind.GENERAL, active=True, touchpoint_id__in=touchpoint_ids
        )
        .order_by("-noted_on", "-id")
        .values_list("touchpoint_id", "text")
    )
    for touchpoint_id, expectation in rows:
        found[touchpoint_id].append(expectation)
    return found


def journey_stages(journey: Journey) -> list[Stage]:
    """The stages left to right, each with its touchpoints (and their owners) prefetched."""
    touchpoints = Touchpoint.objects.select_related("owner_department").order_by("position", "name")
    return list(
        journey.stages.order_by("position").prefetch_related(
            Prefetch("touchpoints", queryset=touchpoints)
        )
    )


def journey_map(journey: Journey, since: datetime, until: datetime) -> JourneyMap:
    stages = journey_stages(journey)
    ids = [point.pk for stage in stages for point in stage.touchpoints.all()]
    mixes = emotion_mix_by_touchpoint(ids, since, until) if ids else {}
    expectations = general_expectations(ids) if ids else {}
    return JourneyMap(
        journey=journey,
        since=since,
        until=until,
        stages=[
            StageOnMap(
                stage=stage,
                touchpoints=[
                    TouchpointOnMap(
                        touchpoint=point,
                        mix=mixes.get(point.pk, EMPTY_MIX),
                        expectations=expectations.get(point.pk, []),
                    )
                    for point in stage.touchpoints.all()
                ],
            )
            for stage in stages
        ],
    )


@dataclass(frozen=True)
class Quote:
    text: str
    language: str
    occurred_at: datetime


@dataclass(frozen=True)
class WorstTouchpoint:
    touchpoint: Touchpoint
    total: int
    negative: int
    quotes: list[Quote]  # the words customers used: the latest negative texts, newest first

    @property
    def negative_share(self) -> float:
        return self.negative / self.total

    @property
    def negative_pct(self) -> int:
        return round(100 * self.negative_share)


def worst_touchpoints(
    since: datetime,
    until: datetime,
    *,
    limit: int = 5,
    min_experiences: int = MIN_EXPERIENCES_TO_RANK,
    journey: Journey | None = None,
) -> list[WorstTouchpoint]:
    """Touchpoints by share of negative experiences, highest first, in three queries.

    Only touchpoints with at least ``min_experiences`` in the period and at least one negative
    one rank. Ties go to the touchpoint with more unhappy customers.
    """
    ledger = Experience.objects.filter(_in_period(since, until), touchpoint__isnull=False)
    if journey is not None:
        ledger = ledger.filter(touchpoint__stage__journey=journey)
    ranked = list(
        ledger.values("touchpoint_id")
        .annotate(total=Count("id"), negative=Count("id", filter=Q(emotion=Emotion.NEGATIVE)))
        .filter(total__gte=min_experiences, negative__gt=0)
        .annotate(share=Cast("negative", FloatField()) / Cast("total", FloatField()))
        .order_by("-share", "-negative", "touchpoint_id")[:limit]
    )
    if not ranked:
        return []
    ids = [row["touchpoint_id"] for row in ranked]
    touchpoints = Touchpoint.objects.select_related("stage__journey", "owner_department").in_bulk(
        ids
    )
    quotes = _latest_negative_words(ids, since, until)
    return [
        WorstTouchpoint(
            touchpoint=touchpoints[row["touchpoint_id"]],
            total=row["total"],
            negative=row["negative"],
            quotes=quotes.get(row["touchpoint_id"], []),
        )
        for row in ranked
    ]


def _latest_negative_words(
    touchpoint_ids: list[int], since: datetime, until: datetime
) -> dict[int, list[Quote]]:
    """Up to three newest negative texts per touchpoint, in one windowed query."""
    rows = (
        Experience.objects.filter(
            _in_period(since, until), touchpoint_id__in=touchpoint_ids, emotion=Emotion.NEGATIVE
        )
        .exclude(text="")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("touchpoint_id")],
                order_by=[F("occurred_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=QUOTES_PER_TOUCHPOINT)
        .order_by("touchpoint_id", "rank")
        .values_list("touchpoint_id", "text", "language", "occurred_at")
    )
    found: dict[int, list[Quote]] = defaultdict(list)
    for touchpoint_id, words, language, occurred_at in rows:
        found[touchpoint_id].append(Quote(words, language, occurred_at))
    return found


def journeys_overview() -> QuerySet[Journey]:
    """Every journey with how many stages and touchpoints it has."""
    return Journey.objects.annotate(
        stage_count=Count("stages", distinct=True),
        touchpoint_count=Count("stages__touchpoints", distinct=True),
    ).order_by("name")


def touchpoints_with_places() -> QuerySet[Touchpoint]:
    """Every touchpoint with its stage, journey and owner department, in journey order."""
    return Touchpoint.objects.select_related("stage__journey", "owner_department").order_by(
        "stage__journey__name", "stage__position", "position", "name"
    )


def journeys_with_stages() -> QuerySet[Journey]:
    """Journeys with their stages and touchpoints prefetched: three queries for any number."""
    touchpoints = Touchpoint.objects.select_related("owner_department").order_by("position", "name")
    stages = Stage.objects.order_by("position").prefetch_related(
        Prefetch("touchpoints", queryset=touchpoints)
    )
    return Journey.objects.prefetch_related(Prefetch("stages", queryset=stages)).order_by("name")
