"""The CX goal, processes and improvements over the API.

Reads need any member's token. Proposing an improvement or linking signals needs the agent role;
editing, moving through the status flow and writing the goal need the manager role. Ids are looked
up through the workspace-scoped managers, so another workspace's id is "not here" (404 in a path,
422 in a body). A refused transition is a 409 with the sentence that says why.
"""

# No `from __future__ import annotations` here: @paginate copies the view's annotations onto
# a wrapper in another module, where names given as strings could not be resolved.

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from cxloop.accounts.models import Department, Membership, Role
from cxloop.api.auth import role_token
from cxloop.api.errors import ApiError, ErrorOut, Invalid, found, referenced
from cxloop.api.pagination import CursorPagination
from cxloop.api.schemas import nonblank, one_of, optional_text
from cxloop.journeys.models import Touchpoint

from . import effects, goal, improvements
from .models import GoalTarget, Improvement, ImprovementStatus, Process

goal_router = Router(tags=["goal"])
improvements_router = Router(tags=["improvements"])
processes_router = Router(tags=["improvements"])

agent_token = role_token(Role.AGENT)
manager_token = role_token(Role.MANAGER)
NOT_FOUND = {404: ErrorOut}
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _refused(error: improvements.ImprovementError) -> ApiError:
    errors = [{"field": error.field, "message": str(error)}] if error.field else []
    return ApiError(str(error), status=error.status, errors=errors)


class TargetSchema(Schema):
    metric: one_of(GoalTarget.Metric)
    comparison: one_of(GoalTarget.Comparison) = "gte"
    value: float
    due_on: date


class GoalOut(Schema):
    statement: str
    atmosphere: str
    updated_at: datetime | None
    targets: list[TargetSchema]

    @staticmethod
    def resolve_targets(obj) -> list:
        return [
            {
                "metric": t.metric,
                "comparison": t.comparison,
                "value": float(t.value),
                "due_on": t.due_on,
            }
            for t in obj.targets.all()
        ]


class GoalIn(Schema):
    statement: optional_text(4000) = ""
    atmosphere: optional_text(4000) = ""
    targets: list[TargetSchema] = Field([], max_length=goal.MAX_TARGETS)


class ProcessOut(Schema):
    id: int
    key: str
    name: str
    department_id: int | None
    is_active: bool


class ImprovementOut(Schema):
    id: int
    title: str
    description: str
    status: one_of(ImprovementStatus)
    process_id: int
    department_id: int
    owner_id: int | None
    touchpoint_id: int | None
    planned_for: date | None
    shipped_on: date | None
    customer_message: dict[str, str]
    experience_ids: list[int]
    topic_ids: list[int]
    case_ids: list[int]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_experience_ids(obj: Improvement) -> list[int]:
        return sorted(e.pk for e in obj.experiences.all())

    @staticmethod
    def resolve_topic_ids(obj: Improvement) -> list[int]:
        return sorted(t.pk for t in obj.topics.all())

    @staticmethod
    def resolve_case_ids(obj: Improvement) -> list[int]:
        return sorted(c.pk for c in obj.cases.all())


class ImprovementIn(Schema):
    title: nonblank(200)
    description: optional_text(10000) = ""
    process_id: int
    department_id: int | None = Field(None, description="Empty: the process's department.")
    owner_id: int | None = Field(None, description="A user id of a member of the workspace.")
    touchpoint_id: int | None = Field(None, description="Where the effect is measured.")
    planned_for: date | None = None
    customer_message: dict[str, str] = Field(
        {}, description='What changed, for customers: {"uk": "…", "ru": "…", "en": "…"}.'
    )
    experience_ids: list[int] = Field([], max_length=1000)
    topic_ids: list[int] = Field([], max_length=100)
    case_ids: list[int] = Field([], max_length=1000)


