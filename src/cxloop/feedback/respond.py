"""Answering a survey: resolving a link, reading a page of answers, storing it exactly once.

A survey is answered page by page (each page is one step and one plain HTML form). Every page is
stored when it is sent, so a respondent who stops half-way leaves a *partial* response; after the
last page the response is *completed* and becomes an experience in the ledger through
:func:`~cxloop.experiences.services.record_experience` (score → outcome, text kept, the survey's
touchpoint, the invitation's customer or none), and :data:`.events.response_completed` is sent.

**Stored once.** A double click or a retry after a network error sends the same form twice. Each
form carries the response's ``submission_id`` and the ``revision`` it was rendered from. The first
POST of an anonymous respondent *inserts* the response already at revision 1, so the unique
``submission_id`` (or, for a personal link, the one-response-per-invitation rule) lets exactly one
insert win; later POSTs move the revision with a compare-and-set
(``UPDATE … SET revision = r + 1 WHERE id = … AND revision = r``). The loser of either race writes
nothing and is shown where the winner left the response.

**Edits.** A completed response can be changed until the survey closes; every change of a
completed response replaces its experience, so the ledger and the stance follow the latest answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from cxloop.analytics.services import delete_experiences
from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Customer
from cxloop.experiences.models import Experience, Source
from cxloop.experiences.services import record_experience

from . import events, inserts, lookup
from .errors import (
    AnswersInvalid,
    FormOutdated,
    LinkExpired,
    LinkNotFound,
    SurveyClosed,
    UnknownLanguage,
)
from .models import (
    SCORED_KINDS,
    SURVEY_LANGUAGES,
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Survey,
)
from .services import hash_token

MAX_TOKEN_LENGTH = 100


# --- which language -------------------------------------------------------------------------


def choose_language(
    requested: str | None, preferred: Sequence[str], accept_language: str, default: str
) -> str:
    """The respondent's language: asked for (``?lang=``), else the customer's, else the
    browser's (``Accept-Language``), else the workspace's default."""
    if requested is not None:
        if requested in SURVEY_LANGUAGES:
            return requested
        raise UnknownLanguage(
            _(
                "This survey is not available in that language. "
                "Choose English, Ukrainian or Russian."
            )
        )
    for language in preferred:
        if language in SURVEY_LANGUAGES:
            return language
    for code, _quality in parse_accept_lang_header(accept_language[:255]):
        base = code.split("-")[0].lower()
        if base in SURVEY_LANGUAGES:
            return base
    return default if default in SURVEY_LANGUAGES else "en"


# --- which survey ---------------------------------------------------------------------------


@dataclass
class Respondent:
    """What a link resolved to: the survey, its questions, and who answers."""

    survey: Survey
    questions: list[Question]
    via: str
    invitation: Invitation | None = None
    response: Response | None = None

    @property
    def customer(self) -> Customer | None:
        return self.invitation.customer if self.invitation else None

    @property
    def preferred_languages(self) -> list[str]:
        if self.invitation is None:
            return []
        return [self.invitation.language, self.invitation.customer.language]


def _date(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def check_open(survey: Survey, now: datetime) -> None:
    if survey.status == Survey.Status.CLOSED or (survey.closes_at and survey.closes_at <= now):
        closed = survey.closed_at or survey.closes_at or now
        raise SurveyClosed(
            _("This survey closed on %(date)s and takes no more answers. Thank you all the same.")
            % {"date": _date(closed)}
        )


def _questions(survey: Survey) -> list[Question]:
    return list(Question.unscoped.filter(survey=survey).order_by("position"))


def _survey_and_questions(public_key: str) -> tuple[Survey | None, list[Question]]:
    """An anonymous link's survey and its questions in one query (every public request reads
    them; a survey without questions yet takes a second one)."""
    survey, questions = lookup.survey_and_questions(public_key)
    if survey is None:
        survey = (
            Survey.unscoped.select_related("workspace", "touchpoint")
            .filter(public_key=public_key)
            .first()
        )
    return survey, questions


def _not_found() -> LinkNotFound:
    return LinkNotFound(
        _(
            "This survey link is not valid. Check that the whole link was copied, "
            "or ask us for a new one."
        )
    )


def resolve_personal(token: str, now: datetime | None = None) -> Respondent:
    """A personal link's invitation: 404 when no token matches, 410 once expired or closed."""
    now = now or timezone.now()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise _not_found()
    invitation = (
        Invitation.unscoped.select_related("survey__workspace", "survey__touchpoint", "customer")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise _not_found()
    if invitation.expires_at <= now:
        raise LinkExpired(
            _("This link expired on %(date)s. Ask us for a new one if you still want to answer.")
            % {"date": _date(invitation.expires_at)}
        )
    survey = invitation.survey
    check_open(survey, now)
    with bind_workspace(survey.workspace):
        response = (
            Response.objects.filter(invitation=invitation).prefetch_related("answers").first()
        )
    return Respondent(
        survey, _questions(survey), Response.Via.PERSONAL, invitation=invitation, response=response
    )


def resolve_anonymous(
    key: str, via: str, submission_id: uuid.UUID | None = None, now: datetime | None = None
) -> Respondent:
    """An anonymous link's survey, and the respondent's response when they are under way."""
    now = now or timezone.now()
    if not key or len(key) > 32:
        raise _not_found()
    survey, questions = _survey_and_questions(key)
    if survey is None:
        raise _not_found()
    check_open(survey, now)
    response = None
    if submission_id is not None:
        with bind_workspace(survey.workspace):
            response = (
                Response.objects.filter(survey=survey, submission_id=submission_id, invitation=None)
                .prefetch_related("answers")
                .first()
            )
        if response is None:
            raise _not_found()
        via = response.via
    return Respondent(survey, questions, via, response=response)


# --- pages and branching --------------------------------------------------------------------


def visible(question: Question, numbers: Mapping[str, int]) -> bool:
    """Whether ``question`` is asked, given the scored answers so far (its branching rule)."""
    if not question.show_if_key:
        return True
    number = numbers.get(question.show_if_key)
    if number is None:
        return False
    if question.show_if_min is not None and number < question.show_if_min:
        return False
    return question.show_if_max is None or number <= question.show_if_max


def next_page(questions: Sequence[Question], numbers: Mapping[str, int], after: int) -> int | None:
    """The first page after ``after`` with a question to ask; None when the survey is done."""
    pages = [q.page for q in questions if q.page > after and visible(q, numbers)]
    return min(pages) if pages else None


def numbers_of(questions: Sequence[Question], answers: Sequence[Answer]) -> dict[str, int]:
    by_id = {q.pk: q for q in questions}
    return {
        by_id[a.question_id].key: a.number
        for a in answers
        if a.number is not None and a.question_id in by_id
    }


def primary_question(questions: Sequence[Question]) -> Question | None:
    """The survey's score: its first scored question (NPS, CSAT, CES or rating)."""
    return next((q for q in questions if q.is_scored), None)


# --- reading a page of answers --------------------------------------------------------------


@dataclass(frozen=True)
class Given:
    number: int | None = None
    text: str = ""
    choices: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.number is None and not self.text and not self.choices


def field_name(question: Question) -> str:
    return f"q_{question.key}"


def parse_answers(questions: Sequence[Question], data: Any) -> dict[str, Given]:
    """The answers to ``questions`` in a POST, or :class:`AnswersInvalid` naming each problem.

    Scores outside their scale are refused (never clipped), choices must be among those offered,
    texts must fit ``max_length``. Nothing is written before every answer passed.
    """
    errors: dict[str, str] = {}
    values: dict[str, Given] = {}
    for q in questions:
        name = field_name(q)
        if q.is_scored:
            _scale, low, high = SCORED_KINDS[q.kind]
            raw = (data.get(name) or "").strip()
            if not raw:
                if q.required:
                    errors[q.key] = _("Choose a score from %(low)s to %(high)s.") % {
                        "low": low,
                        "high": high,
                    }
                values[q.key] = Given()
                continue
            number = int(raw) if raw.lstrip("-").isdigit() and len(raw) < 6 else None
            if number is None or not low <= number <= high:
                errors[q.key] = _("Choose a score from %(low)s to %(high)s.") % {
                    "low": low,
                    "high": high,
                }
                continue
            values[q.key] = Given(number=number)
        elif q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            allowed = [c["value"] for c in q.choices]
            raws = data.getlist(name) if hasattr(data, "getlist") else [data.get(name, "")]
            raws = list(dict.fromkeys(r for r in raws if r))
            if q.kind == QuestionKind.SINGLE and len(raws) > 1:
                errors[q.key] = _("Choose only one answer.")
            elif any(r not in allowed for r in raws):
                errors[q.key] = _("Choose among the answers shown.")
            elif not raws and q.required:
                errors[q.key] = _("Choose an answer.")
            else:
                values[q.key] = Given(choices=tuple(r for r in allowed if r in raws))
        else:
            text = (data.get(name) or "").replace("\x00", "").strip()
            if len(text) > q.max_length:
                errors[q.key] = _(
                    "Please keep your answer under %(limit)s characters; it has %(length)s."
                ) % {"limit": f"{q.max_length:,}", "length": f"{len(text):,}"}
            elif not text and q.required:
                errors[q.key] = _("Please write a few words.")
            else:
                values[q.key] = Given(text=text)
    if errors:
        raise AnswersInvalid(_("Some answers need another look."), errors)
    return values


def read_form_state(data: Any) -> tuple[uuid.UUID, int, int]:
    """The hidden fields every survey form carries: submission id, revision, page."""
    try:
        submission_id = uuid.UUID(str(data.get("submission", "")))
        revision = int(data.get("revision", ""))
        page = int(data.get("page", ""))
    except (ValueError, TypeError):
        raise FormOutdated(
            _("This form is incomplete or out of date. Open the survey link again.")
        ) from None
    if revision < 0 or not 0 < page < 100:
        raise FormOutdated(_("This form is incomplete or out of date. Open the survey link again."))
    return submission_id, revision, page


# --- storing it -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    response: Response
    completed: bool
    next_page: int | None  # the page to show next; None when the respondent is done
    duplicate: bool = False


def submit(
    respondent: Respondent,
    *,
    submission_id: uuid.UUID,
    revision: int,
    page: int,
    data: Any,
    language: str,
    now: datetime | None = None,
) -> Submitted:
    """Store one page of answers exactly once; complete the response after its last page.

    Runs with the survey's workspace bound (the public views bind it from the link).
    """
    now = now or timezone.now()
    questions = respondent.questions
    response = respondent.response
    existing = list(response.answers.all()) if response is not None else []
    numbers = numbers_of(questions, existing)
    on_page = [q for q in questions if q.page == page]
    if not on_page or (
        response is not None
        and respondent.invitation is None
        and response.submission_id != submission_id
    ):
        raise FormOutdated(_("This form is incomplete or out of date. Open the survey link again."))
    shown = [q for q in on_page if visible(q, numbers)]
    given = parse_answers(shown, data)

    for q in shown:
        numbers.pop(q.key, None)
        if given.get(q.key) and given[q.key].number is not None:
            numbers[q.key] = given[q.key].number
    following = next_page(questions, numbers, after=page)
    completing = following is None
    was_completed = response is not None and response.status == Response.Status.COMPLETED
    finalize = completing or was_completed
    primary = primary_question(questions)
    score = numbers.get(primary.key) if primary else None
    scale = SCORED_KINDS[primary.kind][0] if primary and score is not None else ""
    by_id = {q.pk: q for q in questions}
    kept = {
        by_id[a.question_id].key: a.text
        for a in existing
        if a.text and a.question_id in by_id and by_id[a.question_id] not in shown
    }
    kept.update({k: v.text for k, v in given.items() if v.text})
    text = "\n\n".join(kept[q.key] for q in questions if kept.get(q.key) and visible(q, numbers))

    try:
        # A new response: its insert is the compare-and-set. Of two identical first POSTs one
        # inserts; the other's whole transaction, its experience included, rolls back. (One
        # transaction without a savepoint inside: two round trips less on every answer.)
        with transaction.atomic():
            if response is None:
                response = Response(
                    survey=respondent.survey,
                    invitation=respondent.invitation,
                    customer=respondent.customer,
                    touchpoint=_touchpoint(respondent),
                    submission_id=submission_id,
                    via=respondent.via,
                    language=language,
                    status=Response.Status.COMPLETED if completing else Response.Status.PARTIAL,
                    revision=1,
                    page=following or page,
                    score=score,
                    scale=scale,
                    completed_at=now if completing else None,
                )
                if completing:
                    response.experience = _record(respondent, score, scale, text, language, now)
                inserts.insert_response(response, _answer_rows(response, shown, given))
            else:
                changes: dict[str, Any] = {
                    "revision": F("revision") + 1,
                    "page": following or page,
                    "score": score,
                    "scale": scale,
                    "updated_at": now,
                }
                if completing and response.status == Response.Status.PARTIAL:
                    changes |= {"status": Response.Status.COMPLETED, "completed_at": now}
                moved = Response.objects.filter(pk=response.pk, revision=revision).update(**changes)
                if not moved:
                    return _duplicate(respondent, submission_id)
                if finalize:
                    if response.experience_id is not None:
                        delete_experiences(Experience.objects.filter(pk=response.experience_id))
                    experience = _record(respondent, score, scale, text, language, now)
                    Response.objects.filter(pk=response.pk).update(experience=experience)
                response.refresh_from_db()
                _store_answers(response, questions, shown, given, numbers, existing)

            if finalize and response.experience_id is not None:
                events.response_completed.send(
                    sender=Response,
                    response=response,
                    experience=response.experience,
                    edited=was_completed,
                )
    except IntegrityError:
        winner = _winner(respondent, submission_id) if respondent.response is None else None
        if winner is None:
            raise  # not the lost race of a first POST: a real error
        return _lost_to(winner)
    return Submitted(
        response, completed=response.status == Response.Status.COMPLETED, next_page=following
    )


def _touchpoint(respondent: Respondent) -> Any:
    if respondent.invitation is not None and respondent.invitation.touchpoint_id:
        return respondent.invitation.touchpoint
    return respondent.survey.touchpoint


def _record(
    respondent: Respondent, score: int | None, scale: str, text: str, language: str, now: datetime
) -> Experience | None:
    if score is None:
        return None  # a survey without a score (all free text) records no experience
    return record_experience(
        source=Source.SURVEY,
        occurred_at=now,
        customer=respondent.customer,
        touchpoint=_touchpoint(respondent),
        score=score,
        scale=scale,
        text=text,
        language=language,
    )


def _answer_rows(
    response: Response, shown: Sequence[Question], given: Mapping[str, Given]
) -> list[Answer]:
    return [
        Answer(
            response=response,
            question=q,
            number=given[q.key].number,
            text=given[q.key].text,
            choices=list(given[q.key].choices),
        )
        for q in shown
        if q.key in given and not given[q.key].empty
    ]


def _store_answers(
    response: Response,
    questions: Sequence[Question],
    shown: Sequence[Question],
    given: Mapping[str, Given],
    numbers: Mapping[str, int],
    existing: Sequence[Answer],
) -> None:
    """The answers of a page sent again (a later step, or an edit): upserted, and those left
    empty or no longer asked deleted."""
    rows = _answer_rows(response, shown, given)
    if existing:
        Answer.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["response", "question"],
            update_fields=["number", "text", "choices"],
        )
    else:
        Answer.objects.bulk_create(rows)
    # Answers now left empty, and answers to questions a changed score no longer asks, go.
    answered = {row.question_id for row in rows}
    stale = [
        a.pk
        for a in existing
        if a.question_id not in answered
        and (
            any(q.pk == a.question_id for q in shown)
            or not any(q.pk == a.question_id and visible(q, numbers) for q in questions)
        )
    ]
    if stale:
        Answer.objects.filter(pk__in=stale).delete()


def _winner(respondent: Respondent, submission_id: uuid.UUID) -> Response | None:
    """The response an identical POST stored first."""
    return Response.objects.filter(
        survey=respondent.survey,
        **(
            {"invitation": respondent.invitation}
            if respondent.invitation
            else {"submission_id": submission_id}
        ),
    ).first()


def _duplicate(respondent: Respondent, submission_id: uuid.UUID) -> Submitted:
    """The POST lost the race to an identical one: show where the winner left the response."""
    found = _winner(respondent, submission_id)
    if found is None:
        raise _not_found()
    return _lost_to(found)


def _lost_to(found: Response) -> Submitted:
    completed = found.status == Response.Status.COMPLETED
    return Submitted(
        found, completed=completed, next_page=None if completed else found.page, duplicate=True
    )


def new_submission_id() -> uuid.UUID:
    return uuid.uuid4()
