"""The customers app over the API: customers, orders, expectations and WOW plan steps.

Reads need any member's token; writes need the agent role or higher. Every id in a path or a body
is looked up through the workspace-scoped managers, so another workspace's id is "not here" (404
in a path, 422 in a body) and can never become a link across the workspace line.
"""

# No `from __future__ import annotations` here: @paginate copies the view's annotations onto
# a wrapper in another module, where names given as strings could not be resolved.

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from cxloop.accounts.models import Membership
from cxloop.analytics.services import refresh_for_customers
from cxloop.api.auth import agent_token
from cxloop.api.bulk import MAX_ROWS, BulkResultOut, Rows, RowsOf
from cxloop.api.errors import Conflict, ErrorOut, Invalid, found, referenced
from cxloop.api.pagination import CursorPagination
from cxloop.api.schemas import Email, Moment, nonblank, one_of, optional_text
from cxloop.journeys.models import Touchpoint

from . import expectations as plans
from . import selectors
from .models import (
    LANGUAGES,
    Customer,
    Expectation,
    LifecyclePhase,
    Order,
    Segment,
    Stance,
    WowPlanItem,
)
from .services import CustomerInput, OrderInput, upsert_customers, upsert_orders

router = Router(tags=["customers"])
orders_router = Router(tags=["orders"])
expectations_router = Router(tags=["expectations"])
wow_plan_router = Router(tags=["WOW plan"])

Language = Literal[tuple(code for code, _ in LANGUAGES)]  # type: ignore[valid-type]
NOT_FOUND = {404: ErrorOut}
WRITE_ERRORS = {403: ErrorOut, 409: ErrorOut, 422: ErrorOut}
# Shops' systems often send ids and phone numbers as JSON numbers: take 10045 as "10045".
NUMBERS_AS_TEXT = ConfigDict(coerce_numbers_to_str=True)


# --- customers ------------------------------------------------------------------------------


class CustomerOut(Schema):
    id: int
    external_id: str
    name: str
    email: str
    phone: str
    language: str
    segment_id: int | None
    segment: str | None = Field(None, alias="segment.name")
    consent_email: bool
    attributes: dict
    stance: str | None = Field(description="prosecutor, neutral or advocate; null: not known")
    stance_changed_at: datetime | None
    lifecycle_phase: str
    first_purchase_at: datetime | None
    last_purchase_at: datetime | None
    last_experience_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_stance(customer: Customer) -> str | None:
        return customer.stance or None


class CustomerFilters(Schema):
    q: str = Field("", description="Part of the name or email, or the exact external id.")
    segment: int | None = Field(None, description="A segment's id.")
    stance: Literal[(*Stance.values, "unknown")] | None = None  # type: ignore[valid-type]
    lifecycle_phase: one_of(LifecyclePhase) | None = None
    language: Language | None = None
    last_experience_after: Moment | None = None
    last_experience_before: Moment | None = None


class CustomerIn(Schema):
    model_config = NUMBERS_AS_TEXT

    external_id: nonblank(100) = Field(description="The customer's id in your own system; unique.")
    name: nonblank(200)
    email: Email = ""
    phone: optional_text(40) = ""
    language: Language | None = Field(None, description="Default: the workspace's language.")
    segment_id: int | None = None
    attributes: dict[str, Any] = {}
    consent_email: bool = False


class CustomerPatch(Schema):
    """Only the fields sent change; ``segment_id: null`` takes the customer out of a segment."""

    model_config = NUMBERS_AS_TEXT

    external_id: nonblank(100) = None
    name: nonblank(200) = None
    email: Email = None
    phone: optional_text(40) = None
    language: Language = None
    segment_id: int | None = None
    attributes: dict[str, Any] = None
    consent_email: bool = None


class CustomerRow(Schema):
    """One customer of a bulk upsert; a field left out (or null) keeps its stored value."""

    model_config = NUMBERS_AS_TEXT

    external_id: nonblank(100)
    name: nonblank(200) | None = None
    email: Email | None = None
    phone: optional_text(40) | None = None
    language: Language | None = None
    segment: nonblank(120) | None = Field(None, description="A segment's name; created when new.")
    attributes: dict[str, Any] | None = None
    consent_email: bool | None = None


