"""A/B experiments over the API: the definitions, their live results, and defining new ones.

Mounted at ``/api/v1/experiments``. The numbers are the same as the results page's (one code
path, :func:`cxloop.analytics.experiments.experiment_results`); rates are in percent, NPS in
points, means in their unit. Another workspace's id is "no such experiment" (404 in a path, 422
for a segment named in a body). Reading needs any member's token; defining an experiment needs
the manager role, as on the page, and goes through the same ``create_experiment`` with the same
rules (a refused definition is a 422 naming the field).
"""

# No `from __future__ import annotations`: ninja reads the annotations at import time.

from datetime import date

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from cxloop.accounts.models import Role
from cxloop.api.auth import role_token
from cxloop.api.errors import ErrorOut, Invalid, referenced
from cxloop.api.schemas import nonblank, one_of, optional_text
from cxloop.customers.models import Segment

from . import experiment_selectors as selectors
from .experiments import (
    ExperimentInvalid,
    ExperimentResults,
    VariantSpec,
    create_experiment,
    experiment_results,
    status,
)
from .models import Experiment, ExperimentMetric

router = Router(tags=["experiments"])
manager_token = role_token(Role.MANAGER)


class VariantOut(Schema):
    id: int
    name: str
    control: bool
    weight: int


class ExperimentOut(Schema):
    id: int
    name: str
    hypothesis: str
    metric: str
    design: str = Field(description="fixed (two-sided test at the planned n) or sequential (mSPRT)")
    assignment: str
    starts_on: date
    ends_on: date
    minimum_detectable_effect: float
    status: str
    variants: list[VariantOut]


class VariantResultOut(Schema):
    variant: str
    n: int
    value: float | None
    low: float | None
    high: float | None
    uplift: float | None = Field(description="Variant − control, in the metric's unit.")
    uplift_low: float | None
    uplift_high: float | None
    p_value: float | None = Field(description="Sequential design: the always-valid p-value.")
    verdict: str = Field(description="significant, noise, collecting or no_data; '' for control")
    planned_n: int | None
    still_needed: int | None
    stopped_on: date | None


class ResultsOut(Schema):
    experiment: ExperimentOut
    test: str = Field(description="z, z-nps, welch or msprt")
    alpha: float
    baseline: float | None
    variants: list[VariantResultOut]


class VariantIn(Schema):
    name: nonblank(60)
    weight: int = Field(1, ge=1, le=100, description="Share of a hash assignment, relative.")
    segment_id: int | None = Field(None, description="With the segment assignment: its segment.")


class MemberIn(Schema):
    external_id: nonblank(100)
    variant: nonblank(60)


class ExperimentIn(Schema):
    name: nonblank(160)
    hypothesis: optional_text(2000) = ""
    metric: one_of(ExperimentMetric)
    design: one_of(Experiment.Design) = "fixed"
    assignment: one_of(Experiment.Assignment) = "hash"
    starts_on: date
    ends_on: date
    minimum_detectable_effect: float = Field(
        description="The smallest difference worth detecting, in the metric's unit "
        "(percentage points for rates, points for NPS)."
    )
    baseline: float | None = None
    eligible_segment_id: int | None = Field(
        None, description="With the hash assignment: only customers of this segment take part."
    )
    variants: list[VariantIn] = Field(
        min_length=2, max_length=10, description="The first is the control."
    )
    members: list[MemberIn] = Field(
        [], max_length=100_000, description="With the list assignment: who gets which variant."
    )


def _experiment(experiment) -> dict:
    return {
        "id": experiment.pk,
        "name": experiment.name,
        "hypothesis": experiment.hypothesis,
        "metric": experiment.metric,
        "design": experiment.design,
        "assignment": experiment.assignment,
        "starts_on": experiment.starts_on,
        "ends_on": experiment.ends_on,
        "minimum_detectable_effect": experiment.minimum_detectable_effect,
        "status": status(experiment),
        "variants": [
            {"id": v.pk, "name": v.name, "control": v.is_control, "weight": v.weight}
            for v in experiment.variants.all()
        ],
    }


def _number(value: float | None) -> float | None:
    return None if value is None or value != value else value  # NaN is "not known"


def _results(results: ExperimentResults) -> dict:
    rows = []
    for row in results.variants:
        estimate, comparison = row.estimate, row.comparison
        rows.append(
            {
                "variant": row.variant.name,
                "n": row.sample.n,
                "value": _number(estimate.value) if estimate else None,
                "low": _number(estimate.low) if estimate else None,
                "high": _number(estimate.high) if estimate else None,
                "uplift": comparison.difference if comparison else None,
                "uplift_low": comparison.low if comparison else None,
                "uplift_high": comparison.high if comparison else None,
                "p_value": comparison.p_value if comparison else None,
                "verdict": row.verdict,
                "planned_n": row.planned_n,
                "still_needed": row.still_needed,
                "stopped_on": row.stopped_on,
            }
        )
    return {
        "experiment": _experiment(results.experiment),
        "test": results.test,
        "alpha": results.alpha,
        "baseline": results.baseline,
        "variants": rows,
    }


@router.get("", response=list[ExperimentOut], summary="Experiments, newest first")
def list_experiments(request: HttpRequest):
    return [_experiment(e) for e in selectors.experiments()]


@router.get("/{int:experiment_id}", response=ResultsOut, summary="One experiment's results")
def get_experiment(request: HttpRequest, experiment_id: int):
    experiment = get_object_or_404(selectors.experiments(), pk=experiment_id)
    return _results(experiment_results(experiment))


@router.post(
    "",
    response={201: ResultsOut, 403: ErrorOut, 422: ErrorOut},
    auth=manager_token,
    summary="Define an experiment (manager role)",
)
def define_experiment(request: HttpRequest, payload: ExperimentIn):
    segments = Segment.objects.all()
    variants = [
        VariantSpec(
            v.name,
            weight=v.weight,
            segment=None
            if v.segment_id is None
            else referenced(segments, v.segment_id, f"variants.{i}.segment_id", "segment"),
        )
        for i, v in enumerate(payload.variants)
    ]
    eligible = (
        None
        if payload.eligible_segment_id is None
        else referenced(segments, payload.eligible_segment_id, "eligible_segment_id", "segment")
    )
    try:
        experiment = create_experiment(
            request.workspace,
            name=payload.name,
            hypothesis=payload.hypothesis,
            metric=payload.metric,
            design=payload.design,
            assignment=payload.assignment,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            minimum_detectable_effect=payload.minimum_detectable_effect,
            baseline=payload.baseline,
            eligible_segment=eligible,
            variants=variants,
            members=[(m.external_id, m.variant) for m in payload.members],
            created_by=request.auth.user,
        )
    except ExperimentInvalid as error:
        raise Invalid(error.field or "", str(error)) from error
    return Status(201, _results(experiment_results(experiment)))
