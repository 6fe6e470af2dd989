"""Read-side queries of the insights app (used by services, views, the API and analytics)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from cxloop.core.scoping import current_workspace
from cxloop.experiences.models import Experience

from .classifiers.workspace import EmotionModel
from .models import EmotionModelVersion, ExperienceAnalysis, SpikeAlert, Topic, TopicProposal
from .topics import Taxonomy

if TYPE_CHECKING:
    from cxloop.accounts.models import Workspace

# Loaded models per process, keyed by the version row's id (a row never changes its file).
_MODEL_CACHE_SIZE = 8
_models: OrderedDict[int, EmotionModel] = OrderedDict()
_lock = threading.Lock()


def model_versions(workspace: Workspace) -> QuerySet[EmotionModelVersion]:
    """Every training of the workspace's model, newest first (without the model files)."""
    return EmotionModelVersion.unscoped.filter(workspace=workspace).defer("data")


def active_model_version(workspace: Workspace) -> EmotionModelVersion | None:
    return model_versions(workspace).filter(status=EmotionModelVersion.Status.ACTIVE).first()


def active_emotion_model(workspace: Workspace) -> EmotionModel | None:
    version = active_model_version(workspace)
    if version is None:
        return None
    with _lock:
        model = _models.get(version.pk)
        if model is not None:
            _models.move_to_end(version.pk)
            return model
    data = EmotionModelVersion.unscoped.filter(pk=version.pk).values_list("data", flat=True).get()
    model = EmotionModel.from_bytes(bytes(data))
    with _lock:
        _models[version.pk] = model
        while len(_models) > _MODEL_CACHE_SIZE:
            _models.popitem(last=False)
    return model


def workspace_taxonomy(workspace: Workspace) -> tuple[Taxonomy, dict[str, int]]:
    """The compiled active topics and a map from topic key to row id."""
    topics = list(
        Topic.unscoped.filter(workspace=workspace, is_active=True).values_list(
            "pk", "key", "keywords"
        )
    )
    return Taxonomy({key: keywords for _, key, keywords in topics}), {
        key: pk for pk, key, _ in topics
    }


def analyses_for(experience_ids: list[int]) -> QuerySet[ExperienceAnalysis]:
    """Analyses of the given experiences in the bound workspace, with their topics."""
    return ExperienceAnalysis.objects.filter(experience_id__in=experience_ids).prefetch_related(
        "topics"
    )


def reanalysis_progress_key(workspace_id: int) -> str:
    return f"insights:reanalysis:{workspace_id}"


def reanalysis_progress(workspace: Workspace) -> dict[str, int] | None:
    """``{"done": n, "total": m}`` of the workspace's running or last re-analysis, if any."""
    from django.core.cache import cache

    return cache.get(reanalysis_progress_key(workspace.pk))


# --- the Insights page -----------------------------------------------------------------------
def final_emotion_is(emotion: str, prefix: str = "") -> Q:
    """The analysis' final emotion (a staff correction wins over the classifier) is ``emotion``."""
    return Q(**{f"{prefix}corrected_emotion": emotion}) | Q(
        **{f"{prefix}corrected_emotion": "", f"{prefix}emotion": emotion}
    )


@dataclass(frozen=True)
class TopicTrend:
    """A topic's volume over the last weeks; ``weekly`` runs oldest → newest, 7 days each.

    ``change`` compares the newest week with the mean of the weeks before it (None when the
    topic had no mention before: it is new).
    """

    topic: Topic
    weekly: list[int]
    negative: int  # mentions in negative texts over the whole period

    @property
    def total(self) -> int:
        return sum(self.weekly)

    @property
    def last_week(self) -> int:
        return self.weekly[-1]

    @property
    def baseline(self) -> float:
        earlier = self.weekly[:-1]
        return sum(earlier) / len(earlier) if earlier else 0.0

    @property
    def change(self) -> int | None:
        if self.baseline == 0:
            return None
        return round(100 * (self.last_week - self.baseline) / self.baseline)

    @property
    def direction(self) -> str:
        """up / down / flat, for the arrow's colour."""
        change = self.change or 0
        return "up" if change > 0 else "down" if change < 0 else "flat"

    @property
    def change_label(self) -> str:
        """ "+45%", "−30%" (a real minus sign) or "0%"."""
        change = self.change or 0
        return f"{change:+d}%".replace("-", "−") if change else "0%"

    @property
    def negative_share(self) -> int:
        return round(100 * self.negative / self.total) if self.total else 0


def _day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz),
    )


