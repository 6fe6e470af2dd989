"""Surveys over the API: list them, read one with its questions, page through its responses.

Responses are listed newest first with cursor pagination; each carries its answers keyed by the
question's ``key`` (a number for scores, the chosen values for choices, the text for free text).
"""

# No `from __future__ import annotations` here: @paginate copies the view's annotations onto
# a wrapper in another module, where names given as strings could not be resolved.

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from cxloop.api.auth import agent_token
from cxloop.api.bulk import RowsOf
from cxloop.api.errors import ErrorOut, TooLarge, found
from cxloop.api.pagination import CursorPagination
from cxloop.api.schemas import one_of

from . import mentions
from .models import Mention, Question, Response, Survey

router = Router(tags=["surveys"])
mentions_router = Router(tags=["mentions"])


class QuestionOut(Schema):
    key: str
    position: int
    page: int
    kind: str
    text: dict[str, str] = Field(description="The question in each language: en, uk, ru.")
    choices: list[dict[str, Any]]
    required: bool
    show_if_key: str | None = Field(description="Asked only when this answer is in range.")
    show_if_min: int | None
    show_if_max: int | None

    @staticmethod
    def resolve_show_if_key(question: Question) -> str | None:
        return question.show_if_key or None


class SurveyOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    title: dict[str, str]
    touchpoint_id: int | None
    anonymous_path: str = Field(description="The anonymous link, relative to this server.")
    closes_at: datetime | None
    closed_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_anonymous_path(survey: Survey) -> str:
        return f"/s/{survey.public_key}/"


class SurveyDetailOut(SurveyOut):
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(survey: Survey) -> list[Question]:
        return list(survey.questions.order_by("position"))


class ResponseOut(Schema):
    id: int
    survey_id: int
    customer_id: int | None = Field(description="null for an anonymous answer")
    touchpoint_id: int | None
    experience_id: int | None
    via: str
    language: str
    status: str
    score: int | None
    scale: str | None
    started_at: datetime
    completed_at: datetime | None
    answers: dict[str, Any] = Field(description="Answers by question key.")

    @staticmethod
    def resolve_scale(response: Response) -> str | None:
        return response.scale or None

    @staticmethod
    def resolve_answers(response: Response) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for answer in response.answers.all():
            key = answer.question.key
            if answer.number is not None:
                values[key] = answer.number
            elif answer.choices:
                values[key] = answer.choices
            else:
                values[key] = answer.text
        return values


@router.get("", response=list[SurveyOut], summary="List surveys, newest first")
@paginate(CursorPagination, ordering=("-created_at", "-id"))
def list_surveys(request: HttpRequest):
    return Survey.objects.all()


@router.get(
    "/{int:survey_id}",
    response={200: SurveyDetailOut, 404: ErrorOut},
    summary="One survey with its questions",
)
def get_survey(request: HttpRequest, survey_id: int):
    return found(Survey.objects, survey_id, "survey")


class ResponseFilters(Schema):
    status: one_of(Response.Status) | None = Field(
        None, description="Default: completed and partial."
    )


@router.get(
    "/{int:survey_id}/responses",
    response=list[ResponseOut],
    summary="A survey's responses, latest first",
)
@paginate(CursorPagination, ordering=("-started_at", "-id"))
def list_responses(request: HttpRequest, survey_id: int, filters: Query[ResponseFilters]):
    survey = found(Survey.objects, survey_id, "survey")
    rows = Response.objects.filter(survey=survey).prefetch_related("answers__question")
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows


# --- reviews and social mentions --------------------------------------------------------------


class MentionOut(Schema):
    id: int
    kind: str
    source: str
    external_id: str
    author: str
    url: str
    rating: int | None = Field(description="Stars 1–5; null for a mention without a rating.")
    text: str = Field(description="As posted; untrusted, escape it wherever it is shown.")
    language: str
    posted_at: datetime
    customer_id: int | None = Field(description="The customer it was matched to, if any.")
    experience_id: int | None
    imported_via: str
    created_at: datetime


class MentionBulkIn(Schema):
    rows: list[Annotated[dict[str, Any], RowsOf(mentions.MentionRow)]] = Field(
        description=f"At most {mentions.MAX_ROWS:,} mentions. A row whose source and "
        "external_id are already stored counts as a duplicate and changes nothing."
    )


class MentionRowErrorOut(Schema):
    index: int = Field(description="The row's position in the request, from 0.")
    external_id: str
    message: str


class MentionImportOut(Schema):
    created: int
    duplicates: int
    errors: list[MentionRowErrorOut]


class MentionFilters(Schema):
    source: str | None = Field(None, description="Only mentions from this source (google, …).")


@mentions_router.post(
    "",
    auth=agent_token,
    response={200: MentionImportOut, 403: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    summary="Import reviews and social mentions (bulk)",
)
def import_mentions(request: HttpRequest, payload: MentionBulkIn):
    if len(payload.rows) > mentions.MAX_ROWS:
        raise TooLarge(
            f"Send at most {mentions.MAX_ROWS:,} rows per request; this one has "
            f"{len(payload.rows):,}. Split the rows into batches."
        )
    result = mentions.import_mentions(payload.rows, Mention.ImportedVia.API)
    return {"created": result.created, "duplicates": result.duplicates, "errors": result.errors}


@mentions_router.get("", response=list[MentionOut], summary="List mentions, latest posted first")
@paginate(CursorPagination, ordering=("-posted_at", "-id"))
def list_mentions(request: HttpRequest, filters: Query[MentionFilters]):
    rows = Mention.objects.all()
    if filters.source:
        rows = rows.filter(source=filters.source.lower())
    return rows
