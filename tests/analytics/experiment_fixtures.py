"""Alice's experiment for the isolation test, made on first use from her things."""

from __future__ import annotations

from datetime import date

from cxloop.analytics.experiments import VariantSpec, create_experiment
from cxloop.core.scoping import bind_workspace


def alices_experiment(things: dict):
    """An experiment in Alice's workspace (created once per test, kept in ``things``)."""
    if "experiment" not in things:
        workspace = things["customer"].workspace
        with bind_workspace(workspace):
            things["experiment"] = create_experiment(
                workspace,
                name="ALICE-ONLY experiment",
                metric="nps",
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 2, 1),
                minimum_detectable_effect=10,
                variants=[VariantSpec("ALICE-ONLY control"), VariantSpec("ALICE-ONLY postcard")],
            )
    return things["experiment"]