class CustomerBulkIn(Schema):
    rows: list[Annotated[dict[str, Any], RowsOf(CustomerRow)]] = Field(
        json_schema_extra={"maxItems": MAX_ROWS}
    )


def _taken(external_id: str) -> Conflict:
    return Conflict(
        f"A customer with external id {external_id!r} already exists; change it with PATCH "
        "or send it to /customers/bulk, which updates customers it knows.",
        errors=[{"field": "external_id", "message": "This external id is already used."}],
    )


@router.get("", response=list[CustomerOut], summary="List customers by name, with filters")
@paginate(CursorPagination, ordering=("name", "id"))
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]):
    customers = selectors.search_customers(
        filters.q,
        filters.segment,
        stance=filters.stance or "",
        lifecycle_phase=filters.lifecycle_phase or "",
    )
    if filters.language:
        customers = customers.filter(language=filters.language)
    if filters.last_experience_after:
        customers = customers.filter(last_experience_at__gte=filters.last_experience_after)
    if filters.last_experience_before:
        customers = customers.filter(last_experience_at__lt=filters.last_experience_before)
    return customers


@router.post(
    "", response={201: CustomerOut, **WRITE_ERRORS}, auth=agent_token, summary="Add a customer"
)
def create_customer(request: HttpRequest, payload: CustomerIn):
    values = payload.model_dump(exclude={"segment_id"})
    values["language"] = payload.language or request.workspace.default_language
    if payload.segment_id is not None:
        values["segment"] = referenced(Segment.objects, payload.segment_id, "segment_id", "segment")
    if Customer.objects.filter(external_id=payload.external_id).exists():
        raise _taken(payload.external_id)
    try:
        with transaction.atomic():
            customer = Customer.objects.create(**values)
    except IntegrityError:  # created by a concurrent request since the check above
        raise _taken(payload.external_id) from None
    return Status(201, customer)


@router.post(
    "/bulk",
    response={200: BulkResultOut, 403: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    auth=agent_token,
    summary=f"Create or update up to {MAX_ROWS:,} customers by external id",
)
def bulk_upsert_customers(request: HttpRequest, payload: CustomerBulkIn):
    rows = Rows(payload.rows, CustomerRow)
    result = upsert_customers([CustomerInput(**row.model_dump()) for row in rows.valid])
    return rows.result(result)


@router.get("/{int:customer_id}", response={200: CustomerOut, **NOT_FOUND}, summary="One customer")
def get_customer(request: HttpRequest, customer_id: int):
    return found(Customer.objects.select_related("segment"), customer_id, "customer")


@router.patch(
    "/{int:customer_id}",
    response={200: CustomerOut, **NOT_FOUND, **WRITE_ERRORS},
    auth=agent_token,
    summary="Change some of a customer's fields",
)
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch | None = None):
    customer = found(Customer.objects.select_related("segment"), customer_id, "customer")
    changes = payload.model_dump(exclude_unset=True) if payload is not None else {}
    if "segment_id" in changes:
        segment_id = changes.pop("segment_id")
        changes["segment"] = (
            None
            if segment_id is None
            else referenced(Segment.objects, segment_id, "segment_id", "segment")
        )
    new_id = changes.get("external_id")
    if (
        new_id
        and new_id != customer.external_id
        and Customer.objects.filter(external_id=new_id).exists()
    ):
        raise _taken(new_id)
    for name, value in changes.items():
        setattr(customer, name, value)
    try:
        with transaction.atomic():
            customer.save(update_fields=list(changes))
            if "segment" in changes:  # its answers move to the new segment in the rollups
                refresh_for_customers([customer.pk])
    except IntegrityError:
        raise _taken(new_id or customer.external_id) from None
    return customer


# --- orders ---------------------------------------------------------------------------------