class ImprovementPatch(Schema):
    title: nonblank(200) | None = None
    description: optional_text(10000) | None = None
    process_id: int | None = None
    department_id: int | None = None
    owner_id: int | None = None
    touchpoint_id: int | None = None
    planned_for: date | None = None
    customer_message: dict[str, str] | None = None
    experience_ids: list[int] | None = Field(None, max_length=1000)
    topic_ids: list[int] | None = Field(None, max_length=100)
    case_ids: list[int] | None = Field(None, max_length=1000)


class MoveIn(Schema):
    status: one_of(ImprovementStatus) | None = None
    shipped_on: date | None = Field(None, description="For shipping: today when empty.")


class SignalsIn(Schema):
    experience_ids: list[int] = Field([], max_length=1000)


class ComparisonOut(Schema):
    metric: str
    before: float | None
    after: float | None
    difference: float | None
    test: str
    statistic: float | None
    p_value: float | None
    significant: bool | None


class EffectOut(Schema):
    weeks: int
    scope: str = Field(description='"touchpoint", "topics", or "" when nothing is linked.')
    before_experiences: int | None
    after_experiences: int | None
    comparisons: list[ComparisonOut]


def _improvements():
    return Improvement.objects.prefetch_related("experiences", "topics", "cases").order_by(
        "-created_at", "-id"
    )


def _member(user_id: int | None):
    if user_id is None:
        return None
    found_member = Membership.objects.select_related("user").filter(user_id=user_id).first()
    if found_member is None:
        raise ApiError(
            f"No member with user id {user_id} in this workspace.",
            status=422,
            errors=[{"field": "owner_id", "message": "Not a member of this workspace."}],
        )
    return found_member.user


def _parts(payload) -> dict:
    parts: dict = {}
    if payload.process_id is not None:
        parts["process"] = referenced(Process.objects, payload.process_id, "process_id", "process")
    if payload.department_id is not None:
        parts["department"] = referenced(
            Department.objects, payload.department_id, "department_id", "department"
        )
    if payload.touchpoint_id is not None:
        parts["touchpoint"] = referenced(
            Touchpoint.objects, payload.touchpoint_id, "touchpoint_id", "touchpoint"
        )
    if payload.owner_id is not None:
        parts["owner"] = _member(payload.owner_id)
    if payload.planned_for is not None:
        parts["planned_for"] = payload.planned_for
    return parts


# --- goal -------------------------------------------------------------------------------------


@goal_router.get("", response=GoalOut, summary="The workspace's CX goal")
def get_goal(request: HttpRequest):
    return goal.goal()


@goal_router.put(
    "", response={200: GoalOut, **WRITE_ERRORS}, auth=manager_token, summary="Replace the goal"
)
def put_goal(request: HttpRequest, payload: GoalIn):
    try:
        return goal.update_goal(
            statement=payload.statement,
            atmosphere=payload.atmosphere,
            targets=[
                goal.TargetInput(t.metric, t.comparison, t.value, t.due_on) for t in payload.targets
            ],
            actor=request.auth.user,
        )
    except improvements.ImprovementError as error:
        raise _refused(error) from error


# --- processes --------------------------------------------------------------------------------


@processes_router.get("", response=list[ProcessOut], summary="Processes (rows of the grid)")
def list_processes(request: HttpRequest):
    return list(Process.objects.order_by("position", "name"))


# --- improvements -----------------------------------------------------------------------------


@improvements_router.get("", response=list[ImprovementOut], summary="Improvements, newest first")
@paginate(CursorPagination, ordering=("-created_at", "-id"))
def list_improvements(request: HttpRequest, status: str = "", process: int | None = None):
    rows = _improvements()
    if status:
        rows = rows.filter(status=status)
    if process:
        rows = rows.filter(process_id=process)
    return rows


@improvements_router.get(
    "/{int:improvement_id}", response={200: ImprovementOut, **NOT_FOUND}, summary="One improvement"
)
def get_improvement(request: HttpRequest, improvement_id: int):
    return found(_improvements(), improvement_id, "improvement")


