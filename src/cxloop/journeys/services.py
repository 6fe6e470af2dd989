"""Use cases for journeys, their stages and touchpoints, and the predefined onboarding journey.

Every function works in the workspace of the row it is given. When a workspace is already bound
(a request, a task) it must be that one: a service never writes across the workspace line.
Expected conflicts (a name in use) raise a :class:`JourneyError` that carries its HTTP status and
the sentence a person needs to fix the input; pages show it beside the field, the API returns it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from cxloop.accounts.models import Department, Workspace
from cxloop.core.scoping import CrossWorkspaceWrite, bind_workspace, current_workspace_or_none

from .models import Channel, Journey, Stage, Touchpoint
from .onboarding import ONBOARDING, text


class JourneyError(Exception):
    """A change to a journey that cannot be made as asked; ``str()`` says how to fix it."""

    status = 400
    field = ""  # the input field the message belongs to, where there is one


class NameTaken(JourneyError):
    status = 409
    field = "name"


class InvalidDays(JourneyError):
    status = 400
    field = "day_to"


@contextmanager
def _in_workspace(workspace: Workspace) -> Iterator[Workspace]:
    bound = current_workspace_or_none()
    if bound is None:
        with bind_workspace(workspace):
            yield workspace
    elif bound.pk != workspace.pk:
        raise CrossWorkspaceWrite(
            f"Workspace {bound.pk} is bound; refusing to change the journeys of workspace "
            f"{workspace.pk}."
        )
    else:
        yield bound


def _check_same_workspace(row: Stage | Journey, *others: Department | Stage | None) -> None:
    for other in others:
        if other is not None and other.workspace_id != row.workspace_id:
            raise CrossWorkspaceWrite(
                f"{type(other).__name__} {other.pk} belongs to another workspace than "
                f"{type(row).__name__} {row.pk}."
            )


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise JourneyError(_("A name is needed."))
    return name


def _check_days(day_from: int | None, day_to: int | None) -> None:
    if day_from is not None and day_to is not None and day_from > day_to:
        raise InvalidDays(
            _("The stage ends on day %(to)s, before it starts on day %(start)s.")
            % {"to": day_to, "start": day_from}
        )


def _ensure_free(model: type[Journey | Touchpoint], name: str, exclude_pk: int | None) -> None:
    """Names are unique per workspace; compared without case so "Delivery" ≠ "delivery" is no
    surprise for a person reading the map."""
    if model.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        raise NameTaken(_taken_message(model, name))


def _taken_message(model: type[Journey | Touchpoint], name: str) -> str:
    if model is Journey:
        return _("A journey named “%(name)s” exists already; choose another name.") % {"name": name}
    return _("A touchpoint named “%(name)s” exists already; choose another name.") % {"name": name}


@contextmanager
def _name_race(model: type[Journey | Touchpoint], name: str) -> Iterator[None]:
    """Two people saving the same name at once: the database's unique constraint decides."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise NameTaken(_taken_message(model, name)) from exc


# --- Journeys -----------------------------------------------------------------------------------


def create_journey(
    workspace: Workspace,
    *,
    name: str,
    kind: str = Journey.Kind.PURCHASE,
    description: str = "",
) -> Journey:
    name = _clean_name(name)
    with _in_workspace(workspace):
        _ensure_free(Journey, name, None)
        with _name_race(Journey, name):
            return Journey.objects.create(
                name=name, kind=Journey.Kind(kind), description=description.strip()
            )


def update_journey(journey: Journey, *, name: str, kind: str, description: str) -> Journey:
    name = _clean_name(name)
    with _in_workspace(journey.workspace):
        _ensure_free(Journey, name, journey.pk)
        journey.name, journey.kind = name, Journey.Kind(kind)
        journey.description = description.strip()
        with _name_race(Journey, name):
            journey.save(update_fields=["name", "kind", "description"])
    return journey


# --- Stages -------------------------------------------------------------------------------------


def add_stage(
    journey: Journey,
    *,
    name: str,
    description: str = "",
    day_from: int | None = None,
    day_to: int | None = None,
) -> Stage:
    """Append a stage after the journey's last one (stages read left to right)."""
    name = _clean_name(name)
    _check_days(day_from, day_to)
    with _in_workspace(journey.workspace), transaction.atomic():
        # Lock the journey so two stages added at once do not both take the next position.
        Journey.objects.select_for_update().filter(pk=journey.pk).values_list("pk").get()
        last = journey.stages.aggregate(last=Max("position"))["last"]
        return Stage.objects.create(
            journey=journey,
            name=name,
            position=(last or 0) + 1,
            description=description.strip(),
            day_from=day_from,
            day_to=day_to,
        )


