"""Distribution: survey invitations by email, one reminder, and the unsubscribe link.

The flow, and the guarantees each step gives:

1. :func:`invite` creates one email :class:`Invitation` per *eligible* customer (an address, consent
   to email, not unsubscribed, not invited to this survey already, and not contacted by any survey
   within the workspace's contact-frequency cap) and enqueues the sending with
   ``transaction.on_commit``: a rolled-back transaction sends nothing.
2. :func:`send_invitation` claims the row with a compare-and-set
   (``UPDATE … SET sent_at = now WHERE pk = … AND sent_at IS NULL``) before it talks to the mail
   server, so a retried or duplicated task cannot send twice. When the server refuses, the claim
   is given back (``sent_at`` set to NULL again) and the error re-raised, so a retry can send.
   A worker killed between the claim and the send loses that one email rather than doubling it.
3. :func:`send_due_reminders` sends one reminder per unanswered invitation once the workspace's
   ``reminder_after_days`` have passed, with the same compare-and-set on ``reminded_at``.
4. Every email carries an unsubscribe link (a signed token, no login); :func:`unsubscribe`
   records an :class:`Unsubscribe` row, and every sender here checks it right before sending.

The personal link of an emailed invitation is ``HMAC(SECRET_KEY, invitation id)``: the database
still holds only its SHA-256 digest (set when the invitation is claimed for sending), and the
reminder can rebuild the same link. Rotating ``SECRET_KEY`` therefore retires the links of
invitations already mailed. Email copy is customer-facing content in the survey languages, kept
in :mod:`.email_copy` as ``{language: text}`` like the survey templates in :mod:`.catalog`, so
every email is complete in English, Ukrainian and Russian whatever the staff's language.
"""

from __future__ import annotations

import base64
import logging
import secrets
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Customer

from .email_copy import text
from .errors import FeedbackError, LinkNotFound
from .models import (
    SURVEY_LANGUAGES,
    FeedbackSettings,
    Invitation,
    Response,
    Survey,
    Unsubscribe,
    localized,
)
from .services import TOKEN_BYTES, feedback_settings, hash_token

logger = logging.getLogger(__name__)

LINK_SALT = "cxloop.feedback.distribution.personal-link"
UNSUBSCRIBE_SALT = "cxloop.feedback.distribution.unsubscribe"
DEFAULT_BASE_URL = "http://localhost:8000"
LAST_ERROR_CHARS = 2000

# Why a customer was not invited (or an invitation not sent); stored in ``skipped_reason``.
NO_EMAIL = "no_email"
NO_CONSENT = "no_consent"
UNSUBSCRIBED = "unsubscribed"
ALREADY_INVITED = "already_invited"
CAPPED = "capped"
SURVEY_CLOSED = "survey_closed"
EXPIRED = "expired"
ANSWERED = "answered"

# --- inviting ---------------------------------------------------------------------------------


@dataclass
class InviteResult:
    """What :func:`invite` did: the invitations created and the customers skipped, by reason."""

    invitations: list[Invitation] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def invited(self) -> int:
        return len(self.invitations)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _unsubscribed(emails: set[str]) -> set[str]:
    """Which of ``emails`` (normalized) asked for no more surveys in the bound workspace."""
    if not emails:
        return set()
    return set(
        Unsubscribe.objects.annotate(normalized=Lower("email"))
        .filter(normalized__in=emails)
        .values_list("normalized", flat=True)
    )


def _contacted_since(customer_ids: list[int], since: datetime) -> set[int]:
    """Customers a survey went to (or is about to go to, by email) since ``since``."""
    return set(
        Invitation.objects.filter(customer_id__in=customer_ids, skipped_reason="")
        .filter(
            Q(sent_at__gte=since)
            | Q(sent_at__isnull=True, channel=Invitation.Channel.EMAIL, created_at__gte=since)
        )
        .values_list("customer_id", flat=True)
    )


def _dedupe_key(survey: Survey, customer_id: int) -> str:
    return f"invite:{survey.pk}:{customer_id}"


@dataclass(frozen=True)
class Occasion:
    """Why one customer is invited when an event asked, not a person: the event's own
    ``dedupe_key`` (e.g. ``trigger:7:order:812``) replaces "once per survey", and the trigger and
    order are kept on the invitation."""

    dedupe_key: str
    trigger_id: int | None = None
    order_id: int | None = None