class OrderOut(Schema):
    id: int
    external_id: str
    customer_id: int
    customer_external_id: str
    placed_at: datetime
    amount: Decimal
    currency: str
    status: str
    delivered_at: datetime | None
    items: list


class OrderFilters(FilterSchema):
    customer: Annotated[int | None, FilterLookup("customer_id")] = Field(
        None, description="A customer's id."
    )
    customer_external_id: Annotated[str | None, FilterLookup("customer__external_id")] = None
    placed_after: Annotated[Moment | None, FilterLookup("placed_at__gte")] = None
    placed_before: Annotated[Moment | None, FilterLookup("placed_at__lt")] = None
    status: one_of(Order.Status) | None = None


class OrderRow(Schema):
    """One order of a bulk upsert; its customer must exist (send customers first)."""

    model_config = NUMBERS_AS_TEXT

    external_id: nonblank(100)
    customer_external_id: nonblank(100)
    placed_at: Moment
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = Field(
        None, description="ISO 4217 code, e.g. UAH; default UAH."
    )
    status: one_of(Order.Status) | None = None
    delivered_at: Moment | None = None
    items: list[dict[str, Any]] | None = None


class OrderBulkIn(Schema):
    rows: list[Annotated[dict[str, Any], RowsOf(OrderRow)]] = Field(
        json_schema_extra={"maxItems": MAX_ROWS}
    )


def _orders():
    return Order.objects.annotate(customer_external_id=F("customer__external_id"))


@orders_router.get("", response=list[OrderOut], summary="List orders, newest first")
@paginate(CursorPagination, ordering=("-placed_at", "-id"))
def list_orders(request: HttpRequest, filters: Query[OrderFilters]):
    return filters.filter(_orders())


@orders_router.post(
    "/bulk",
    response={200: BulkResultOut, 403: ErrorOut, 413: ErrorOut, 422: ErrorOut},
    auth=agent_token,
    summary=f"Create or update up to {MAX_ROWS:,} orders by external id",
)
def bulk_upsert_orders(request: HttpRequest, payload: OrderBulkIn):
    rows = Rows(payload.rows, OrderRow)
    result = upsert_orders([OrderInput(**row.model_dump()) for row in rows.valid])
    return rows.result(result)


@orders_router.get("/{int:order_id}", response={200: OrderOut, **NOT_FOUND}, summary="One order")
def get_order(request: HttpRequest, order_id: int):
    return found(_orders(), order_id, "order")


# --- expectations ---------------------------------------------------------------------------


class ExpectationOut(Schema):
    id: int
    kind: str
    text: str
    customer_id: int | None
    segment_id: int | None
    touchpoint_id: int | None
    source: str
    noted_by_id: int | None
    noted_on: date
    active: bool


class ExpectationFilters(FilterSchema):
    kind: one_of(Expectation.Kind) | None = None
    customer: Annotated[int | None, FilterLookup("customer_id")] = None
    segment: Annotated[int | None, FilterLookup("segment_id")] = None
    touchpoint: Annotated[int | None, FilterLookup("touchpoint_id")] = None
    active: bool | None = None


class ExpectationIn(Schema):
    """*individual*: one customer's (give ``customer_id``); *general*: a segment's or a
    touchpoint's (give ``segment_id``, ``touchpoint_id`` or both)."""

    kind: one_of(Expectation.Kind)
    text: nonblank(500)
    customer_id: int | None = None
    segment_id: int | None = None
    touchpoint_id: int | None = None
    source: one_of(Expectation.Source) | None = Field(
        None, description="Default: staff for individual, research for general."
    )
    noted_on: date | None = Field(None, description="Default: today.")

    @model_validator(mode="after")
    def _belongs_somewhere(self) -> Self:
        if self.kind == Expectation.Kind.INDIVIDUAL:
            if self.customer_id is None:
                raise PydanticCustomError(
                    "expectation_owner",
                    "An individual expectation belongs to one customer: give customer_id.",
                )
            if self.segment_id is not None or self.touchpoint_id is not None:
                raise PydanticCustomError(
                    "expectation_owner",
                    "An individual expectation belongs to its customer only: leave segment_id "
                    "and touchpoint_id out, or make it a general expectation.",
                )
        else:
            if self.customer_id is not None:
                raise PydanticCustomError(
                    "expectation_owner",
                    "A general expectation holds for a segment or a touchpoint, not for one "
                    "customer: leave customer_id out, or make it an individual expectation.",
                )
            if self.segment_id is None and self.touchpoint_id is None:
                raise PydanticCustomError(
                    "expectation_owner",
                    "A general expectation belongs to a segment or a touchpoint: give "
                    "segment_id, touchpoint_id or both.",
                )
        return self


