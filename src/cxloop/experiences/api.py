"""The experience ledger over the API: list it, read one entry, record a new encounter.

Recording goes through :func:`cxloop.experiences.services.record_experience`, the one way an
encounter enters the ledger, so an experience sent by API moves the customer's stance exactly as
one from a survey does; the answer carries the customer's stance after it.
"""

# No `from __future__ import annotations` here: @paginate copies the view's annotations onto
# a wrapper in another module, where names given as strings could not be resolved.

from datetime import datetime
from typing import Annotated, Literal, Self

from django.http import HttpRequest
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from cxloop.api.auth import agent_token
from cxloop.api.errors import ErrorOut, Invalid, found, referenced
from cxloop.api.pagination import CursorPagination
from cxloop.api.schemas import Moment, one_of
from cxloop.customers.models import LANGUAGES, Customer, Expectation
from cxloop.journeys.models import Touchpoint

from .models import Experience, Source
from .scoring import Emotion, Outcome, Scale
from .services import record_experience

router = Router(tags=["experiences"])


class ExperienceOut(Schema):
    id: int
    customer_id: int | None = Field(description="null for an anonymous signal")
    touchpoint_id: int | None
    expectation_id: int | None
    occurred_at: datetime
    source: str
    score: int | None
    scale: str | None
    outcome: str
    emotion: str
    text: str
    language: str
    created_at: datetime

    @staticmethod
    def resolve_scale(experience: Experience) -> str | None:
        return experience.scale or None


class RecordedExperienceOut(ExperienceOut):
    customer_stance: str | None = Field(
        description="The customer's stance after this experience; null when not known."
    )

    @staticmethod
    def resolve_customer_stance(experience: Experience) -> str | None:
        return (experience.customer.stance or None) if experience.customer else None


class ExperienceFilters(FilterSchema):
    customer: Annotated[int | None, FilterLookup("customer_id")] = Field(
        None, description="A customer's id."
    )
    customer_external_id: Annotated[str | None, FilterLookup("customer__external_id")] = None
    touchpoint: Annotated[int | None, FilterLookup("touchpoint_id")] = None
    source: one_of(Source) | None = None
    emotion: one_of(Emotion) | None = None
    outcome: one_of(Outcome) | None = None
    occurred_after: Annotated[Moment | None, FilterLookup("occurred_at__gte")] = None
    occurred_before: Annotated[Moment | None, FilterLookup("occurred_at__lt")] = None


class ExperienceIn(Schema):
    """A score with its scale (the outcome follows from it), or an outcome without a score."""

    model_config = ConfigDict(coerce_numbers_to_str=True)  # an external id sent as a number

    source: one_of(Source)
    occurred_at: Moment | None = Field(None, description="Default: now.")
    customer_id: int | None = None
    customer_external_id: str | None = Field(None, description="Instead of customer_id.")
    touchpoint_id: int | None = None
    expectation_id: int | None = Field(None, description="The expectation it is measured against.")
    score: int | None = None
    scale: one_of(Scale) | None = None
    outcome: one_of(Outcome) | None = None
    text: str = ""
    language: Literal[("", *(code for code, _ in LANGUAGES))] = ""  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _one_customer_reference(self) -> Self:
        if self.customer_id is not None and self.customer_external_id is not None:
            raise PydanticCustomError(
                "customer_reference",
                "Name the customer once: give customer_id or customer_external_id, not both.",
            )
        return self


def _customer(payload: ExperienceIn) -> Customer | None:
    if payload.customer_id is not None:
        return referenced(Customer.objects, payload.customer_id, "customer_id", "customer")
    if payload.customer_external_id is not None:
        customer = Customer.objects.filter(external_id=payload.customer_external_id).first()
        if customer is None:
            raise Invalid(
                "customer_external_id",
                f"No customer with external id {payload.customer_external_id!r} in this "
                "workspace; add the customer first.",
            )
        return customer
    return None


@router.get("", response=list[ExperienceOut], summary="List experiences, latest first")
@paginate(CursorPagination, ordering=("-occurred_at", "-id"))
def list_experiences(request: HttpRequest, filters: Query[ExperienceFilters]):
    return filters.filter(Experience.objects.all())


@router.post(
    "",
    response={201: RecordedExperienceOut, 403: ErrorOut, 422: ErrorOut},
    auth=agent_token,
    summary="Record an encounter; the customer's stance follows",
)
def create_experience(request: HttpRequest, payload: ExperienceIn):
    customer = _customer(payload)
    touchpoint = (
        None
        if payload.touchpoint_id is None
        else referenced(Touchpoint.objects, payload.touchpoint_id, "touchpoint_id", "touchpoint")
    )
    expectation = None
    if payload.expectation_id is not None:
        expectation = referenced(
            Expectation.objects, payload.expectation_id, "expectation_id", "expectation"
        )
        if expectation.customer_id is not None and expectation.customer_id != (
            customer and customer.pk
        ):
            raise Invalid("expectation_id", "That expectation belongs to another customer.")
    experience = record_experience(
        source=payload.source,
        occurred_at=payload.occurred_at,
        customer=customer,
        touchpoint=touchpoint,
        expectation=expectation,
        score=payload.score,
        scale=payload.scale or "",
        outcome=payload.outcome,
        text=payload.text,
        language=payload.language,
    )
    return Status(201, experience)


@router.get(
    "/{int:experience_id}", response={200: ExperienceOut, 404: ErrorOut}, summary="One experience"
)
def get_experience(request: HttpRequest, experience_id: int):
    return found(Experience.objects, experience_id, "experience")
