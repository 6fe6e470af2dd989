""" "You said, we did": telling the customers who asked for an improvement that it shipped.

The flow, and the guarantees each step gives (the same discipline as survey invitations in
:mod:`cxloop.feedback.distribution`):

1. :func:`notify_customers` runs when an improvement ships, in the shipping transaction. It makes
   one :class:`YouSaidNotification` per distinct customer behind the linked signals; the unique
   constraint (improvement, customer) makes "at most once per improvement" structural, and
   customers who already have a row are left alone, so shipping logic that runs twice adds none.
   A customer who cannot be told now gets the row with the reason in ``skipped_reason``: no
   address (``no_email``), no consent to email (``no_consent``), unsubscribed from this
   workspace's email (``unsubscribed``, the feedback app's :class:`Unsubscribe` list, which the
   unsubscribe link of this email also writes to), or contacted within the workspace's
   contact-frequency cap (``capped``: ``FeedbackSettings.contact_cap_days``, counting survey
   invitations and other "you said, we did" emails). The sending is enqueued with
   ``transaction.on_commit``: a rolled-back shipping sends nothing.
2. :func:`send_notification` (the task ``loop.send_you_said``) checks consent and unsubscribe
   again, then claims the row with a compare-and-set (``UPDATE … SET sent_at = now WHERE pk = …
   AND sent_at IS NULL AND skipped_reason = ''``) before talking to the mail server, so a retried
   or duplicated task cannot send twice. When the server refuses, the claim is given back and the
   error re-raised, so a retry can send.

The email comes from the workspace's template in the customer's language (``YouSaidTemplate``,
edited and previewed by a manager; the built-in copy below otherwise) with three placeholders:
``{name}``, ``{change}`` (the improvement's message to customers in that language, else its
title) and ``{workspace}``. A sent row is the record on the customer's 360 timeline.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cxloop.accounts.models import Workspace
from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Customer
from cxloop.feedback.models import Invitation, Unsubscribe
from cxloop.feedback.services import feedback_settings

from . import events
from .models import Improvement, YouSaidNotification, YouSaidTemplate

LANGUAGES = ("en", "uk", "ru")
UNSUBSCRIBE_SALT = "cxloop.loop.you_said.unsubscribe"
DEFAULT_BASE_URL = "http://localhost:8000"
LAST_ERROR_CHARS = 2000

NO_EMAIL = "no_email"
NO_CONSENT = "no_consent"
UNSUBSCRIBED = "unsubscribed"
CAPPED = "capped"

# Customer-facing copy in the customer's language whatever the staff's language (like the survey
# emails' ``feedback.email_copy``): the built-in template and the fixed lines around it.
DEFAULT_COPY: dict[str, dict[str, str]] = {
    "en": {
        "subject": "You said, we did",
        "body": (
            "Hello {name},\n\n"
            "Some time ago you told us how things went with us. We listened, and this is what "
            "we changed:\n\n{change}\n\n"
            "Thank you for taking the time to tell us: it makes {workspace} better for "
            "everyone.\n\nThe {workspace} team"
        ),
    },
    "uk": {
        "subject": "Ви сказали — ми зробили",
        "body": (
            "Вітаємо, {name}!\n\n"
            "Нещодавно ви розповіли нам, як усе пройшло. Ми прислухалися, і ось що "
            "змінили:\n\n{change}\n\n"
            "Дякуємо, що знайшли час написати: завдяки вам {workspace} стає кращою для "
            "всіх.\n\nКоманда {workspace}"
        ),
    },
    "ru": {
        "subject": "Вы сказали — мы сделали",
        "body": (
            "Здравствуйте, {name}!\n\n"
            "Недавно вы рассказали нам, как всё прошло. Мы прислушались, и вот что "
            "изменили:\n\n{change}\n\n"
            "Спасибо, что нашли время написать: благодаря вам {workspace} становится лучше "
            "для всех.\n\nКоманда {workspace}"
        ),
    },
}
FIXED: dict[str, dict[str, str]] = {
    "en": {
        "anonymous": "there",
        "why": "You get this email because you told {workspace} what you think.",
        "unsubscribe": "Unsubscribe from {workspace} emails",
    },
    "uk": {
        "anonymous": "друже",
        "why": "Ви отримали цей лист, бо поділилися з {workspace} своєю думкою.",
        "unsubscribe": "Відписатися від листів {workspace}",
    },
    "ru": {
        "anonymous": "друг",
        "why": "Вы получили это письмо, потому что поделились с {workspace} своим мнением.",
        "unsubscribe": "Отписаться от писем {workspace}",
    },
}

UNSUBSCRIBE_PAGE: dict[str, dict[str, str]] = {
    "en": {
        "title": "Unsubscribe",
        "question": "Stop all emails from {workspace} to this address?",
        "button": "Unsubscribe",
        "done": "Done: this address will get no more emails from {workspace}.",
    },
    "uk": {
        "title": "Відписка",
        "question": "Більше не надсилати листи від {workspace} на цю адресу?",
        "button": "Відписатися",
        "done": "Готово: на цю адресу більше не надходитимуть листи від {workspace}.",
    },
    "ru": {
        "title": "Отписка",
        "question": "Больше не присылать письма от {workspace} на этот адрес?",
        "button": "Отписаться",
        "done": "Готово: на этот адрес больше не будут приходить письма от {workspace}.",
    },
}


def normalize_email(email: str) -> str:
    return email.strip().lower()


def template_for(language: str) -> tuple[str, str]:
    """(subject, body) of the bound workspace's template in ``language``, else the built-in."""
    language = language if language in LANGUAGES else "en"
    row = YouSaidTemplate.objects.filter(language=language).first()
    if row is not None:
        return row.subject, row.body
    copy = DEFAULT_COPY[language]
    return copy["subject"], copy["body"]


