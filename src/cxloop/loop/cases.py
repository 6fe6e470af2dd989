"""Cases: every negative signal gets a person, a deadline and a recorded outcome.

**Negative signal.** An experience of a known customer that is either

- ``outcome = below``: a detractor's survey answer (NPS 0–6, CSAT 1–3, CES 1–3, stars 1–2, as
  ``experiences/scoring.py`` maps them), a review rated 1–2 stars, a staff note or event marked
  below; or
- a text whose insights analysis reads ``negative`` (``ExperienceAnalysis.final_emotion``): a
  social mention without a rating that complains. Analysis runs after recording, so these open
  their case when ``cxloop open_cases`` runs (hourly), not at the moment they arrive.

Anonymous signals open no case: there is nobody to get back to.

**Dedupe key** (``Case.dedupe_key``): what the case is about, so that one unhappy customer who
writes three times about late delivery gets one case, not three:

1. ``topic:<key>`` when the signal's text was analysed and has topics (the alphabetically first
   topic key when there are several);
2. else ``touchpoint:<id>`` when the signal happened at a known touchpoint;
3. else ``none``.

While a case with the same customer and key is open (``new`` or ``contacted``), a further signal
is attached to it (a ``signal`` event, ``signal_count`` + 1) instead of opening another. The
database enforces it: a partial unique index on (workspace, customer, dedupe_key) over open cases;
the insert is the compare-and-set, and the loser of a race attaches to the winner's case.

**Owner.** The touchpoint's owner department (``Touchpoint.owner_department``); inside it, round
robin over its members who may handle cases (role agent or above, ``Membership.department``): the
member who was given a case of this department least recently (never first, ties by user id).
Without a touchpoint, department or eligible member, the same round robin over the workspace's
managers and owners. Two cases opened in the same instant may go to the same person; the rotation
evens out on the next one.

**Deadline.** ``FeedbackSettings.detractor_contact_hours`` (default 48 h) after opening; for a
prosecutor (stance after the signal) with high lifetime value,
``CaseSettings.high_value_contact_hours`` (default 24 h). High value = in the top
``high_value_top_percent`` (default 20 %): at least the value of the customer ranked
⌈N · p / 100⌉, where the value is the predicted lifetime value when ``cxloop refresh_clv`` has
stored predictions (``analytics.CustomerValue``; N = customers with a prediction, a customer
without one is not high value), else the historical spend (sum of order amounts, cancelled
orders excluded; N = customers who have spent anything).

**Status flow.** ``new → contacted → resolved | won't fix``; ``new`` may also go straight to
``resolved`` or ``won't fix``. Closed cases stay closed (a new signal opens a new case). Each
change is a compare-and-set on the status, so two people clicking at once cannot both move it.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, Sum
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from cxloop.accounts.models import Department, Membership, Role, User, Workspace
from cxloop.analytics.models import CustomerValue
from cxloop.core.scoping import bind_workspace, current_workspace
from cxloop.customers.models import Customer, Order, Stance
from cxloop.experiences.models import Experience
from cxloop.experiences.scoring import Emotion, Outcome
from cxloop.feedback.services import feedback_settings
from cxloop.insights.models import ExperienceAnalysis

from . import events
from .models import OPEN_STATUSES, Case, CaseEvent, CaseSettings, CaseStatus, Notification

log = logging.getLogger(__name__)

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.NEW: frozenset({CaseStatus.CONTACTED, CaseStatus.RESOLVED, CaseStatus.WONT_FIX}),
    CaseStatus.CONTACTED: frozenset({CaseStatus.RESOLVED, CaseStatus.WONT_FIX}),
    CaseStatus.RESOLVED: frozenset(),
    CaseStatus.WONT_FIX: frozenset(),
}
HANDLER_ROLES = (Role.AGENT, Role.MANAGER, Role.OWNER)
MAX_NOTE = 5_000


class CaseError(Exception):
    """A case change that cannot be done as asked; ``str()`` says what to do instead."""

    status = 400
    field = ""


class TransitionNotAllowed(CaseError):
    status = 409


class CaseInvalid(CaseError):
    status = 422


# --- settings ---------------------------------------------------------------------------------


def case_settings(workspace: Workspace) -> CaseSettings:
    """The workspace's case settings, created with defaults on first use."""
    found = CaseSettings.objects.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return CaseSettings.objects.create(workspace=workspace)
    except IntegrityError:  # created by a concurrent first use
        return CaseSettings.objects.get()


