"""Read-side queries over the experience ledger."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from .models import Experience
from .scoring import Emotion

Z95 = 1.959964


@dataclass(frozen=True)
class EmotionMix:
    negative: int
    ok: int
    wow: int

    @property
    def total(self) -> int:
        return self.negative + self.ok + self.wow

    def share(self, emotion: str) -> float:
        return getattr(self, emotion) / self.total if self.total else 0.0


def emotion_mix(since: datetime) -> EmotionMix:
    counts = Experience.objects.filter(occurred_at__gte=since).aggregate(
        negative=Count("id", filter=Q(emotion=Emotion.NEGATIVE)),
        ok=Count("id", filter=Q(emotion=Emotion.OK)),
        wow=Count("id", filter=Q(emotion=Emotion.WOW)),
    )
    return EmotionMix(**counts)


@dataclass(frozen=True)
class NpsSummary:
    """Net Promoter Score = % promoters (9–10) − % detractors (0–6), from −100 to +100.

    The margin of error is the 95% half-width from the variance of the per-answer indicator
    (+1 promoter, 0 passive, −1 detractor): ``var = p + d − (p − d)²``,
    ``moe = 1.96 · √(var / n) · 100``.
    """

    answers: int
    promoters: int
    detractors: int

    @property
    def score(self) -> float | None:
        if not self.answers:
            return None
        return 100 * (self.promoters - self.detractors) / self.answers

    @property
    def margin_of_error(self) -> float | None:
        if self.answers < 2:
            return None
        p, d = self.promoters / self.answers, self.detractors / self.answers
        variance = p + d - (p - d) ** 2
        return 100 * Z95 * math.sqrt(variance / self.answers)


def latest_with_text(limit: int = 8) -> QuerySet[Experience]:
    return (
        Experience.objects.exclude(text="")
        .select_related("customer", "touchpoint", "analysis")
        .prefetch_related("analysis__topics")
        .order_by("-occurred_at", "-id")[:limit]
    )


def customer_timeline(customer_id: int, limit: int = 100) -> QuerySet[Experience]:
    return (
        Experience.objects.filter(customer_id=customer_id)
        .select_related("touchpoint", "analysis")
        .prefetch_related("analysis__topics")
        .order_by("-occurred_at", "-id")[:limit]
    )