class ExpectationPatch(Schema):
    text: nonblank(500) = None
    source: one_of(Expectation.Source) = None
    active: bool = Field(None, description="false retires the expectation; it is kept.")


@expectations_router.get("", response=list[ExpectationOut], summary="List expectations")
@paginate(CursorPagination, ordering=("-noted_on", "-id"))
def list_expectations(request: HttpRequest, filters: Query[ExpectationFilters]):
    return filters.filter(Expectation.objects.all())


@expectations_router.post(
    "",
    response={201: ExpectationOut, **WRITE_ERRORS},
    auth=agent_token,
    summary="Write down an expectation",
)
def create_expectation(request: HttpRequest, payload: ExpectationIn):
    noted_by = request.membership.user
    given = {"source": payload.source} if payload.source else {}
    if payload.kind == Expectation.Kind.INDIVIDUAL:
        customer = referenced(Customer.objects, payload.customer_id, "customer_id", "customer")
        expectation = plans.note_individual_expectation(
            customer, payload.text, noted_by=noted_by, noted_on=payload.noted_on, **given
        )
    else:
        segment = (
            None
            if payload.segment_id is None
            else referenced(Segment.objects, payload.segment_id, "segment_id", "segment")
        )
        touchpoint = (
            None
            if payload.touchpoint_id is None
            else referenced(
                Touchpoint.objects, payload.touchpoint_id, "touchpoint_id", "touchpoint"
            )
        )
        expectation = plans.note_general_expectation(
            payload.text, segment=segment, touchpoint=touchpoint, noted_by=noted_by, **given
        )
        if payload.noted_on and payload.noted_on != expectation.noted_on:
            expectation.noted_on = payload.noted_on
            expectation.save(update_fields=["noted_on"])
    return Status(201, expectation)


@expectations_router.get(
    "/{int:expectation_id}",
    response={200: ExpectationOut, **NOT_FOUND},
    summary="One expectation",
)
def get_expectation(request: HttpRequest, expectation_id: int):
    return found(Expectation.objects, expectation_id, "expectation")


@expectations_router.patch(
    "/{int:expectation_id}",
    response={200: ExpectationOut, **NOT_FOUND, **WRITE_ERRORS},
    auth=agent_token,
    summary="Reword, re-source, retire or revive an expectation",
)
def update_expectation(
    request: HttpRequest, expectation_id: int, payload: ExpectationPatch | None = None
):
    expectation = found(Expectation.objects, expectation_id, "expectation")
    changes = payload.model_dump(exclude_unset=True) if payload is not None else {}
    if changes.get("active") is False:
        plans.retire_expectation(expectation)
        changes.pop("active")
        expectation.active = False
    for name, value in changes.items():
        setattr(expectation, name, value)
    if changes:
        expectation.save(update_fields=list(changes))
    return expectation


# --- WOW plan steps -------------------------------------------------------------------------


class WowPlanStepOut(Schema):
    id: int
    customer_id: int
    expectation_id: int | None
    action: str
    owner_id: int | None = Field(description="The user who will do it.")
    due_on: date
    done_on: date | None
    produced_wow: bool | None
    created_at: datetime


