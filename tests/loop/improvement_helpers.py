"""Helpers shared by the improvement tests: a process, an improvement, a shipped one."""

from __future__ import annotations

from datetime import date

from cxloop.core.scoping import bind_workspace
from cxloop.loop import improvements
from cxloop.loop.models import Improvement, Process

from ..factories import DepartmentFactory


def make_process(workspace, name: str = "Delivery", department=None) -> Process:
    department = department or DepartmentFactory(workspace=workspace, name=f"{name} team")
    with bind_workspace(workspace):
        return improvements.add_process(name, department=department)


def make_improvement(
    workspace,
    *,
    title: str = "Courier calls before arrival",
    process: Process | None = None,
    shipped_on: date | None = None,
    notify: bool = False,
    **kwargs,
) -> Improvement:
    process = process or make_process(workspace)
    with bind_workspace(workspace):
        improvement = improvements.create_improvement(title=title, process=process, **kwargs)
        if shipped_on is not None:
            for status in ("planned", "in_progress"):
                improvements.move(improvement, status)
            improvement = improvements.move(
                improvement, "shipped", shipped_on=shipped_on, notify=notify
            )
    return improvement


def alices_improvement(things: dict) -> Improvement:
    """Alice's improvement for the isolation test (tests/test_isolation.py): shipped, linked to one
    of her experiences; the same one for every route."""
    customer = things["customer"]
    workspace = customer.workspace
    with bind_workspace(workspace):
        found = Improvement.objects.filter(title="ALICE-ONLY improvement").first()
    if found is not None:
        return found
    return make_improvement(
        workspace,
        title="ALICE-ONLY improvement",
        process=make_process(workspace, "ALICE-ONLY process"),
        touchpoint=things["touchpoint"],
        links=improvements.Links(experience_ids=[things["experience"].pk]),
        shipped_on=date(2026, 1, 5),
    )