def update_case_settings(workspace: Workspace, **values: object) -> CaseSettings:
    row = case_settings(workspace)
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


# --- what a signal is and what it is about ------------------------------------------------------


def _analysis(experience: Experience) -> ExperienceAnalysis | None:
    try:
        return experience.analysis
    except ExperienceAnalysis.DoesNotExist:
        return None


def is_negative_signal(experience: Experience) -> bool:
    """See the module docstring: outcome ``below``, or words that read negative."""
    if experience.customer_id is None:
        return False
    if experience.outcome == Outcome.BELOW:
        return True
    analysis = _analysis(experience)
    return analysis is not None and analysis.final_emotion == Emotion.NEGATIVE


@dataclass(frozen=True)
class Subject:
    key: str
    topic_id: int | None = None
    touchpoint_id: int | None = None


def subject_of(experience: Experience) -> Subject:
    """The dedupe key of a signal: topic, else touchpoint, else none."""
    analysis = _analysis(experience)
    if analysis is not None:
        topic = analysis.topics.order_by("key").first()
        if topic is not None:
            return Subject(f"topic:{topic.key}", topic.pk, experience.touchpoint_id)
    if experience.touchpoint_id is not None:
        return Subject(f"touchpoint:{experience.touchpoint_id}", None, experience.touchpoint_id)
    return Subject("none")


# --- deadline -----------------------------------------------------------------------------------


def _spend() -> Sum:
    return Sum("amount", filter=~Q(status=Order.Status.CANCELLED))


def _top_share_threshold(rows, field: str, top_percent: int) -> float | Decimal | None:
    """The ``field`` of the row ranked ⌈N · p / 100⌉ in ``rows`` (ordered high to low)."""
    count = rows.count()
    if not count or top_percent <= 0:
        return None
    rank = max(1, math.ceil(count * min(top_percent, 100) / 100))
    return next(iter(rows.values_list(field, flat=True)[rank - 1 : rank]), None)


THRESHOLD_TTL = 3600


def high_value_threshold(
    top_percent: int, *, fresh: bool = False
) -> tuple[str, float | Decimal | None]:
    """What "high lifetime value" is measured by here, and the value from which it starts.

    - ``clv``: when ``cxloop refresh_clv`` has stored predictions (``analytics.CustomerValue``),
      the predicted lifetime value; an index walk.
    - ``spend``: otherwise, the historical spend: one grouped query over all the workspace's
      orders (about 7 s per million orders on a busy laptop's PostgreSQL).

    Kept in the cache for an hour, so a detractor's answer does not pay for it; the hourly
    ``cxloop open_cases`` recomputes it (``fresh=True``).
    """
    workspace = current_workspace()
    key = f"loop:high-value:{workspace.pk}:{workspace.created_at.timestamp()}:{top_percent}"
    if not fresh:
        cached = cache.get(key)
        if cached is not None:
            return cached
    if CustomerValue.objects.exists():
        predictions = CustomerValue.objects.order_by("-lifetime_value")
        found = ("clv", _top_share_threshold(predictions, "lifetime_value", top_percent))
    else:
        spends = (
            Order.objects.values("customer_id")
            .annotate(spend=_spend())
            .filter(spend__gt=0)
            .order_by("-spend")
        )
        found = ("spend", _top_share_threshold(spends, "spend", top_percent))
    cache.set(key, found, THRESHOLD_TTL)
    return found


def customer_value(customer_id: int, basis: str) -> float | Decimal:
    """The customer's lifetime value on ``basis``; 0 without a prediction or a purchase."""
    if basis == "clv":
        found = CustomerValue.objects.filter(customer_id=customer_id).values_list(
            "lifetime_value", flat=True
        )
        return next(iter(found), 0)
    spend = Order.objects.filter(customer_id=customer_id).aggregate(spend=_spend())["spend"]
    return spend or Decimal(0)