@transaction.atomic
def save_template(language: str, *, subject: str, body: str) -> YouSaidTemplate:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    row, _created = YouSaidTemplate.objects.update_or_create(
        language=language, defaults={"subject": " ".join(subject.split()), "body": body.strip()}
    )
    return row


def fill(text: str, *, name: str, change: str, workspace: str) -> str:
    """Replace the three placeholders; any other brace is left as written (no format strings)."""
    return (
        text.replace("{name}", name).replace("{change}", change).replace("{workspace}", workspace)
    )


def change_text(improvement: Improvement, language: str) -> str:
    message = improvement.customer_message or {}
    return (
        message.get(language)
        or next((message[k] for k in LANGUAGES if message.get(k)), "")
        or improvement.title
    )


def language_of(customer: Customer | None, workspace: Workspace) -> str:
    for language in (getattr(customer, "language", ""), workspace.default_language):
        if language in LANGUAGES:
            return language
    return "en"


@dataclass(frozen=True)
class Email:
    language: str
    subject: str
    text: str
    html: str
    to: str
    unsubscribe_url: str


def _absolute(path: str) -> str:
    base = getattr(settings, "PUBLIC_BASE_URL", "") or DEFAULT_BASE_URL
    return base.rstrip("/") + path


def unsubscribe_token(notification: YouSaidNotification) -> str:
    return signing.dumps(notification.pk, salt=UNSUBSCRIBE_SALT)


def compose(
    improvement: Improvement,
    *,
    language: str,
    name: str,
    to: str = "",
    unsubscribe_url: str = "#",
) -> Email:
    """The email in ``language``; customer and staff text is escaped by the HTML template."""
    workspace = improvement.workspace.name
    subject, body = template_for(language)
    fixed = FIXED[language]
    name = " ".join(name.split()) or fixed["anonymous"]
    values = {"name": name, "change": change_text(improvement, language), "workspace": workspace}
    text_body = fill(body, **values)
    context = {
        "language": language,
        "paragraphs": [p for p in text_body.split("\n\n") if p.strip()],
        "text_body": text_body,
        "why": fill(fixed["why"], **values),
        "unsubscribe": fill(fixed["unsubscribe"], **values),
        "unsubscribe_url": unsubscribe_url,
    }
    return Email(
        language=language,
        subject=" ".join(fill(subject, **values).split()),
        text=render_to_string("loop/you_said_email.txt", context),
        html=render_to_string("loop/you_said_email.html", context),
        to=to,
        unsubscribe_url=unsubscribe_url,
    )


def preview(improvement: Improvement, language: str, *, name: str = "") -> Email:
    """What a customer would receive, for the manager's preview (nothing is sent or stored)."""
    return compose(improvement, language=language, name=name or "Олена")


# --- who is told ------------------------------------------------------------------------------


def _unsubscribed(emails: set[str]) -> set[str]:
    if not emails:
        return set()
    return set(
        Unsubscribe.objects.annotate(normalized=Lower("email"))
        .filter(normalized__in=emails)
        .values_list("normalized", flat=True)
    )


def _contacted_since(customer_ids: list[int], since: datetime) -> set[int]:
    """Customers emailed a survey or a "you said, we did" since ``since`` (or about to be)."""
    surveyed = Invitation.objects.filter(customer_id__in=customer_ids, skipped_reason="").filter(
        Q(sent_at__gte=since)
        | Q(sent_at__isnull=True, channel=Invitation.Channel.EMAIL, created_at__gte=since)
    )
    told = YouSaidNotification.objects.filter(
        customer_id__in=customer_ids, skipped_reason=""
    ).filter(Q(sent_at__gte=since) | Q(sent_at__isnull=True, created_at__gte=since))
    return set(surveyed.values_list("customer_id", flat=True)) | set(
        told.values_list("customer_id", flat=True)
    )


@dataclass
class NotifyResult:
    queued: list[int]
    skipped: Counter[str]


