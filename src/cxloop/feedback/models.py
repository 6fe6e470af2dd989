"""Surveys, the invitations that carry them, the answers that come back, and outside signals.

The tables cover the whole "listen everywhere" area, so that the parts built on them (public
pages, distribution, review and mention import) share one schema:

- :class:`Survey` and its :class:`Question`\\ s — the content, in English, Ukrainian and Russian
  (each text is a ``{"en": …, "uk": …, "ru": …}`` object).
- :class:`Invitation` — one survey offered to one customer, reached by a personal link whose token
  is stored only as a SHA-256 digest; sending, reminding and de-duplication state for the senders.
- :class:`Response` and :class:`Answer` — what a respondent said, kept step by step; a completed
  response becomes an :class:`~cxloop.experiences.models.Experience`.
- :class:`FeedbackSettings` — one row per workspace: the contact-frequency cap, where promoters
  are sent, when detractors hear back.
- :class:`Unsubscribe` — an address that asked for no more surveys.
- :class:`SurveyTrigger` — "send this survey N hours after an event".
- :class:`Mention` — a review or social post from outside, de-duplicated by source and id.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cxloop.core.scoping import WorkspaceScopedModel

SURVEY_LANGUAGES = ("en", "uk", "ru")


def localized(texts: dict | None, language: str, fallback: str = "en") -> str:
    """The text in ``language``, else in ``fallback``, else any text there is."""
    texts = texts or {}
    return texts.get(language) or texts.get(fallback) or next(iter(texts.values()), "")


class FeedbackSettings(WorkspaceScopedModel):
    """How a workspace listens: one row each, created with defaults on first use."""

    contact_cap_days = models.PositiveSmallIntegerField(
        _("days between surveys to one customer"),
        default=30,
        help_text=_("No customer gets more than one survey in this many days; 0 turns it off."),
    )
    invitation_valid_days = models.PositiveSmallIntegerField(
        _("days a personal link stays valid"), default=30
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind after days"),
        default=3,
        help_text=_("One reminder to customers who have not answered; 0 sends none."),
    )
    detractor_contact_hours = models.PositiveSmallIntegerField(
        _("hours until we contact an unhappy customer"), default=48
    )
    review_url = models.URLField(
        _("public review page"),
        max_length=500,
        blank=True,
        help_text=_("Where promoters are invited to leave a public review."),
    )
    referral_url = models.URLField(
        _("referral link"),
        max_length=500,
        blank=True,
        help_text=_("A link promoters may share with friends."),
    )
    mention_webhook_secret = models.CharField(
        _("mention webhook secret"),
        max_length=128,
        blank=True,
        help_text=_("Shared secret that signs inbound mention webhooks."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("feedback settings")
        verbose_name_plural = _("feedback settings")
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="feedback_settings_one_per_ws")
        ]

    def __str__(self) -> str:
        return f"feedback settings of workspace {self.workspace_id}"


class Survey(WorkspaceScopedModel):
    class Kind(models.TextChoices):
        NPS = "nps", _("NPS (0–10)")
        CSAT = "csat", _("CSAT (1–5)")
        CES = "ces", _("CES (1–7)")
        CUSTOM = "custom", _("Custom")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    title = models.JSONField(_("title"), default=dict, help_text="{language: text}")
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("touchpoint"),
    )
    public_key = models.CharField(
        max_length=32,
        unique=True,
        help_text="Random part of the anonymous link /s/<public_key>/; public by design.",
    )
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="survey_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class QuestionKind(models.TextChoices):
    NPS = "nps", _("Likelihood to recommend, 0–10")
    CSAT = "csat", _("Satisfaction, 1–5")
    CES = "ces", _("Ease, 1–7")
    RATING = "rating", _("Rating, 1–5")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    TEXT = "text", _("Free text")


# Question kinds that carry a score, the experience scale each maps to, and its range.
SCORED_KINDS: dict[str, tuple[str, int, int]] = {
    QuestionKind.NPS: ("nps", 0, 10),
    QuestionKind.CSAT: ("csat", 1, 5),
    QuestionKind.CES: ("ces", 1, 7),
    QuestionKind.RATING: ("stars5", 1, 5),
}


class Question(WorkspaceScopedModel):
    """One question of a survey, shown on its ``page`` (step) when its condition holds.

    Branching is one condition on an earlier scored answer: shown only when the answer to
    question ``show_if_key`` lies within ``show_if_min``–``show_if_max`` (either end open), as in
    "ask what went wrong only when the score is 0–6".
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=40, help_text="Stable name of the question in exports.")
    position = models.PositiveSmallIntegerField()
    page = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    text = models.JSONField(default=dict, help_text="{language: text}")
    labels = models.JSONField(
        default=dict, blank=True, help_text='Scale ends: {"low": {lang: …}, "high": {lang: …}}'
    )
    choices = models.JSONField(
        default=list, blank=True, help_text='[{"value": "delivery", "label": {lang: …}}, …]'
    )
    required = models.BooleanField(default=True)
    max_length = models.PositiveIntegerField(default=2000)
    show_if_key = models.SlugField(max_length=40, blank=True)
    show_if_min = models.SmallIntegerField(null=True, blank=True)
    show_if_max = models.SmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["survey", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="question_unique_key"),
            models.UniqueConstraint(fields=["survey", "position"], name="question_unique_position"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_scored(self) -> bool:
        return self.kind in SCORED_KINDS


class SurveyTrigger(WorkspaceScopedModel):
    """Send ``survey`` by email ``delay_hours`` after an event (or on day ``day`` of onboarding)."""

    class Event(models.TextChoices):
        ORDER_DELIVERED = "order_delivered", _("Order delivered")
        ONBOARDING_DAY = "onboarding_day", _("Day N of onboarding")
        CONVERSATION_RESOLVED = "conversation_resolved", _("Conversation resolved")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="triggers")
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    delay_hours = models.PositiveIntegerField(_("delay, hours"), default=0)
    day = models.PositiveSmallIntegerField(_("onboarding day"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "event", "id"]
        verbose_name = _("survey trigger")
        verbose_name_plural = _("survey triggers")
        constraints = [
            models.CheckConstraint(
                name="trigger_onboarding_has_day",
                condition=~Q(event="onboarding_day") | Q(day__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey} on {self.event}"


class Invitation(WorkspaceScopedModel):
    """A survey offered to one customer, answered through a personal link.

    The link carries a random token; only its SHA-256 digest (``token_hash``) is stored, so a
    database leak does not leak working links. ``dedupe_key`` (e.g. ``order:812:delivered``) makes
    a trigger that fires twice create one invitation. Senders claim a row with a compare-and-set
    on ``sent_at`` / ``reminded_at`` so a retried task cannot send twice.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        LINK = "link", _("Personal link")
        SMS = "sms", _("SMS")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.LINK
    )
    language = models.CharField(
        _("language"), max_length=8, blank=True, help_text="Else the customer's language."
    )
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The encounter asked about, when not the survey's own touchpoint.",
    )
    order = models.ForeignKey(
        "customers.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    trigger = models.ForeignKey(
        SurveyTrigger, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    scheduled_for = models.DateTimeField(_("send at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    skipped_reason = models.CharField(
        max_length=32, blank=True, help_text="Why it was not sent: capped, unsubscribed, …"
    )
    send_attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="invitation_unique_dedupe_key",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "sent_at"], name="invitation_customer_sent"),
            models.Index(fields=["workspace", "scheduled_for"], name="invitation_ws_scheduled"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → customer {self.customer_id}"


class Response(WorkspaceScopedModel):
    """One respondent's answers to one survey: partial while they go, completed at the end.

    ``submission_id`` is the idempotency key of an anonymous respondent: the form carries it, so
    a second POST of the same form finds the same row. ``revision`` is the compare-and-set guard:
    every POST names the revision it was rendered from and only the first one moves it on, so a
    double click or a retry stores one answer. A personal response is tied to its invitation
    one-to-one (one answer per invitation).
    """

    class Via(models.TextChoices):
        PERSONAL = "personal", _("Personal link")
        ANONYMOUS = "anonymous", _("Anonymous link")
        EMBED = "embed", _("Embedded on a site")
        QR = "qr", _("QR code")

    class Status(models.TextChoices):
        PARTIAL = "partial", _("Partial")
        COMPLETED = "completed", _("Completed")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submission_id = models.UUIDField(unique=True)
    via = models.CharField(_("reached by"), max_length=10, choices=Via.choices)
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PARTIAL
    )
    revision = models.PositiveIntegerField(default=0)
    page = models.PositiveSmallIntegerField(default=1, help_text="The next page to show.")
    score = models.SmallIntegerField(_("score"), null=True, blank=True)
    scale = models.CharField(_("scale"), max_length=8, blank=True)
    experience = models.OneToOneField(
        "experiences.Experience",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_response",
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            models.Index(fields=["survey", "status", "completed_at"], name="response_survey_done"),
            models.Index(fields=["workspace", "completed_at"], name="response_ws_completed"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} #{self.pk} ({self.status})"


class Answer(WorkspaceScopedModel):
    """The answer to one question: a number (scored kinds), a text, or the chosen values."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["response", "question__position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_unique_question")
        ]

    def __str__(self) -> str:
        return f"{self.question} = {self.number if self.number is not None else self.text[:30]}"


class Unsubscribe(WorkspaceScopedModel):
    """An address that asked for no more surveys; every sender checks it before sending."""

    class Source(models.TextChoices):
        LINK = "link", _("Unsubscribe link")
        STAFF = "staff", _("Staff")
        IMPORT = "import", _("Import")

    email = models.EmailField(_("email"))
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.LINK)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("unsubscribe")
        verbose_name_plural = _("unsubscribes")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], name="unsubscribe_unique_email")
        ]

    def __str__(self) -> str:
        return self.email


