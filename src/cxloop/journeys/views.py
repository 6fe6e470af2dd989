"""Journey pages: the list with the worst touchpoints, the journey map, and the manager's forms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.contrib import messages
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cxloop.accounts.models import Department, Role
from cxloop.accounts.permissions import require_role

from . import selectors, services
from .charts import emotion_curve
from .forms import JourneyForm, StageForm, TouchpointForm
from .models import Journey, Stage, Touchpoint

T = TypeVar("T")

PERIODS = (30, 90, 365)  # days the period picker offers
DEFAULT_PERIOD = 90


def _period_days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", DEFAULT_PERIOD))
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def _touchpoint_form(
    stages: QuerySet[Stage], data: dict | None = None, **kwargs: object
) -> TouchpointForm:
    return TouchpointForm(
        data, stages=stages, departments=Department.objects.order_by("name"), **kwargs
    )


def _map_url(journey: Journey) -> str:
    return reverse("journeys:detail", args=[journey.pk])


def _save(form: Form, action: Callable[[], T]) -> T | None:
    """Run a service with the form's data; a refusal becomes an error beside its field."""
    try:
        return action()
    except services.JourneyError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return None


def _form_page(request: HttpRequest, form: Form, title: str, back_url: str) -> HttpResponse:
    """The one page every journeys form falls back to: shown on GET and with errors."""
    return render(
        request, "journeys/form.html", {"form": form, "title": title, "back_url": back_url}
    )


@require_role(Role.VIEWER)
def journey_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "journeys/list.html",
        {
            "journeys": selectors.journeys_overview(),
            "worst": selectors.worst_touchpoints(now - timedelta(days=DEFAULT_PERIOD), now),
            "days": DEFAULT_PERIOD,
            "min_experiences": selectors.MIN_EXPERIENCES_TO_RANK,
            "can_edit": request.membership.has_role(Role.MANAGER),
        },
    )


@require_role(Role.MANAGER)
def journey_create(request: HttpRequest) -> HttpResponse:
    form = JourneyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        journey = _save(
            form, lambda: services.create_journey(request.workspace, **form.cleaned_data)
        )
        if journey is not None:
            messages.success(request, _("Journey created. Add its stages next."))
            return redirect("journeys:detail", journey.pk)
    return _form_page(request, form, _("New journey"), reverse("journeys:list"))


@require_role(Role.VIEWER)
def journey_detail(request: HttpRequest, journey_id: int) -> HttpResponse:
    journey = get_object_or_404(Journey, pk=journey_id)
    days = _period_days(request)
    until = timezone.now()
    since = until - timedelta(days=days)
    journey_map = selectors.journey_map(journey, since, until)
    can_edit = request.membership.has_role(Role.MANAGER)
    return render(
        request,
        "journeys/detail.html",
        {
            "journey": journey,
            "map": journey_map,
            "curve": emotion_curve(
                [column.stage.name for column in journey_map.stages], journey_map.curve
            ),
            "worst": selectors.worst_touchpoints(since, until, journey=journey),
            "days": days,
            "periods": PERIODS,
            "min_experiences": selectors.MIN_EXPERIENCES_TO_RANK,
            "can_edit": can_edit,
            "stage_form": StageForm() if can_edit else None,
            "touchpoint_form": (
                _touchpoint_form(journey.stages.order_by("position"))
                if can_edit and journey_map.stages
                else None
            ),
        },
    )


@require_role(Role.MANAGER)
def stage_create(request: HttpRequest, journey_id: int) -> HttpResponse:
    journey = get_object_or_404(Journey, pk=journey_id)
    form = StageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        stage = _save(form, lambda: services.add_stage(journey, **form.cleaned_data))
        if stage is not None:
            messages.success(request, _("Stage “%(name)s” added.") % {"name": stage.name})
            return redirect("journeys:detail", journey.pk)
    title = _("New stage of “%(journey)s”") % {"journey": journey.name}
    return _form_page(request, form, title, _map_url(journey))


@require_role(Role.MANAGER)
def touchpoint_create(request: HttpRequest, journey_id: int) -> HttpResponse:
    journey = get_object_or_404(Journey, pk=journey_id)
    form = _touchpoint_form(journey.stages.order_by("position"), request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        stage = data.pop("stage")
        point = _save(form, lambda: services.add_touchpoint(stage, **data))
        if point is not None:
            messages.success(request, _("Touchpoint “%(name)s” added.") % {"name": point.name})
            return redirect("journeys:detail", journey.pk)
    title = _("New touchpoint on “%(journey)s”") % {"journey": journey.name}
    return _form_page(request, form, title, _map_url(journey))


@require_role(Role.MANAGER)
def touchpoint_edit(request: HttpRequest, touchpoint_id: int) -> HttpResponse:
    """Rename, describe, give an owner department to, or move a touchpoint."""
    point = get_object_or_404(Touchpoint.objects.select_related("stage__journey"), pk=touchpoint_id)
    journey = point.stage.journey if point.stage else None
    # A touchpoint moves within its journey; one left without a stage may go to any stage.
    stages = (
        journey.stages.order_by("position")
        if journey
        else Stage.objects.select_related("journey").order_by("journey__name", "position")
    )
    back_url = _map_url(journey) if journey else reverse("journeys:list")
    title = _("Touchpoint “%(name)s”") % {"name": point.name}
    initial = {
        "stage": point.stage_id,
        "name": point.name,
        "channel": point.channel,
        "owner_department": point.owner_department_id,
        "description": point.description,
    }
    form = _touchpoint_form(stages, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda: services.update_touchpoint(point, **form.cleaned_data))
        if saved is not None:
            messages.success(request, _("Touchpoint “%(name)s” saved.") % {"name": saved.name})
            return redirect("journeys:detail", saved.stage.journey_id)
    return _form_page(request, form, title, back_url)