def topic_trends(today: date, weeks: int = 8) -> list[TopicTrend]:
    """Every active topic of the bound workspace with its weekly mentions, busiest first.

    Weeks are the 7-day windows ending ``today`` (the newest one is the last 7 days, always
    whole); one query counts mentions per topic and day.
    """
    first = today - timedelta(days=7 * weeks - 1)
    start, end = _day_bounds(first, today)
    through = ExperienceAnalysis.topics.through.objects.filter(
        experienceanalysis__workspace=current_workspace(),
        experienceanalysis__experience__occurred_at__gte=start,
        experienceanalysis__experience__occurred_at__lt=end,
    )
    rows = (
        through.annotate(
            day=TruncDate(
                "experienceanalysis__experience__occurred_at",
                tzinfo=timezone.get_current_timezone(),
            )
        )
        .values("topic_id", "day")
        .annotate(
            n=Count("id"),
            negative=Count("id", filter=final_emotion_is("negative", "experienceanalysis__")),
        )
        .order_by()
    )
    weekly: dict[int, list[int]] = {}
    negative: dict[int, int] = {}
    for row in rows:
        day = row["day"]
        if isinstance(day, datetime):
            day = day.date()
        week = (day - first).days // 7
        if not 0 <= week < weeks:
            continue
        weekly.setdefault(row["topic_id"], [0] * weeks)[week] += row["n"]
        negative[row["topic_id"]] = negative.get(row["topic_id"], 0) + row["negative"]
    trends = [
        TopicTrend(topic, weekly.get(topic.pk, [0] * weeks), negative.get(topic.pk, 0))
        for topic in Topic.objects.filter(is_active=True)
    ]
    return sorted(trends, key=lambda t: (-t.total, t.topic.name))


@dataclass(frozen=True)
class EmotionMix:
    negative: int
    ok: int
    wow: int

    @property
    def total(self) -> int:
        return self.negative + self.ok + self.wow

    def share(self, emotion: str) -> int:
        return round(100 * getattr(self, emotion) / self.total) if self.total else 0

    @property
    def shares(self) -> dict[str, int]:
        return {emotion: self.share(emotion) for emotion in ("negative", "ok", "wow")}


def emotion_mix(first: date, last: date) -> EmotionMix:
    """How the analysed texts of these days read (staff corrections win), one query."""
    start, end = _day_bounds(first, last)
    counts = ExperienceAnalysis.objects.filter(
        experience__occurred_at__gte=start, experience__occurred_at__lt=end
    ).aggregate(
        **{
            emotion: Count("id", filter=final_emotion_is(emotion))
            for emotion in ("negative", "ok", "wow")
        }
    )
    return EmotionMix(**counts)


def classifier_mix(first: date, last: date) -> list[tuple[str, str, int]]:
    """Which classifier read the texts of these days: ``(name, version, count)``, most first."""
    start, end = _day_bounds(first, last)
    return [
        (row["classifier"], row["classifier_version"], row["n"])
        for row in ExperienceAnalysis.objects.filter(
            experience__occurred_at__gte=start, experience__occurred_at__lt=end
        )
        .values("classifier", "classifier_version")
        .annotate(n=Count("id"))
        .order_by("-n")
    ]


def texts_about(
    *,
    topic: Topic | None = None,
    proposal: TopicProposal | None = None,
    day: date | None = None,
    emotion: str | None = None,
) -> QuerySet[Experience]:
    """The experiences with text behind a topic, a spike (topic + day) or a proposal, newest
    first, with what the page shows of each (touchpoint, customer, analysis and its topics)."""
    experiences = Experience.objects.exclude(text="")
    if topic is not None:
        experiences = experiences.filter(analysis__topics=topic)
    if proposal is not None:
        experiences = experiences.filter(pk__in=proposal.experiences.values("pk"))
    if day is not None:
        start, end = _day_bounds(day, day)
        experiences = experiences.filter(occurred_at__gte=start, occurred_at__lt=end)
    if emotion:
        experiences = experiences.filter(final_emotion_is(emotion, "analysis__"))
    return (
        experiences.select_related("touchpoint", "customer", "analysis")
        .prefetch_related("analysis__topics")
        .order_by("-occurred_at", "-pk")
    )


def open_proposals() -> QuerySet[TopicProposal]:
    """Emerging topics waiting for a manager, biggest first."""
    return TopicProposal.objects.filter(status=TopicProposal.Status.PROPOSED).order_by(
        "-size", "-cohesion", "pk"
    )


def recent_spike_alerts(since: date) -> QuerySet[SpikeAlert]:
    """Stored spikes from ``since`` on, newest first, with their topic (for the dashboard)."""
    return (
        SpikeAlert.objects.filter(day__gte=since)
        .select_related("topic")
        .order_by("-day", "p_value")
    )