def notify_customers(improvement: Improvement, *, now: datetime | None = None) -> NotifyResult:
    """Create the notifications of a shipped improvement and enqueue their sending after commit."""
    now = now or timezone.now()
    workspace = improvement.workspace
    result = NotifyResult([], Counter())
    with transaction.atomic(), bind_workspace(workspace):
        customer_ids = set(
            improvement.experiences.filter(customer__isnull=False).values_list(
                "customer_id", flat=True
            )
        )
        customer_ids -= set(
            YouSaidNotification.objects.filter(improvement=improvement).values_list(
                "customer_id", flat=True
            )
        )
        if not customer_ids:
            return result
        customers = list(Customer.objects.select_for_update().filter(pk__in=customer_ids))
        ids = [c.pk for c in customers]
        unsubscribed = _unsubscribed({normalize_email(c.email) for c in customers} - {""})
        cap_days = feedback_settings(workspace).contact_cap_days
        capped = _contacted_since(ids, now - timedelta(days=cap_days)) if cap_days else set()
        rows = []
        for customer in customers:
            email = normalize_email(customer.email)
            reason = (
                NO_EMAIL
                if not email
                else NO_CONSENT
                if not customer.consent_email
                else UNSUBSCRIBED
                if email in unsubscribed
                else CAPPED
                if customer.pk in capped
                else ""
            )
            if reason:
                result.skipped[reason] += 1
            rows.append(
                YouSaidNotification(
                    improvement=improvement,
                    customer=customer,
                    language=language_of(customer, workspace),
                    created_at=now,
                    skipped_reason=reason,
                )
            )
        YouSaidNotification.objects.bulk_create(rows)
        result.queued = [row.pk for row in rows if not row.skipped_reason]
        events.customers_told(improvement, queued=len(result.queued), skipped=dict(result.skipped))
        for pk in result.queued:
            transaction.on_commit(_enqueue_send(pk))
    return result


def _enqueue_send(notification_id: int):
    def enqueue() -> None:
        from .tasks import send_you_said

        send_you_said.enqueue(notification_id)

    return enqueue


# --- sending ----------------------------------------------------------------------------------


def _load(notification_id: int) -> YouSaidNotification | None:
    return (
        YouSaidNotification.unscoped.select_related("improvement__workspace", "customer")
        .filter(pk=notification_id)
        .first()
    )


def send_notification(notification_id: int, *, now: datetime | None = None) -> str:
    """Mail one notification at most once; returns ``sent``, ``already_sent``,
    ``skipped:<reason>`` or ``missing``. Re-raises what the mail server raised, claim given back.
    """
    now = now or timezone.now()
    row = _load(notification_id)
    if row is None:
        return "missing"
    if row.sent_at is not None:
        return "already_sent"
    if row.skipped_reason:
        return f"skipped:{row.skipped_reason}"
    customer, improvement = row.customer, row.improvement
    unsent = Q(pk=row.pk, sent_at__isnull=True, skipped_reason="")
    with bind_workspace(improvement.workspace):
        email = normalize_email(customer.email)
        reason = (
            NO_EMAIL
            if not email
            else NO_CONSENT
            if not customer.consent_email
            else UNSUBSCRIBED
            if _unsubscribed({email})
            else ""
        )
        if reason:
            YouSaidNotification.objects.filter(unsent).update(skipped_reason=reason)
            return f"skipped:{reason}"
        claimed = YouSaidNotification.objects.filter(unsent).update(
            sent_at=now, send_attempts=F("send_attempts") + 1
        )
        if not claimed:
            return "already_sent"
        language = row.language if row.language in LANGUAGES else "en"
        unsubscribe_url = _absolute(
            reverse("loop:you_said_unsubscribe", args=[unsubscribe_token(row)])
        )
        built = compose(
            improvement,
            language=language,
            name=customer.name,
            to=customer.email.strip(),
            unsubscribe_url=unsubscribe_url,
        )
        message = EmailMultiAlternatives(
            subject=built.subject,
            body=built.text,
            to=[built.to],
            headers={
                "Content-Language": language,
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(built.html, "text/html")
        try:
            message.send()
        except Exception as exc:
            YouSaidNotification.objects.filter(pk=row.pk, sent_at=now).update(
                sent_at=None, last_error=f"{type(exc).__name__}: {exc}"[:LAST_ERROR_CHARS]
            )
            raise
    return "sent"


# --- unsubscribing ----------------------------------------------------------------------------


def resolve_unsubscribe(token: str) -> YouSaidNotification | None:
    try:
        notification_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return _load(notification_id) if isinstance(notification_id, int) else None


def unsubscribe(notification: YouSaidNotification) -> Unsubscribe | None:
    """Record that the address wants no more email from this workspace (idempotent)."""
    email = normalize_email(notification.customer.email)
    if not email:
        return None
    with bind_workspace(notification.improvement.workspace):
        found = (
            Unsubscribe.objects.annotate(normalized=Lower("email")).filter(normalized=email).first()
        )
        if found is not None:
            return found
        try:
            with transaction.atomic():
                return Unsubscribe.objects.create(
                    email=email, customer=notification.customer, source=Unsubscribe.Source.LINK
                )
        except IntegrityError:
            return Unsubscribe.objects.get(email=email)
