"""Use cases of the insights app: analyse experiences, train the workspace model, corrections.

Every function works in the workspace bound by the caller (``bind_workspace``), as the rest of
cxloop does; tasks bind it from the ids they carry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify
from sklearn.metrics import f1_score

from cxloop.core.scoping import current_workspace
from cxloop.experiences.models import Experience
from cxloop.experiences.scoring import scaled_score

from . import emerging, spikes
from .analysis import analyse_texts
from .classifiers import EMOTIONS, get_classifier
from .classifiers.coldstart import cold_start_classifier
from .classifiers.workspace import NotEnoughExamples, train_model
from .events import spike_detected
from .language import detect_language
from .models import EmotionModelVersion, ExperienceAnalysis, SpikeAlert, Topic, TopicProposal
from .selectors import final_emotion_is, workspace_taxonomy
from .topics import DEFAULT_TOPICS

BATCH = 1_000
# A staff correction counts this many times in training: a person read the text, a score only
# says how the whole encounter went.
CORRECTION_WEIGHT = 3.0
# Fewer rated answers than this: the cold-start classifier stays (learning curve in bench/).
MIN_TRAINING_EXAMPLES = 200
# Retrain when this many new labelled examples arrived since the last training.
RETRAIN_AFTER_NEW_EXAMPLES = 200


class InvalidCorrection(ValueError):
    """A correction names an emotion cxloop does not have."""


# --- taxonomy --------------------------------------------------------------------------------
def ensure_default_topics() -> int:
    """Give the bound workspace the default taxonomy (once); returns how many topics were added."""
    workspace = current_workspace()
    existing = set(Topic.objects.values_list("key", flat=True))
    language = getattr(workspace, "default_language", "en")
    new = [
        Topic(
            key=key,
            name=spec["name"].get(language, spec["name"]["en"]),
            keywords=spec["keywords"],
            origin=Topic.Origin.DEFAULT,
        )
        for key, spec in DEFAULT_TOPICS.items()
        if key not in existing
    ]
    Topic.objects.bulk_create(new)
    return len(new)


# --- analysis --------------------------------------------------------------------------------
def analyse_experiences(
    experience_ids: Iterable[int],
    *,
    classifier_name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Analyse the texts of these experiences and store one ``ExperienceAnalysis`` each.

    Idempotent: a second run overwrites the machine's answer (with the classifier now in force)
    and keeps staff corrections. Experiences without text are skipped. ``progress(done, total)``
    is called after each batch of ids. Returns how many were analysed.
    """
    workspace = current_workspace()
    ids = list(experience_ids)
    classifier = get_classifier(classifier_name, workspace)
    taxonomy, topic_ids = workspace_taxonomy(workspace)
    done = 0
    for start in range(0, len(ids), BATCH):
        rows = list(
            Experience.objects.filter(pk__in=ids[start : start + BATCH])
            .exclude(text="")
            .values_list("pk", "text")
        )
        if rows:
            _store(
                rows,
                analyse_texts([t for _, t in rows], classifier=classifier, taxonomy=taxonomy),
                topic_ids,
            )
            done += len(rows)
        if progress is not None:
            progress(min(start + BATCH, len(ids)), len(ids))
    return done


@transaction.atomic
def _store(rows: list[tuple[int, str]], results: list, topic_ids: dict[str, int]) -> None:
    now = timezone.now()
    analyses = []
    for (experience_id, _), result in zip(rows, results, strict=True):
        name, _, version = result.classifier.partition(" v")
        analyses.append(
            ExperienceAnalysis(
                experience_id=experience_id,
                language=result.language,
                emotion=result.emotion,
                confidence=round(result.confidence, 4),
                classifier=name,
                classifier_version=version,
                analysed_at=now,
            )
        )
    ExperienceAnalysis.objects.bulk_create(
        analyses,
        update_conflicts=True,
        unique_fields=["experience"],
        update_fields=[
            "language", "emotion", "confidence", "classifier", "classifier_version", "analysed_at"
        ],
    )  # fmt: skip
    stored = dict(
        ExperienceAnalysis.objects.filter(
            experience_id__in=[pk for pk, _ in rows], topics_corrected=False
        ).values_list("experience_id", "pk")
    )
    through = ExperienceAnalysis.topics.through
    through.objects.filter(experienceanalysis_id__in=stored.values()).delete()
    through.objects.bulk_create(
        through(experienceanalysis_id=stored[experience_id], topic_id=topic_ids[key])
        for (experience_id, _), result in zip(rows, results, strict=True)
        if experience_id in stored
        for key in result.topics
        if key in topic_ids
    )


