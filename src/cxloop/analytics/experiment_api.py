"""A/B experiments over the API, read-only: the definitions and their live results.

Mounted at ``/api/v1/experiments``. The numbers are the same as the results page's (one code
path, :func:`cxloop.analytics.experiments.experiment_results`); rates are in percent, NPS in
points, means in their unit. Another workspace's id is "no such experiment" (404).
"""

# No `from __future__ import annotations`: ninja reads the annotations at import time.

from datetime import date

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from . import experiment_selectors as selectors
from .experiments import ExperimentResults, experiment_results, status

router = Router(tags=["experiments"])


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