@dataclass(frozen=True)
class DeadlineRules:
    """The workspace's deadline settings and high-value threshold, read once per batch."""

    standard_hours: int
    high_value_hours: int
    basis: str = "spend"
    threshold: float | Decimal | None = None

    @classmethod
    def current(cls, *, threshold: bool = True, fresh: bool = False) -> DeadlineRules:
        """``threshold=False`` skips the threshold (the customer is no prosecutor); ``fresh``
        recomputes it instead of reading the cache."""
        workspace = current_workspace()
        rules = case_settings(workspace)
        basis, limit = (
            high_value_threshold(rules.high_value_top_percent, fresh=fresh)
            if threshold
            else ("spend", None)
        )
        return cls(
            standard_hours=feedback_settings(workspace).detractor_contact_hours,
            high_value_hours=rules.high_value_contact_hours,
            basis=basis,
            threshold=limit,
        )


def deadline_for(
    customer: Customer, opened_at: datetime, rules: DeadlineRules | None = None
) -> tuple[datetime, bool]:
    """When the case is due, and whether the shorter high-value deadline applied."""
    rules = rules or DeadlineRules.current(threshold=customer.stance == Stance.PROSECUTOR)
    if customer.stance == Stance.PROSECUTOR and rules.threshold is not None:
        value = customer_value(customer.pk, rules.basis)
        if value > 0 and value >= rules.threshold:
            return opened_at + timedelta(hours=rules.high_value_hours), True
    return opened_at + timedelta(hours=rules.standard_hours), False


# --- owner ----------------------------------------------------------------------------------------


def _round_robin(memberships: list[Membership], department: Department | None) -> User | None:
    if not memberships:
        return None
    users = [m.user_id for m in memberships]
    given = Case.objects.filter(owner_id__in=users)
    if department is not None:
        given = given.filter(department=department)
    last = dict(
        given.values("owner_id").annotate(at=Max("opened_at")).values_list("owner_id", "at")
    )
    never = datetime.min.replace(tzinfo=UTC)
    chosen = min(memberships, key=lambda m: (last.get(m.user_id) or never, m.user_id))
    return chosen.user


def pick_owner(department: Department | None) -> User | None:
    """Round robin inside the department, else over the workspace's managers and owners."""
    if department is not None:
        members = list(
            Membership.objects.filter(department=department, role__in=HANDLER_ROLES)
            .select_related("user")
            .filter(user__is_active=True)
        )
        owner = _round_robin(members, department)
        if owner is not None:
            return owner
    leads = list(
        Membership.objects.filter(
            role__in=(Role.MANAGER, Role.OWNER), user__is_active=True
        ).select_related("user")
    )
    return _round_robin(leads, None)


def managers_of(user: User | None) -> list[User]:
    """Who is told besides the owner: the managers of the owner's department; when it has none
    (or the case has no owner), the workspace's managers and owners. Never the owner again."""
    membership = (
        Membership.objects.filter(user=user).select_related("department").first() if user else None
    )
    found: list[Membership] = []
    if membership is not None and membership.department_id is not None:
        found = list(
            Membership.objects.filter(department_id=membership.department_id, role=Role.MANAGER)
            .exclude(user=user)
            .select_related("user")
        )
    if not found:
        found = list(
            Membership.objects.filter(role__in=(Role.MANAGER, Role.OWNER))
            .exclude(user=user)
            .select_related("user")
        )
    return [m.user for m in found if m.user.is_active]