def analyse_unanalysed(limit: int | None = None) -> int:
    """Analyse the bound workspace's experiences that have text and no analysis yet."""
    ids = (
        Experience.objects.exclude(text="")
        .filter(analysis__isnull=True)
        .values_list("pk", flat=True)
    )
    return analyse_experiences(list(ids[:limit] if limit else ids))


# --- corrections -----------------------------------------------------------------------------
@transaction.atomic
def correct_emotion(experience: Experience, emotion: str, user=None) -> ExperienceAnalysis:
    """Staff fix the emotion of a text; the fix wins in the UI and in the next training."""
    if emotion not in EMOTIONS:
        raise InvalidCorrection(f"Unknown emotion {emotion!r}; use negative, ok or wow.")
    analysis = _analysis_of(experience)
    analysis.corrected_emotion = emotion
    analysis.corrected_by = user
    analysis.corrected_at = timezone.now()
    analysis.save(update_fields=["corrected_emotion", "corrected_by", "corrected_at"])
    return analysis


@transaction.atomic
def correct_topics(experience: Experience, topic_keys: Sequence[str]) -> ExperienceAnalysis:
    """Staff set the topics of a text; re-analysis will not overwrite them."""
    analysis = _analysis_of(experience)
    topics = list(Topic.objects.filter(key__in=topic_keys))
    analysis.topics.set(topics)
    analysis.topics_corrected = True
    analysis.save(update_fields=["topics_corrected"])
    return analysis


def _analysis_of(experience: Experience) -> ExperienceAnalysis:
    analysis = ExperienceAnalysis.objects.filter(experience=experience).first()
    if analysis is None:
        analyse_experiences([experience.pk])
        analysis = ExperienceAnalysis.objects.get(experience=experience)
    return analysis


# --- training --------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainingExamples:
    texts: list[str]
    emotions: list[str]
    languages: list[str]
    weights: list[float]
    corrections: int
    # Each example's score scaled to 0–1 on its scale (None for a correction or no score): the
    # model learns finer levels than the three emotions from it ("1★ vs 2★", "9 vs 10").
    scores: list[float | None] = field(default_factory=list)


def training_examples() -> TrainingExamples:
    """Rated answers with text (score → emotion via ``scoring.py``) and staff corrections.

    A corrected text is one example with the corrected emotion and ``CORRECTION_WEIGHT``.
    """
    rows = (
        Experience.objects.exclude(text="")
        .filter(Q(score__isnull=False) | ~Q(analysis__corrected_emotion=""))
        .filter(Q(score__isnull=False) | Q(analysis__isnull=False))
        .values_list(
            "text", "emotion", "analysis__corrected_emotion", "analysis__language", "score", "scale"
        )
        .order_by("pk")
    )
    texts, emotions, languages, weights, scores = [], [], [], [], []
    corrections = 0
    for text, emotion, corrected, language, score, scale in rows.iterator(chunk_size=5_000):
        texts.append(text)
        emotions.append(corrected or emotion)
        weights.append(CORRECTION_WEIGHT if corrected else 1.0)
        corrections += bool(corrected)
        languages.append(language or detect_language(text))
        scores.append(None if corrected or score is None else scaled_score(score, scale))
    return TrainingExamples(texts, emotions, languages, weights, corrections, scores)


@dataclass(frozen=True)
class TrainingResult:
    version: EmotionModelVersion | None
    activated: bool
    reason: str