def update_stage(
    stage: Stage,
    *,
    name: str,
    description: str,
    day_from: int | None,
    day_to: int | None,
) -> Stage:
    name = _clean_name(name)
    _check_days(day_from, day_to)
    with _in_workspace(stage.workspace):
        stage.name, stage.description = name, description.strip()
        stage.day_from, stage.day_to = day_from, day_to
        stage.save(update_fields=["name", "description", "day_from", "day_to"])
    return stage


# --- Touchpoints --------------------------------------------------------------------------------


def add_touchpoint(
    stage: Stage,
    *,
    name: str,
    channel: str = Channel.OTHER,
    owner_department: Department | None = None,
    description: str = "",
) -> Touchpoint:
    """Add a touchpoint at the end of a stage."""
    name = _clean_name(name)
    _check_same_workspace(stage, owner_department)
    with _in_workspace(stage.workspace), transaction.atomic():
        _ensure_free(Touchpoint, name, None)
        Stage.objects.select_for_update().filter(pk=stage.pk).values_list("pk").get()
        last = stage.touchpoints.aggregate(last=Max("position"))["last"]
        with _name_race(Touchpoint, name):
            return Touchpoint.objects.create(
                stage=stage,
                name=name,
                channel=Channel(channel),
                owner_department=owner_department,
                description=description.strip(),
                position=(last or 0) + 1,
            )


def update_touchpoint(
    touchpoint: Touchpoint,
    *,
    name: str,
    stage: Stage | None,
    channel: str,
    owner_department: Department | None,
    description: str,
) -> Touchpoint:
    """Rename, describe, re-own or move a touchpoint; moved to another stage, it goes last."""
    name = _clean_name(name)
    _check_same_workspace(touchpoint, stage, owner_department)
    with _in_workspace(touchpoint.workspace), transaction.atomic():
        _ensure_free(Touchpoint, name, touchpoint.pk)
        if stage is not None and stage.pk != touchpoint.stage_id:
            last = stage.touchpoints.aggregate(last=Max("position"))["last"]
            touchpoint.position = (last or 0) + 1
        touchpoint.name, touchpoint.stage, touchpoint.channel = name, stage, Channel(channel)
        touchpoint.owner_department, touchpoint.description = owner_department, description.strip()
        with _name_race(Touchpoint, name):
            touchpoint.save(
                update_fields=[
                    "name",
                    "stage",
                    "channel",
                    "owner_department",
                    "description",
                    "position",
                ]
            )
    return touchpoint


# --- The predefined onboarding journey ----------------------------------------------------------


def _free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``… when a team already used it for something else."""
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{name} ({n})"
    taken.add(candidate.casefold())
    return candidate


@transaction.atomic
def ensure_onboarding_journey(workspace: Workspace) -> Journey:
    """The workspace's 100-day onboarding journey, created the first time (see ``onboarding``).

    Idempotent: a workspace that has a journey of kind ``onboarding`` keeps it as it is, renamed
    or edited by its team. Names follow ``workspace.default_language``.
    """
    with _in_workspace(workspace):
        # Serialise two callers for the same workspace (a no-op on SQLite, which writes alone).
        Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk").get()
        existing = Journey.objects.filter(kind=Journey.Kind.ONBOARDING).order_by("pk").first()
        if existing is not None:
            return existing
        language = workspace.default_language
        journey_names = {n.casefold() for n in Journey.objects.values_list("name", flat=True)}
        journey = Journey.objects.create(
            name=_free_name(text(ONBOARDING.name, language), journey_names),
            kind=Journey.Kind.ONBOARDING,
            description=text(ONBOARDING.description, language),
        )
        stages = Stage.objects.bulk_create(
            Stage(
                journey=journey,
                name=text(plan.name, language),
                position=position,
                description=text(plan.description, language),
                day_from=plan.days[0],
                day_to=plan.days[1],
            )
            for position, plan in enumerate(ONBOARDING.stages, start=1)
        )
        taken = {n.casefold() for n in Touchpoint.objects.values_list("name", flat=True)}
        Touchpoint.objects.bulk_create(
            Touchpoint(
                stage=stage,
                name=_free_name(text(point.name, language), taken),
                channel=point.channel,
                description=text(point.description, language),
                position=position,
            )
            for stage, plan in zip(stages, ONBOARDING.stages, strict=True)
            for position, point in enumerate(plan.touchpoints, start=1)
        )
        return journey