def invite(
    survey: Survey,
    customers,
    *,
    now: datetime | None = None,
    occasions: Mapping[int, Occasion] | None = None,
) -> InviteResult:
    """Invite ``customers`` to ``survey`` by email; the sending starts after the commit.

    A customer is skipped, and counted under its reason, when they have no email address
    (``no_email``), did not agree to email (``no_consent``), unsubscribed (``unsubscribed``), were
    invited to this survey already (``already_invited``), or heard from any survey within the
    workspace's ``contact_cap_days`` (``capped``; an invitation queued but not yet sent counts too).
    The customers' rows are locked for the check, so two concurrent invites cannot both pass it.

    ``occasions`` (customer id → :class:`Occasion`, one for every customer) is for senders fired
    by events: "invited already" then means "for this event", judged by the occasion's dedupe
    key, which the database keeps unique per workspace.
    """
    now = now or timezone.now()
    workspace = survey.workspace
    if survey.status != Survey.Status.OPEN or (survey.closes_at and survey.closes_at <= now):
        raise FeedbackError(_("This survey is closed; reopen it before inviting customers."))
    wanted: dict[int, Customer] = {}
    for customer in customers:
        if customer.workspace_id != workspace.pk:
            raise FeedbackError(_("That customer belongs to another workspace."))
        wanted.setdefault(customer.pk, customer)
    result = InviteResult()
    if not wanted:
        return result
    options = feedback_settings(workspace)
    with transaction.atomic(), bind_workspace(workspace):
        locked = {
            customer.pk: customer
            for customer in Customer.objects.select_for_update().filter(pk__in=list(wanted))
        }
        ids = list(locked)
        keys = {
            pk: occasions[pk].dedupe_key if occasions is not None else _dedupe_key(survey, pk)
            for pk in ids
        }
        unsubscribed = _unsubscribed({normalize_email(c.email) for c in locked.values()} - {""})
        invited = set(
            Invitation.objects.filter(dedupe_key__in=list(keys.values())).values_list(
                "dedupe_key", flat=True
            )
        )
        capped = (
            _contacted_since(ids, now - timedelta(days=options.contact_cap_days))
            if options.contact_cap_days
            else set()
        )
        expires_at = now + timedelta(days=options.invitation_valid_days)
        for pk, customer in locked.items():
            email = normalize_email(customer.email)
            if not email:
                result.skipped[NO_EMAIL] += 1
            elif not customer.consent_email:
                result.skipped[NO_CONSENT] += 1
            elif email in unsubscribed:
                result.skipped[UNSUBSCRIBED] += 1
            elif keys[pk] in invited:
                result.skipped[ALREADY_INVITED] += 1
            elif pk in capped:
                result.skipped[CAPPED] += 1
            else:
                result.invitations.append(
                    Invitation(
                        survey=survey,
                        customer=customer,
                        # Unknown to anyone; the mailed link replaces it when the row is claimed.
                        token_hash=hash_token(secrets.token_urlsafe(TOKEN_BYTES)),
                        channel=Invitation.Channel.EMAIL,
                        dedupe_key=keys[pk],
                        trigger_id=occasions[pk].trigger_id if occasions is not None else None,
                        order_id=occasions[pk].order_id if occasions is not None else None,
                        expires_at=expires_at,
                    )
                )
        Invitation.objects.bulk_create(result.invitations)
        for invitation in result.invitations:
            transaction.on_commit(_enqueue_send(invitation.pk))
    return result


def _enqueue_send(invitation_id: int):
    def enqueue() -> None:
        from .tasks import send_invitation as task

        task.enqueue(invitation_id)

    return enqueue


# --- sending ----------------------------------------------------------------------------------


def personal_token(invitation: Invitation) -> str:
    """The token of an emailed invitation's personal link, rebuilt from the secret key."""
    digest = salted_hmac(LINK_SALT, str(invitation.pk), algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def unsubscribe_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=UNSUBSCRIBE_SALT)


def invitation_language(invitation: Invitation) -> str:
    """The invitation's language, else the customer's, else the workspace's, else English."""
    for language in (
        invitation.language,
        invitation.customer.language,
        invitation.survey.workspace.default_language,
    ):
        if language in SURVEY_LANGUAGES:
            return language
    return "en"


def _absolute(path: str) -> str:
    base = getattr(settings, "PUBLIC_BASE_URL", "") or DEFAULT_BASE_URL
    return base.rstrip("/") + path