class Mention(WorkspaceScopedModel):
    """A review or social mention from outside; the same ``source`` + ``external_id`` is stored
    once however often it is imported."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("Review")
        MENTION = "mention", _("Social mention")

    class ImportedVia(models.TextChoices):
        CSV = "csv", _("CSV file")
        JSON = "json", _("JSON file")
        API = "api", _("API")
        WEBHOOK = "webhook", _("Webhook")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=60, help_text="google, instagram, rozetka…")
    external_id = models.CharField(_("external id"), max_length=200)
    author = models.CharField(_("author"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    rating = models.SmallIntegerField(_("rating"), null=True, blank=True)
    rating_scale = models.CharField(max_length=8, blank=True)
    text = models.TextField(_("text"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    posted_at = models.DateTimeField(_("posted"))
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    experience = models.OneToOneField(
        "experiences.Experience",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mention",
    )
    imported_via = models.CharField(max_length=8, choices=ImportedVia.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-posted_at", "-id"]
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "source", "external_id"], name="mention_unique_source_id"
            ),
            models.CheckConstraint(
                name="mention_rating_has_scale",
                condition=Q(rating__isnull=True) | ~Q(rating_scale=""),
            ),
        ]
        indexes = [models.Index(fields=["workspace", "posted_at"], name="mention_ws_posted")]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"