def eligible_owner(user_id: int) -> User:
    membership = (
        Membership.objects.filter(user_id=user_id, role__in=HANDLER_ROLES)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise CaseInvalid(_("Choose a member of this workspace who can handle cases."))
    return membership.user


# --- opening ----------------------------------------------------------------------------------


def _already_linked(experience: Experience) -> bool:
    return (
        Case.objects.filter(experience=experience).exists()
        or CaseEvent.objects.filter(experience=experience, kind=CaseEvent.Kind.SIGNAL).exists()
    )


def open_case_for(
    experience: Experience,
    *,
    now: datetime | None = None,
    rules: DeadlineRules | None = None,
    unlinked: bool = False,
) -> Case | None:
    """Open a case for a negative signal, or attach it to the open case about the same thing.

    Returns the case (new or existing), or None when the experience is not a negative signal of
    a known customer. Idempotent: a signal already linked to a case is not linked again
    (``unlinked=True``: the caller's query already left linked signals out). ``rules`` lets a
    batch read the deadline settings once. Most answers are not negative: they are turned away
    before a savepoint is opened (two round trips saved on every survey answer).
    """
    if not is_negative_signal(experience):
        return None
    return _open_case_for(experience, now=now, rules=rules, unlinked=unlinked)


@transaction.atomic
def _open_case_for(
    experience: Experience,
    *,
    now: datetime | None,
    rules: DeadlineRules | None,
    unlinked: bool,
) -> Case | None:
    if not unlinked and _already_linked(experience):
        return None
    now = now or timezone.now()
    customer = Customer.objects.get(pk=experience.customer_id)
    subject = subject_of(experience)
    existing = _open_case(customer, subject.key)
    if existing is not None:
        return _attach(existing, experience, now)

    department = None
    if subject.touchpoint_id is not None:
        department = Department.objects.filter(touchpoints__pk=subject.touchpoint_id).first()
    due_at, high_value = deadline_for(customer, now, rules)
    owner = pick_owner(department)
    case = Case(
        customer=customer,
        experience=experience,
        dedupe_key=subject.key,
        topic_id=subject.topic_id,
        touchpoint_id=subject.touchpoint_id,
        department=department,
        owner=owner,
        signal_at=experience.occurred_at,
        opened_at=now,
        due_at=due_at,
        high_value=high_value,
        stance_before=customer.stance,
    )
    try:
        with transaction.atomic():  # the insert is the compare-and-set
            case.save(force_insert=True)
    except IntegrityError:
        winner = _open_case(customer, subject.key)
        if winner is None:  # the constraint that fired was not ours
            raise
        return _attach(winner, experience, now)
    events.case_opened_event(case, now=now)
    return case


def _open_case(customer: Customer, key: str) -> Case | None:
    return Case.objects.filter(customer=customer, dedupe_key=key, status__in=OPEN_STATUSES).first()


def _attach(case: Case, experience: Experience, now: datetime) -> Case:
    Case.objects.filter(pk=case.pk).update(signal_count=F("signal_count") + 1, updated_at=now)
    case.refresh_from_db()
    events.signal_attached(case, experience, now=now)
    return case


@dataclass
class OpenSummary:
    examined: int = 0
    opened: int = 0
    attached: int = 0
    case_ids: list[int] = field(default_factory=list)


def negative_signals_without_case(since: datetime | None = None):
    """Negative signals of known customers that no case links to yet, oldest first."""
    linked_as_opener = Case.objects.filter(experience__isnull=False).values("experience_id")
    linked_as_signal = CaseEvent.objects.filter(
        kind=CaseEvent.Kind.SIGNAL, experience__isnull=False
    ).values("experience_id")
    candidates = Experience.objects.filter(customer__isnull=False).filter(
        Q(outcome=Outcome.BELOW)
        | Q(analysis__corrected_emotion=Emotion.NEGATIVE)
        | Q(analysis__corrected_emotion="", analysis__emotion=Emotion.NEGATIVE)
    )
    if since is not None:
        candidates = candidates.filter(occurred_at__gte=since)
    return (
        candidates.exclude(pk__in=linked_as_opener)
        .exclude(pk__in=linked_as_signal)
        .order_by("occurred_at", "id")
    )


def open_cases(
    *, since: datetime | None = None, now: datetime | None = None, at_signal_time: bool = False
) -> OpenSummary:
    """Backfill: run :func:`open_case_for` over negative signals that have no case yet.

    For the bulk paths that insert experiences without ``record_experience`` (demo, imports)
    and for texts that read negative only after analysis. ``at_signal_time`` opens each case as
    if it had been opened when its signal happened (the demo's history); otherwise cases open
    now, so a backfill of old signals gets a fresh deadline rather than being born overdue.
    """
    summary = OpenSummary()
    rules = DeadlineRules.current(fresh=True)
    for experience in (
        negative_signals_without_case(since).select_related("analysis").iterator(chunk_size=500)
    ):
        summary.examined += 1
        opened_at = experience.occurred_at if at_signal_time else (now or timezone.now())
        case = open_case_for(experience, now=opened_at, rules=rules, unlinked=True)
        if case is None:
            continue
        if case.experience_id == experience.pk:
            summary.opened += 1
            summary.case_ids.append(case.pk)
        else:
            summary.attached += 1
    return summary


# --- working a case -------------------------------------------------------------------------------


def _clean_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_NOTE:
        raise CaseInvalid(
            _("The %(what)s is %(n)d characters long; the limit is %(limit)d.")
            % {"what": what, "n": len(text), "limit": MAX_NOTE}
        )
    return text


@transaction.atomic
def change_status(
    case: Case,
    to_status: str,
    *,
    actor: User | None,
    text: str = "",
    now: datetime | None = None,
    goodwill_value: Decimal | None = None,
    goodwill_currency: str = "",
) -> Case:
    """Move a case along the status flow; a compare-and-set on the status it was read with."""
    now = now or timezone.now()
    from_status = case.status
    if to_status not in ALLOWED_TRANSITIONS.get(from_status, ()):
        raise TransitionNotAllowed(
            _("A case that is “%(from)s” cannot become “%(to)s”.")
            % {"from": CaseStatus(from_status).label, "to": CaseStatus(to_status).label}
            if to_status in CaseStatus.values
            else _("Unknown status %(to)s.") % {"to": to_status}
        )
    text = _clean_text(text, _("text"))
    changes: dict[str, object] = {"status": to_status, "updated_at": now}
    if to_status == CaseStatus.CONTACTED:
        changes["contacted_at"] = now
    else:  # resolved or won't fix: closing
        if not text:
            raise CaseInvalid(
                _("Say what we did for the customer.")
                if to_status == CaseStatus.RESOLVED
                else _("Say why nothing will be done.")
            )
        if goodwill_value is not None:
            if goodwill_value < 0:
                raise CaseInvalid(_("Goodwill cannot be negative."))
            goodwill_currency = (goodwill_currency or "").strip().upper()
            if len(goodwill_currency) != 3 or not goodwill_currency.isalpha():
                raise CaseInvalid(_("Give the goodwill's currency as a 3-letter code (UAH)."))
            changes |= {"goodwill_value": goodwill_value, "goodwill_currency": goodwill_currency}
        customer_stance = (
            Customer.objects.filter(pk=case.customer_id).values_list("stance", flat=True).first()
        )
        changes |= {"closed_at": now, "resolution": text, "stance_after": customer_stance or ""}
        if case.contacted_at is None and to_status == CaseStatus.RESOLVED:
            changes["contacted_at"] = now
    moved = Case.objects.filter(pk=case.pk, status=from_status).update(**changes)
    if not moved:
        raise TransitionNotAllowed(
            _("Somebody changed this case meanwhile; reload it and try again.")
        )
    case.refresh_from_db()
    events.status_changed(case, from_status, actor=actor, text=text, now=now)
    return case


def add_note(
    case: Case, *, actor: User | None, text: str, now: datetime | None = None
) -> CaseEvent:
    text = _clean_text(text, _("note"))
    if not text:
        raise CaseInvalid(_("Write the note first."))
    with transaction.atomic():
        return events.note_added(case, actor=actor, text=text, now=now or timezone.now())


@transaction.atomic
def reassign(case: Case, *, actor: User | None, owner: User, now: datetime | None = None) -> Case:
    """Give the case to another member who can handle cases; the overdue notice is re-armed so
    the new owner hears about it too."""
    owner = eligible_owner(owner.pk)
    if not case.is_open:
        raise TransitionNotAllowed(_("A closed case cannot be reassigned."))
    now = now or timezone.now()
    Case.objects.filter(pk=case.pk).update(owner=owner, overdue_notified_at=None, updated_at=now)
    case.refresh_from_db()
    events.owner_assigned(case, actor=actor, now=now)
    return case


# --- overdue ----------------------------------------------------------------------------------


def overdue_q(now: datetime) -> Q:
    return Q(status__in=OPEN_STATUSES, due_at__lt=now)


@dataclass
class NotifySummary:
    cases: int = 0
    notices: int = 0
    emailed: int = 0
    email_failed: int = 0


def notify_overdue_cases(
    *, now: datetime | None = None, workspace: Workspace | None = None, email: bool = True
) -> NotifySummary:
    """Tell each overdue case's owner and their managers, once per case (per owner).

    Across all workspaces (a periodic sweep), or one; ``email=False`` writes the in-app notices
    only (the demo loader), leaving the emails to the next sweep. The claim is a compare-and-set on
    ``Case.overdue_notified_at``; the notices and the timeline row are written in the same
    transaction, and the emails go after commit, each claimed by ``Notification.emailed_at``.
    """
    now = now or timezone.now()
    summary = NotifySummary()
    pending = (
        Case.unscoped.filter(overdue_q(now), overdue_notified_at__isnull=True)
        .select_related("workspace")
        .order_by("workspace_id", "due_at")
    )
    if workspace is not None:
        pending = pending.filter(workspace=workspace)
    for case in pending.iterator(chunk_size=200):
        with bind_workspace(case.workspace), transaction.atomic():
            claimed = (
                Case.objects.filter(pk=case.pk, overdue_notified_at__isnull=True)
                .filter(overdue_q(now))
                .update(overdue_notified_at=now)
            )
            if not claimed:
                continue
            owner = User.objects.filter(pk=case.owner_id).first() if case.owner_id else None
            people = ([owner] if owner else []) + managers_of(owner)
            created = Notification.objects.bulk_create(
                [
                    Notification(
                        user=person, kind=Notification.Kind.CASE_OVERDUE, case=case, created_at=now
                    )
                    for person in people
                ],
                ignore_conflicts=True,
            )
            events.overdue_notified(case, people, now=now)
            summary.cases += 1
            summary.notices += len(created)
    if email:
        summary.emailed, summary.email_failed = send_notification_emails(now=now)
    return summary


def send_notification_emails(*, now: datetime | None = None) -> tuple[int, int]:
    """Email the in-app notices not emailed yet, where the workspace wants it; each at most once.

    A notice is claimed (``emailed_at``) before sending and given back when the server refuses,
    so the next run retries it; a notice older than a day is not emailed any more.
    """
    now = now or timezone.now()
    sent = failed = 0
    wanted = Notification.unscoped.filter(
        emailed_at__isnull=True, created_at__gte=now - timedelta(days=1)
    ).exclude(user__email="")
    off = CaseSettings.unscoped.filter(email_overdue=False).values("workspace_id")
    for notice in wanted.exclude(workspace_id__in=off).select_related(
        "user", "case", "case__customer", "workspace"
    ):
        claimed = Notification.unscoped.filter(pk=notice.pk, emailed_at__isnull=True).update(
            emailed_at=now
        )
        if not claimed:
            continue
        try:
            _overdue_email(notice).send()
        except OSError as exc:  # smtplib errors are OSErrors: refused, unreachable
            Notification.unscoped.filter(pk=notice.pk, emailed_at=now).update(emailed_at=None)
            log.warning("overdue notice %s not emailed: %s", notice.pk, exc)
            failed += 1
            continue
        sent += 1
    return sent, failed


def _overdue_email(notice: Notification) -> EmailMessage:
    case = notice.case
    language = notice.workspace.default_language
    link = f"{settings.PUBLIC_BASE_URL}{reverse('loop:case_detail', args=[case.pk])}"
    with translation.override(language):
        subject = _("Case #%(id)s is overdue: %(customer)s") % {
            "id": case.pk,
            "customer": case.customer.name,
        }
        body = _(
            "The case of %(customer)s was due %(due)s and is still %(status)s.\n\n"
            "Open it: %(link)s\n\n"
            "(Workspace: %(workspace)s)"
        ) % {
            "customer": case.customer.name,
            "due": formats.date_format(timezone.localtime(case.due_at), "SHORT_DATETIME_FORMAT"),
            "status": CaseStatus(case.status).label,
            "link": link,
            "workspace": notice.workspace.name,
        }
    return EmailMessage(subject=subject, body=body, to=[notice.user.email])


def mark_notifications_read(user: User, *, now: datetime | None = None) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
