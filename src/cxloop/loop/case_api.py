"""Cases over the API: list and read them, move their status, add notes.

Changes go through ``cases.py`` like the pages do, so the same transitions are allowed, each
change leaves its timeline row, and a change that loses a race answers 409.
"""

# No `from __future__ import annotations` here: @paginate copies the view's annotations onto
# a wrapper in another module, where names given as strings could not be resolved.

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from cxloop.api.auth import agent_token
from cxloop.api.errors import ApiError, ErrorOut, Invalid, found
from cxloop.api.pagination import CursorPagination

from . import case_selectors as selectors
from . import cases
from .models import Case, CaseEvent, CaseStatus

router = Router(tags=["cases"])


class CaseOut(Schema):
    id: int
    customer_id: int
    experience_id: int | None = Field(description="The signal that opened the case.")
    about: str = Field(description="topic:<key>, touchpoint:<id> or none (the dedupe key).")
    topic: str | None
    touchpoint_id: int | None
    department_id: int | None
    owner_id: int | None
    status: str
    overdue: bool
    signal_at: datetime
    opened_at: datetime
    due_at: datetime
    high_value: bool
    contacted_at: datetime | None
    closed_at: datetime | None
    stance_before: str | None
    stance_after: str | None
    resolution: str
    goodwill_value: Decimal | None
    goodwill_currency: str | None
    signal_count: int

    @staticmethod
    def resolve_about(case: Case) -> str:
        return case.dedupe_key

    @staticmethod
    def resolve_topic(case: Case) -> str | None:
        return case.topic.key if case.topic_id else None

    @staticmethod
    def resolve_overdue(case: Case) -> bool:
        return case.is_open and case.due_at < timezone.now()

    @staticmethod
    def resolve_stance_before(case: Case) -> str | None:
        return case.stance_before or None

    @staticmethod
    def resolve_stance_after(case: Case) -> str | None:
        return case.stance_after or None

    @staticmethod
    def resolve_goodwill_currency(case: Case) -> str | None:
        return case.goodwill_currency or None


class CaseEventOut(Schema):
    id: int
    kind: str
    actor_id: int | None
    from_status: str | None
    to_status: str | None
    owner_id: int | None
    experience_id: int | None
    text: str
    created_at: datetime

    @staticmethod
    def resolve_from_status(event: CaseEvent) -> str | None:
        return event.from_status or None

    @staticmethod
    def resolve_to_status(event: CaseEvent) -> str | None:
        return event.to_status or None


class CaseDetailOut(CaseOut):
    events: list[CaseEventOut]

    @staticmethod
    def resolve_events(case: Case) -> list[CaseEvent]:
        return list(selectors.case_timeline(case))


class CaseFilters(Schema):
    status: Literal["open", "new", "contacted", "resolved", "wont_fix"] | None = Field(
        None, description="A status, or open (new or contacted)."
    )
    owner: int | None = Field(None, description="The owner's user id.")
    overdue: bool = Field(False, description="Only open cases past their deadline.")
    customer: int | None = Field(None, description="A customer's id.")


class StatusIn(Schema):
    """Fields are checked after the case is found, so another workspace's id is a plain 404."""

    status: Literal["contacted", "resolved", "wont_fix"] | None = None
    text: str = Field("", description="How we got in touch; what we did; why not.")
    goodwill_value: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    goodwill_currency: str = Field("", description="3-letter code, with a goodwill value.")


class NoteIn(Schema):
    """Checked after the case is found, so another workspace's id is a plain 404."""

    text: str = Field("", max_length=cases.MAX_NOTE)


def _case_queryset():
    return Case.objects.select_related("topic")


def _apply(error: cases.CaseError) -> ApiError:
    return ApiError(str(error), status=error.status)


@router.get("", response=list[CaseOut], summary="List cases, by deadline")
@paginate(CursorPagination, ordering=("due_at", "id"))
def list_cases(request: HttpRequest, filters: Query[CaseFilters]):
    queryset = selectors.search_cases(
        status=filters.status or "", owner_id=filters.owner, overdue=filters.overdue
    ).order_by()
    if filters.customer is not None:
        queryset = queryset.filter(customer_id=filters.customer)
    return queryset


@router.get(
    "/{int:case_id}",
    response={200: CaseDetailOut, 404: ErrorOut},
    summary="One case with its timeline",
)
def get_case(request: HttpRequest, case_id: int):
    return found(_case_queryset(), case_id, "case")


@router.post(
    "/{int:case_id}/status",
    response={200: CaseDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    auth=agent_token,
    summary="Move a case: contacted, resolved (what we did, goodwill) or wont_fix (why)",
)
def change_case_status(request: HttpRequest, case_id: int, payload: StatusIn | None = None):
    case = found(_case_queryset(), case_id, "case")
    payload = payload or StatusIn()
    if payload.status is None:
        raise Invalid("status", "Say the new status: contacted, resolved or wont_fix.")
    try:
        cases.change_status(
            case,
            CaseStatus(payload.status),
            actor=request.membership.user,
            text=payload.text,
            goodwill_value=payload.goodwill_value,
            goodwill_currency=payload.goodwill_currency,
        )
    except cases.CaseError as error:
        raise _apply(error) from error
    return found(_case_queryset(), case_id, "case")


@router.post(
    "/{int:case_id}/notes",
    response={201: CaseEventOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    auth=agent_token,
    summary="Add a note to a case's timeline",
)
def add_case_note(request: HttpRequest, case_id: int, payload: NoteIn | None = None):
    case = found(_case_queryset(), case_id, "case")
    try:
        text = payload.text if payload is not None else ""
        event = cases.add_note(case, actor=request.membership.user, text=text)
    except cases.CaseError as error:
        raise _apply(error) from error
    return Status(201, event)
