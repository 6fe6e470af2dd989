"""Experiment pages: the list, a new experiment, its results, and its editable fields.

Anyone in the workspace reads; owners and managers define and edit. Every table downloads with
``?format=csv`` or ``?format=parquet`` through :mod:`.export`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cxloop.accounts.models import Role
from cxloop.accounts.permissions import require_role

from . import experiment_selectors as selectors
from . import export
from .experiment_forms import ExperimentEditForm, ExperimentForm
from .experiments import (
    ExperimentInvalid,
    ExperimentResults,
    create_experiment,
    experiment_results,
    is_better,
    metric_kind,
    status,
    update_experiment,
)
from .models import Experiment

LIST_COLUMNS = (
    export.Column("id", "int"),
    export.Column("name"),
    export.Column("metric"),
    export.Column("design"),
    export.Column("assignment"),
    export.Column("status"),
    export.Column("starts_on", "date"),
    export.Column("ends_on", "date"),
    export.Column("variants", "int"),
    export.Column("hypothesis"),
)
RESULT_COLUMNS = (
    export.Column("variant"),
    export.Column("control", "bool"),
    export.Column("n", "int"),
    export.Column("value", "float"),
    export.Column("value_low", "float"),
    export.Column("value_high", "float"),
    export.Column("uplift", "float"),
    export.Column("uplift_low", "float"),
    export.Column("uplift_high", "float"),
    export.Column("p_value", "float"),
    export.Column("test"),
    export.Column("verdict"),
    export.Column("planned_n", "int"),
    export.Column("still_needed", "int"),
    export.Column("stopped_on", "date"),
)


def _download(request: HttpRequest) -> str | None:
    wanted = request.GET.get("format")
    return wanted if wanted in export.FORMATS else None


def _form_page(request: HttpRequest, form: Any, title: str, back_url: str) -> HttpResponse:
    return render(
        request,
        "analytics/experiment_form.html",
        {"form": form, "title": title, "back_url": back_url},
    )


@require_role(Role.VIEWER)
def experiment_list(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.experiment_list())
    for experiment in rows:
        experiment.status = status(experiment)
    file_format = _download(request)
    if file_format:
        table = [
            (
                e.pk,
                e.name,
                e.metric,
                e.design,
                e.assignment,
                e.status,
                e.starts_on,
                e.ends_on,
                e.variant_count,
                e.hypothesis,
            )
            for e in rows
        ]
        return export.table_response(file_format, LIST_COLUMNS, table, "cxloop-experiments")
    return render(
        request,
        "analytics/experiment_list.html",
        {"experiments": rows, "can_edit": request.membership.has_role(Role.MANAGER)},
    )


@require_role(Role.MANAGER)
def experiment_create(request: HttpRequest) -> HttpResponse:
    form = ExperimentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("members_file", None)
        try:
            experiment = create_experiment(request.workspace, created_by=request.user, **data)
        except ExperimentInvalid as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Experiment saved."))
            return redirect("analytics:experiment_detail", experiment.pk)
    return _form_page(request, form, _("New experiment"), "analytics:experiments")


@require_role(Role.MANAGER)
def experiment_edit(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = get_object_or_404(Experiment, pk=experiment_id)
    form = ExperimentEditForm(request.POST or None, instance=experiment)
    if request.method == "POST" and form.is_valid():
        try:
            update_experiment(experiment, **form.cleaned_data)
        except ExperimentInvalid as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Experiment saved."))
            return redirect("analytics:experiment_detail", experiment.pk)
    title = _("Edit “%(name)s”") % {"name": experiment.name}
    return _form_page(request, form, title, "analytics:experiments")


def _result_rows(results: ExperimentResults) -> list[tuple]:
    rows = []
    for row in results.variants:
        estimate, comparison = row.estimate, row.comparison
        rows.append(
            (
                row.variant.name,
                row.variant.is_control,
                row.sample.n,
                estimate.value if estimate else None,
                estimate.low if estimate else None,
                estimate.high if estimate else None,
                comparison.difference if comparison else None,
                comparison.low if comparison else None,
                comparison.high if comparison else None,
                comparison.p_value if comparison else None,
                results.test,
                row.verdict or None,
                row.planned_n,
                row.still_needed,
                row.stopped_on,
            )
        )
    return rows


@require_role(Role.VIEWER)
def experiment_detail(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = get_object_or_404(selectors.experiments(), pk=experiment_id)
    results = experiment_results(experiment)
    file_format = _download(request)
    if file_format:
        name = f"cxloop-experiment-{slugify(experiment.name) or experiment.pk}"
        return export.table_response(file_format, RESULT_COLUMNS, _result_rows(results), name)
    kind = metric_kind(experiment.metric)
    for row in results.variants:
        row.assigned = None
        row.better = bool(row.comparison) and is_better(
            experiment.metric, row.comparison.difference
        )
        control = results.variants[0].estimate
        # relative uplift for rates and means only: NPS can be zero or negative
        row.relative = (
            row.comparison.difference / control.value * 100
            if row.comparison and control and control.value and kind != "nps"
            else None
        )
    if experiment.assignment == Experiment.Assignment.LIST:
        assigned = selectors.assigned_counts(experiment)
        for row in results.variants:
            row.assigned = assigned.get(row.variant.pk, 0)
    return render(
        request,
        "analytics/experiment_detail.html",
        {
            "experiment": experiment,
            "results": results,
            "kind": kind,
            "confidence": (1 - results.alpha) * 100,
            "can_edit": request.membership.has_role(Role.MANAGER),
        },
    )
