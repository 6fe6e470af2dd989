"""Read-side queries over the experience ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from .models import Experience
from .scoring import Emotion


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