class WowPlanStepFilters(FilterSchema):
    customer: Annotated[int | None, FilterLookup("customer_id")] = None
    done: bool | None = Field(None, description="true: done steps only; false: open ones only.")
    due_before: Annotated[date | None, FilterLookup("due_on__lt")] = None

    def filter_done(self, value: bool | None) -> Q:
        return Q() if value is None else Q(done_on__isnull=not value)


class WowPlanStepIn(Schema):
    customer_id: int
    action: nonblank(500)
    due_on: date
    owner_id: int | None = Field(None, description="A member's user id.")
    expectation_id: int | None = Field(None, description="The expectation this step exceeds.")


class WowPlanStepPatch(Schema):
    action: nonblank(500) = None
    due_on: date = None
    owner_id: int | None = None
    done: bool = Field(None, description="true marks the step done today; false reopens it.")
    produced_wow: bool | None = Field(None, description="Whether the done step made a WOW.")


def _owner(user_id: int | None):
    if user_id is None:
        return None
    membership = Membership.objects.select_related("user").filter(user_id=user_id).first()
    if membership is None:
        raise Invalid("owner_id", f"No member with user id {user_id} in this workspace.")
    return membership.user


@wow_plan_router.get("", response=list[WowPlanStepOut], summary="List WOW plan steps by due date")
@paginate(CursorPagination, ordering=("due_on", "id"))
def list_wow_plan_steps(request: HttpRequest, filters: Query[WowPlanStepFilters]):
    return filters.filter(WowPlanItem.objects.all())


@wow_plan_router.post(
    "",
    response={201: WowPlanStepOut, **WRITE_ERRORS},
    auth=agent_token,
    summary="Plan what we will do to exceed a customer's expectations",
)
def create_wow_plan_step(request: HttpRequest, payload: WowPlanStepIn):
    customer = referenced(Customer.objects, payload.customer_id, "customer_id", "customer")
    expectation = (
        None
        if payload.expectation_id is None
        else referenced(
            Expectation.objects, payload.expectation_id, "expectation_id", "expectation"
        )
    )
    step = plans.plan_wow(
        customer,
        payload.action,
        due_on=payload.due_on,
        owner=_owner(payload.owner_id),
        expectation=expectation,
    )
    return Status(201, step)


@wow_plan_router.get(
    "/{int:step_id}", response={200: WowPlanStepOut, **NOT_FOUND}, summary="One WOW plan step"
)
def get_wow_plan_step(request: HttpRequest, step_id: int):
    return found(WowPlanItem.objects, step_id, "WOW plan step")


@wow_plan_router.patch(
    "/{int:step_id}",
    response={200: WowPlanStepOut, **NOT_FOUND, **WRITE_ERRORS},
    auth=agent_token,
    summary="Change a WOW plan step, mark it done and say whether it made a WOW",
)
def update_wow_plan_step(
    request: HttpRequest, step_id: int, payload: WowPlanStepPatch | None = None
):
    step = found(WowPlanItem.objects, step_id, "WOW plan step")
    payload = payload or WowPlanStepPatch()
    changes = payload.model_dump(exclude_unset=True)
    done = changes.pop("done", None)
    produced_wow = changes.pop("produced_wow", step.produced_wow)
    if "owner_id" in changes:
        changes["owner"] = _owner(changes.pop("owner_id"))
    if done is False and "produced_wow" in payload.model_fields_set and produced_wow is not None:
        raise Invalid("produced_wow", "An open step has not produced anything yet.")
    if done is None and step.done_on is None and "produced_wow" in payload.model_fields_set:
        raise Invalid(
            "produced_wow", "Mark the step done first (done: true), then say if it made a WOW."
        )
    with transaction.atomic():
        for name, value in changes.items():
            setattr(step, name, value)
        if changes:
            step.save(update_fields=list(changes))
        if done is False:
            step.done_on = step.produced_wow = None
            step.save(update_fields=["done_on", "produced_wow"])
        elif done or "produced_wow" in payload.model_fields_set:
            plans.complete_wow_step(step, produced_wow=produced_wow)
    return step
