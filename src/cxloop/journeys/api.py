"""Journeys, their stages and touchpoints over the API.

Reads need any member's token; adding a touchpoint needs the manager role. Ids are looked up
through the workspace-scoped managers, so another workspace's id is "not here" (404 in a path,
422 in a body).
"""

# No `from __future__ import annotations` here: @paginate copies the view's annotations onto
# a wrapper in another module, where names given as strings could not be resolved.

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from cxloop.accounts.models import Department, Role
from cxloop.api.auth import role_token
from cxloop.api.errors import ApiError, ErrorOut, found, referenced
from cxloop.api.pagination import CursorPagination
from cxloop.api.schemas import nonblank, one_of, optional_text

from . import selectors, services
from .models import Channel, Journey, Stage, Touchpoint

journeys_router = Router(tags=["journeys"])
touchpoints_router = Router(tags=["touchpoints"])

manager_token = role_token(Role.MANAGER)
NOT_FOUND = {404: ErrorOut}
WRITE_ERRORS = {403: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class TouchpointOut(Schema):
    id: int
    name: str
    channel: one_of(Channel)
    description: str
    position: int = Field(description="Order within its stage, from 1.")
    stage_id: int | None
    journey_id: int | None
    owner_department_id: int | None
    owner_department: str | None = Field(None, description="The owner department's name.")

    @staticmethod
    def resolve_journey_id(obj: Touchpoint) -> int | None:
        return obj.stage.journey_id if obj.stage_id else None

    @staticmethod
    def resolve_owner_department(obj: Touchpoint) -> str | None:
        return obj.owner_department.name if obj.owner_department_id else None


class StageOut(Schema):
    id: int
    name: str
    position: int = Field(description="Order within the journey, left to right, from 1.")
    description: str
    day_from: int | None = Field(description="Lifecycle stages: first day after the purchase.")
    day_to: int | None = Field(description="Lifecycle stages: last day after the purchase.")
    touchpoints: list[TouchpointOut]

    @staticmethod
    def resolve_touchpoints(obj: Stage) -> list[Touchpoint]:
        return list(obj.touchpoints.all())


class JourneyOut(Schema):
    id: int
    name: str
    kind: one_of(Journey.Kind)
    description: str
    created_at: datetime
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: Journey) -> list[Stage]:
        return list(obj.stages.all())


class TouchpointIn(Schema):
    stage_id: int = Field(description="The stage it belongs to; it is added after the last one.")
    name: nonblank(160) = Field(description="Unique in the workspace.")
    channel: one_of(Channel) = Channel.OTHER.value
    owner_department_id: int | None = None
    description: optional_text(5000) = ""


@journeys_router.get("", response=list[JourneyOut], summary="Journeys with stages and touchpoints")
def list_journeys(request: HttpRequest):
    return list(selectors.journeys_with_stages())


@journeys_router.get(
    "/{int:journey_id}", response={200: JourneyOut, **NOT_FOUND}, summary="One journey"
)
def get_journey(request: HttpRequest, journey_id: int):
    return found(selectors.journeys_with_stages(), journey_id, "journey")


@touchpoints_router.get("", response=list[TouchpointOut], summary="Touchpoints by name")
@paginate(CursorPagination, ordering=("name", "id"))
def list_touchpoints(request: HttpRequest, journey: int | None = None):
    touchpoints = selectors.touchpoints_with_places()
    return touchpoints.filter(stage__journey_id=journey) if journey else touchpoints


@touchpoints_router.post(
    "",
    response={201: TouchpointOut, **WRITE_ERRORS},
    auth=manager_token,
    summary="Add a touchpoint at the end of a stage",
)
def create_touchpoint(request: HttpRequest, payload: TouchpointIn):
    stage = referenced(Stage.objects, payload.stage_id, "stage_id", "stage")
    department = (
        None
        if payload.owner_department_id is None
        else referenced(
            Department.objects, payload.owner_department_id, "owner_department_id", "department"
        )
    )
    try:
        touchpoint = services.add_touchpoint(
            stage,
            name=payload.name,
            channel=payload.channel,
            owner_department=department,
            description=payload.description,
        )
    except services.JourneyError as error:
        errors = [{"field": error.field, "message": str(error)}] if error.field else []
        raise ApiError(str(error), status=error.status, errors=errors) from error
    return Status(201, touchpoint)