def train_workspace_model(
    *, folds: int = 5, min_examples: int = MIN_TRAINING_EXAMPLES
) -> TrainingResult:
    """Train a new version from the bound workspace's examples and activate it only if better.

    The rule: the new version becomes active when its cross-validated macro-F1 is at least the
    active version's, and above the cold-start classifier's macro-F1 on the same examples. A
    worse one is stored as ``rejected`` with the reason, so the manager sees it; the active
    model stays.
    """
    examples = training_examples()
    if len(examples.texts) < min_examples:
        return TrainingResult(
            None, False, f"{len(examples.texts)} labelled texts; training starts at {min_examples}."
        )
    next_version = (EmotionModelVersion.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    try:
        model = train_model(
            examples.texts, examples.emotions, examples.languages,
            weights=examples.weights, scores=examples.scores, folds=folds,
            version=str(next_version),
        )  # fmt: skip
    except NotEnoughExamples as exc:
        return TrainingResult(None, False, str(exc))
    cold = cold_start_classifier().predict(examples.texts, examples.languages)
    cold_f1 = float(
        f1_score(examples.emotions, [p.emotion for p in cold], average="macro", labels=EMOTIONS)
    )
    return _record_version(model, examples, cold_f1)


@transaction.atomic
def _record_version(model, examples: TrainingExamples, cold_f1: float) -> TrainingResult:
    active = (
        EmotionModelVersion.objects.select_for_update()
        .filter(status=EmotionModelVersion.Status.ACTIVE)
        .defer("data")
        .first()
    )
    new_f1 = model.metrics["macro_f1"]
    if new_f1 <= cold_f1:
        status, reason = (
            EmotionModelVersion.Status.REJECTED,
            f"macro-F1 {new_f1:.3f} is not above the cold-start classifier's {cold_f1:.3f}.",
        )
    elif active is not None and new_f1 < active.macro_f1:
        status, reason = (
            EmotionModelVersion.Status.REJECTED,
            f"macro-F1 {new_f1:.3f} is below the active v{active.version}'s {active.macro_f1:.3f}.",
        )
    else:
        status, reason = (
            EmotionModelVersion.Status.ACTIVE,
            (
                f"macro-F1 {new_f1:.3f}"
                + (f", replaces v{active.version} ({active.macro_f1:.3f})." if active else ".")
            ),
        )
        if active is not None:
            active.status = EmotionModelVersion.Status.RETIRED
            active.save(update_fields=["status"])
    version = EmotionModelVersion.objects.create(
        version=int(model.version),
        status=status,
        examples=len(examples.texts),
        corrections=examples.corrections,
        macro_f1=new_f1,
        accuracy=model.metrics["accuracy"],
        cold_start_macro_f1=round(cold_f1, 4),
        metrics=model.metrics,
        note=reason[:300],
        data=model.to_bytes(),
    )
    return TrainingResult(version, status == EmotionModelVersion.Status.ACTIVE, reason)


def needs_retraining() -> bool:
    """Enough new labelled texts since the last training (or none yet and enough in total)."""
    last = EmotionModelVersion.objects.order_by("-version").values("examples").first()
    count = Experience.objects.exclude(text="").filter(score__isnull=False).count()
    if last is None:
        return count >= MIN_TRAINING_EXAMPLES
    return count - last["examples"] >= RETRAIN_AFTER_NEW_EXAMPLES


# --- spikes and emerging topics --------------------------------------------------------------
def topic_spikes(
    day: date, *, emotion: str | None = "negative", window: int = spikes.WINDOW_DAYS, **rule
) -> list[spikes.Spike]:
    """Topics whose daily count on ``day`` breaks their Poisson control limit (``spikes.py``).

    Counts analysed experiences by the day they occurred (in the current time zone), negative
    ones by default; each spike carries the ids of the experiences behind it.
    """
    return recent_spikes(day, days=1, emotion=emotion, window=window, **rule)


def recent_spikes(
    today: date,
    *,
    days: int = 7,
    emotion: str | None = "negative",
    window: int = spikes.WINDOW_DAYS,
    **rule,
) -> list[spikes.Spike]:
    """The spikes of each of the ``days`` days up to ``today``, newest day first (one query).

    Each day is judged against its own ``window`` days before it, so a spike stays on the page
    for a week after it happened, with the texts of its day.
    """
    tz = timezone.get_current_timezone()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first - timedelta(days=window), time.min, tzinfo=tz)
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=tz)
    rows = ExperienceAnalysis.topics.through.objects.filter(
        experienceanalysis__workspace=current_workspace(),
        experienceanalysis__experience__occurred_at__gte=start,
        experienceanalysis__experience__occurred_at__lt=end,
    )
    if emotion:
        rows = rows.filter(final_emotion_is(emotion, "experienceanalysis__"))
    pairs = [
        (key, when.astimezone(tz).date(), pk)
        for key, when, pk in rows.values_list(
            "topic__key", "experienceanalysis__experience__occurred_at",
            "experienceanalysis__experience_id",
        )
    ]  # fmt: skip
    daily = spikes.daily_counts((key, on) for key, on, _ in pairs)
    found = []
    for offset in range(days):
        day = today - timedelta(days=offset)
        for spike in spikes.find_spikes(daily, day, window=window, **rule):
            spike.experience_ids.extend(
                pk for key, on, pk in pairs if key == spike.topic and on == day
            )
            found.append(spike)
    return found