def _load(invitation_id: int) -> Invitation | None:
    return (
        Invitation.unscoped.select_related("survey__workspace", "customer")
        .filter(pk=invitation_id)
        .first()
    )


def _blocker(invitation: Invitation, now: datetime, *, reminder: bool) -> str:
    """Why this invitation must not be mailed now; empty when it may."""
    survey, customer = invitation.survey, invitation.customer
    if survey.status != Survey.Status.OPEN or (survey.closes_at and survey.closes_at <= now):
        return SURVEY_CLOSED
    if invitation.expires_at <= now:
        return EXPIRED
    email = normalize_email(customer.email)
    if not email:
        return NO_EMAIL
    if not customer.consent_email:
        return NO_CONSENT
    if _unsubscribed({email}):
        return UNSUBSCRIBED
    if (
        reminder
        and Response.objects.filter(
            invitation=invitation, status=Response.Status.COMPLETED
        ).exists()
    ):
        return ANSWERED
    return ""


def build_email(invitation: Invitation, *, reminder: bool = False) -> EmailMultiAlternatives:
    """The invitation (or reminder) email in the customer's language, plain text and HTML.

    Customer-written values (the name) and survey texts are escaped by the HTML template; the
    subject is kept to one line.
    """
    language = invitation_language(invitation)
    survey, customer = invitation.survey, invitation.customer
    workspace = survey.workspace.name
    title = " ".join((localized(survey.title, language) or survey.name).split())
    survey_url = _absolute(reverse("survey:personal", args=[personal_token(invitation)]))
    unsubscribe_url = _absolute(reverse("survey:unsubscribe", args=[unsubscribe_token(invitation)]))
    name = " ".join(customer.name.split())
    with translation.override(language):
        valid_until = formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")
        context = {
            "language": language,
            "title": title,
            "greeting": text("greeting", language, name=name)
            if name
            else text("greeting_anonymous", language),
            "intro": text("reminder_intro" if reminder else "intro", language),
            "button": text("button", language),
            "survey_url": survey_url,
            "valid_until": text("valid_until", language, date=valid_until),
            "unsubscribe_prompt": text("unsubscribe_prompt", language, workspace=workspace),
            "unsubscribe_link": text("unsubscribe_link", language),
            "unsubscribe_url": unsubscribe_url,
            "workspace": workspace,
        }
        body = render_to_string("feedback/email/invitation.txt", context)
        html = render_to_string("feedback/email/invitation.html", context)
    subject = text("reminder_subject" if reminder else "subject", language, title=title)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=body,
        to=[customer.email.strip()],
        headers={
            "Content-Language": language,
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def send_invitation(invitation_id: int, *, now: datetime | None = None) -> str:
    """Mail one invitation at most once; returns what happened (``sent``, ``already_sent``,
    ``skipped:<reason>``, ``missing``).

    Raises what the mail server raised after giving the claim back, so the task fails visibly
    and a retry can send.
    """
    now = now or timezone.now()
    invitation = _load(invitation_id)
    if invitation is None:
        return "missing"
    if invitation.sent_at is not None:
        return "already_sent"
    if invitation.skipped_reason:
        return f"skipped:{invitation.skipped_reason}"
    unsent = Q(pk=invitation.pk, sent_at__isnull=True, skipped_reason="")
    with bind_workspace(invitation.survey.workspace):
        reason = _blocker(invitation, now, reminder=False)
        if reason:
            Invitation.objects.filter(unsent).update(skipped_reason=reason)
            return f"skipped:{reason}"
        claimed = Invitation.objects.filter(unsent).update(
            sent_at=now,
            token_hash=hash_token(personal_token(invitation)),
            send_attempts=F("send_attempts") + 1,
        )
        if not claimed:
            return "already_sent"
        try:
            build_email(invitation).send()
        except Exception as exc:
            Invitation.objects.filter(pk=invitation.pk, sent_at=now).update(
                sent_at=None, last_error=f"{type(exc).__name__}: {exc}"[:LAST_ERROR_CHARS]
            )
            raise
        Invitation.objects.filter(pk=invitation.pk).exclude(last_error="").update(last_error="")
    return "sent"


# --- reminding --------------------------------------------------------------------------------


def send_reminder(invitation_id: int, *, now: datetime | None = None) -> str:
    """Mail the one reminder of a sent, unanswered invitation; same claim rules as sending."""
    now = now or timezone.now()
    invitation = _load(invitation_id)
    if invitation is None:
        return "missing"
    if invitation.sent_at is None:
        return "not_sent"
    if invitation.reminded_at is not None:
        return "already_reminded"
    with bind_workspace(invitation.survey.workspace):
        reason = _blocker(invitation, now, reminder=True)
        if reason:
            return f"skipped:{reason}"
        claimed = Invitation.objects.filter(
            pk=invitation.pk, sent_at__isnull=False, reminded_at__isnull=True
        ).update(reminded_at=now)
        if not claimed:
            return "already_reminded"
        try:
            build_email(invitation, reminder=True).send()
        except Exception as exc:
            Invitation.objects.filter(pk=invitation.pk, reminded_at=now).update(
                reminded_at=None, last_error=f"{type(exc).__name__}: {exc}"[:LAST_ERROR_CHARS]
            )
            raise
    return "sent"


def send_due_reminders(now: datetime | None = None) -> Counter[str]:
    """Remind every emailed invitation left unanswered for its workspace's
    ``reminder_after_days`` (0 turns reminders off); returns the outcomes counted.

    Runs across workspaces (a periodic sweep); each invitation is reminded at most once, and one
    that fails is left unclaimed for the next sweep, its error kept in ``last_error``.
    """
    now = now or timezone.now()
    due = (
        Invitation.unscoped.filter(
            channel=Invitation.Channel.EMAIL,
            sent_at__isnull=False,
            reminded_at__isnull=True,
            skipped_reason="",
            expires_at__gt=now,
            survey__status=Survey.Status.OPEN,
        )
        .exclude(response__status=Response.Status.COMPLETED)
        .order_by()
    )
    workspace_ids = set(due.values_list("workspace_id", flat=True).distinct())
    default_days = FeedbackSettings._meta.get_field("reminder_after_days").default
    delays = dict.fromkeys(workspace_ids, default_days)
    delays.update(
        FeedbackSettings.unscoped.filter(workspace_id__in=workspace_ids).values_list(
            "workspace_id", "reminder_after_days"
        )
    )
    outcomes: Counter[str] = Counter()
    for workspace_id, days in sorted(delays.items()):
        if not days:
            continue
        ids = due.filter(
            workspace_id=workspace_id, sent_at__lte=now - timedelta(days=days)
        ).values_list("pk", flat=True)
        for invitation_id in list(ids):
            try:
                outcomes[send_reminder(invitation_id, now=now)] += 1
            except Exception:
                logger.exception("Reminder for invitation %s failed", invitation_id)
                outcomes["failed"] += 1
    return outcomes


# --- unsubscribing ----------------------------------------------------------------------------


def resolve_unsubscribe(token: str) -> Invitation:
    """The invitation an unsubscribe link was mailed with; 404 for anything not signed by us."""
    try:
        invitation_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        invitation_id = None
    invitation = _load(invitation_id) if isinstance(invitation_id, int) else None
    if invitation is None:
        raise LinkNotFound(
            _("This unsubscribe link is not valid. Check that the whole link was copied.")
        )
    return invitation


def is_unsubscribed(invitation: Invitation) -> bool:
    email = normalize_email(invitation.customer.email)
    with bind_workspace(invitation.survey.workspace):
        return bool(email) and bool(_unsubscribed({email}))


def unsubscribe(
    invitation: Invitation, *, source: str = Unsubscribe.Source.LINK
) -> Unsubscribe | None:
    """Record that the invitation's address wants no more surveys from this workspace.

    Idempotent: a second click finds the row the first one wrote. ``None`` when the customer has
    no address any more (nothing to unsubscribe, and nothing will be sent).
    """
    email = normalize_email(invitation.customer.email)
    if not email:
        return None
    with bind_workspace(invitation.survey.workspace):
        found = (
            Unsubscribe.objects.annotate(normalized=Lower("email")).filter(normalized=email).first()
        )
        if found is not None:
            return found
        try:
            with transaction.atomic():
                return Unsubscribe.objects.create(
                    email=email, customer=invitation.customer, source=source
                )
        except IntegrityError:  # the same click, a moment ago
            return Unsubscribe.objects.get(email=email)


def masked_email(email: str) -> str:
    """``o…@example.com``: enough for the owner to recognise, little for anyone else."""
    local, _at, domain = email.strip().partition("@")
    return f"{local[:1]}…@{domain}" if domain else "…"