@improvements_router.post(
    "",
    response={201: ImprovementOut, **WRITE_ERRORS},
    auth=agent_token,
    summary="Propose an improvement (an idea), linked to signals, topics and cases",
)
def create_improvement(request: HttpRequest, payload: ImprovementIn):
    parts = _parts(payload)
    try:
        created = improvements.create_improvement(
            title=payload.title,
            description=payload.description,
            customer_message=payload.customer_message,
            links=improvements.Links(payload.experience_ids, payload.topic_ids, payload.case_ids),
            actor=request.auth.user,
            **parts,
        )
    except improvements.ImprovementError as error:
        raise _refused(error) from error
    return Status(201, found(_improvements(), created.pk, "improvement"))


@improvements_router.patch(
    "/{int:improvement_id}",
    response={200: ImprovementOut, **WRITE_ERRORS},
    auth=manager_token,
    summary="Change an improvement's fields or links",
)
def update_improvement(
    request: HttpRequest, improvement_id: int, payload: ImprovementPatch | None = None
):
    improvement = found(Improvement.objects, improvement_id, "improvement")
    payload = payload or ImprovementPatch()
    values = _parts(payload)
    for name in ("title", "description"):
        if getattr(payload, name) is not None:
            values[name] = getattr(payload, name)
    try:
        improvements.update_improvement(
            improvement,
            actor=request.auth.user,
            customer_message=payload.customer_message,
            links=improvements.Links(payload.experience_ids, payload.topic_ids, payload.case_ids),
            **values,
        )
    except improvements.ImprovementError as error:
        raise _refused(error) from error
    return found(_improvements(), improvement.pk, "improvement")


@improvements_router.post(
    "/{int:improvement_id}/status",
    response={200: ImprovementOut, **WRITE_ERRORS},
    auth=manager_token,
    summary="Move along idea → planned → in progress → shipped (shipping tells the customers)",
)
def move_improvement(request: HttpRequest, improvement_id: int, payload: MoveIn | None = None):
    improvement = found(Improvement.objects, improvement_id, "improvement")
    payload = payload or MoveIn()
    if payload.status is None:
        raise Invalid("status", "Say the new status: idea, planned, in_progress or shipped.")
    try:
        improvements.move(
            improvement, payload.status, actor=request.auth.user, shipped_on=payload.shipped_on
        )
    except improvements.ImprovementError as error:
        raise _refused(error) from error
    return found(_improvements(), improvement.pk, "improvement")


@improvements_router.post(
    "/{int:improvement_id}/signals",
    response={200: ImprovementOut, **WRITE_ERRORS},
    auth=agent_token,
    summary="Link more signals (experiences) to an improvement",
)
def link_signals(request: HttpRequest, improvement_id: int, payload: SignalsIn | None = None):
    improvement = found(Improvement.objects, improvement_id, "improvement")
    payload = payload or SignalsIn()
    if not payload.experience_ids:
        raise Invalid("experience_ids", "List at least one experience id.")
    try:
        improvements.link_signals(improvement, payload.experience_ids, actor=request.auth.user)
    except improvements.ImprovementError as error:
        raise _refused(error) from error
    return found(_improvements(), improvement.pk, "improvement")


@improvements_router.get(
    "/{int:improvement_id}/effect",
    response={200: EffectOut, **NOT_FOUND},
    summary="Metrics N weeks before and after the ship date, with significance tests",
)
def improvement_effect(request: HttpRequest, improvement_id: int, weeks: int = 6):
    improvement = found(
        Improvement.objects.select_related("touchpoint"), improvement_id, "improvement"
    )
    effect = effects.measure(improvement, weeks=weeks)
    return {
        "weeks": effect.weeks,
        "scope": effect.scope,
        "before_experiences": effect.before.experiences if effect.before else None,
        "after_experiences": effect.after.experiences if effect.after else None,
        "comparisons": [
            {
                "metric": c.key,
                "before": c.before,
                "after": c.after,
                "difference": c.difference,
                "test": c.test_name,
                "statistic": c.result.statistic if c.result else None,
                "p_value": c.result.p_value if c.result else None,
                "significant": c.result.significant if c.result else None,
            }
            for c in effect.comparisons
        ],
    }