def record_spikes(today: date, *, days: int = 2) -> list[SpikeAlert]:
    """Store the spikes of the last ``days`` days that are not stored yet, and send
    ``events.spike_detected`` for each new one (the periodic sweep; safe to run every hour).

    A day still running can grow: its alert keeps the count it had when first seen, and the
    Insights page always shows the live count.
    """
    found = recent_spikes(today, days=days)
    if not found:
        return []
    topics = dict(Topic.objects.filter(key__in={s.topic for s in found}).values_list("key", "pk"))
    created = []
    with transaction.atomic():
        for spike in found:
            alert, new = SpikeAlert.objects.get_or_create(
                topic_id=topics[spike.topic],
                day=spike.day,
                defaults={
                    "count": spike.count,
                    "expected": spike.expected,
                    "p_value": spike.p_value,
                },
            )
            if new:
                spike_detected.send(
                    sender=SpikeAlert, alert=alert, experience_ids=list(spike.experience_ids)
                )
                created.append(alert)
    return created


def refresh_trends(now: datetime | None = None) -> tuple[list[SpikeAlert], list[TopicProposal]]:
    """The periodic sweep of one workspace: new spikes, then fresh emerging-topic proposals."""
    now = now or timezone.now()
    return record_spikes(timezone.localdate(now)), propose_emerging_topics(now=now)


RECENT_DAYS = 30
MAX_EMERGING_TEXTS = 2_000
BACKGROUND_DAYS = 180  # the past that recent words are compared with
MAX_BACKGROUND_TEXTS = 5_000


def propose_emerging_topics(
    *, days: int = RECENT_DAYS, now: datetime | None = None, **options
) -> list[TopicProposal]:
    """Find words that recent negative texts without a topic share and the past did not
    (``emerging.py``), and store each group as a proposal.

    The background is the workspace's analysed texts of the ``BACKGROUND_DAYS`` before the
    recent window (the latest ``MAX_BACKGROUND_TEXTS``, any emotion). Replaces the previous open
    proposals; accepted and dismissed ones stay as a record, and a group whose anchor word a
    manager already dismissed is not proposed again.
    """
    now = now or timezone.now()
    since = now - timedelta(days=days)
    rows = list(
        ExperienceAnalysis.objects.filter(
            experience__occurred_at__gte=since, experience__occurred_at__lt=now, topics__isnull=True
        )
        .filter(final_emotion_is("negative"))
        .order_by("-experience__occurred_at")
        .values_list("experience_id", "experience__text", "language")[:MAX_EMERGING_TEXTS]
    )
    background = list(
        ExperienceAnalysis.objects.filter(
            experience__occurred_at__lt=since,
            experience__occurred_at__gte=since - timedelta(days=BACKGROUND_DAYS),
        )
        .order_by("-experience__occurred_at")
        .values_list("experience__text", "language")[:MAX_BACKGROUND_TEXTS]
    )
    dismissed = {
        keywords[0]
        for keywords in TopicProposal.objects.filter(
            status=TopicProposal.Status.DISMISSED
        ).values_list("keywords", flat=True)
        if keywords
    }
    proposals = [
        p
        for p in emerging.propose_topics(
            [text for _, text, _ in rows],
            [lang for _, _, lang in rows],
            background=background,
            **options,
        )
        if p.keywords[0] not in dismissed
    ]
    with transaction.atomic():
        TopicProposal.objects.filter(status=TopicProposal.Status.PROPOSED).delete()
        stored = []
        for proposal in proposals:
            row = TopicProposal.objects.create(
                keywords=proposal.keywords,
                quotes=proposal.quotes,
                size=len(proposal.indices),
                cohesion=proposal.cohesion,
            )
            row.experiences.set([rows[i][0] for i in proposal.indices])
            stored.append(row)
    return stored


class ProposalClosed(ValueError):
    """The proposal was already accepted or dismissed (by someone else, a moment ago)."""

    status = 409


def _open_proposal(proposal: TopicProposal) -> TopicProposal:
    """Lock the proposal's row and check it still waits for a decision."""
    locked = TopicProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != TopicProposal.Status.PROPOSED:
        raise ProposalClosed(
            f"This proposal was already {locked.get_status_display().lower()}; reload the page."
        )
    return locked


def _unique_key(name: str, proposal: TopicProposal) -> str:
    key = slugify(name)[:50] or f"emerging-{proposal.pk}"
    if Topic.objects.filter(key=key).exists():
        key = f"{key[:40]}-{proposal.pk}"
    return key


def accept_proposal(
    proposal: TopicProposal,
    *,
    name: str,
    key: str | None = None,
    keywords: Sequence[str] | None = None,
) -> Topic:
    """Turn a proposal into a topic: its keywords (the proposal's, or the manager's edit) become
    the topic's rules in every language its texts were written in (as exact lemmas; a ``*`` at
    the end makes a stem).

    The proposal's own texts are re-analysed at once, so they show the new topic; the rest of
    the workspace is re-analysed by a background task after the commit.
    """
    with transaction.atomic():
        proposal = _open_proposal(proposal)
        words = [w.strip().lower() for w in (keywords or proposal.keywords) if w.strip()]
        languages = set(
            ExperienceAnalysis.objects.filter(
                experience__in=proposal.experiences.all()
            ).values_list("language", flat=True)
        ) & {"uk", "ru", "en"}
        topic = Topic.objects.create(
            key=key or _unique_key(name, proposal),
            name=name,
            keywords=dict.fromkeys(sorted(languages) or ["en"], words),
            origin=Topic.Origin.EMERGING,
        )
        proposal.status = TopicProposal.Status.ACCEPTED
        proposal.topic = topic
        proposal.save(update_fields=["status", "topic"])
        analyse_experiences(list(proposal.experiences.values_list("pk", flat=True)))
        workspace_id = current_workspace().pk
        transaction.on_commit(lambda: _enqueue_reanalysis(workspace_id))
    return topic


def _enqueue_reanalysis(workspace_id: int) -> None:
    from .tasks import reanalyse_workspace  # tasks import this module

    reanalyse_workspace.enqueue(workspace_id)


@transaction.atomic
def dismiss_proposal(proposal: TopicProposal) -> TopicProposal:
    """Keep the proposal as a record; its anchor word is not proposed again."""
    proposal = _open_proposal(proposal)
    proposal.status = TopicProposal.Status.DISMISSED
    proposal.save(update_fields=["status"])
    return proposal
