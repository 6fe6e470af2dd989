"""The CX goal: one page per workspace that says where the company is going and how it will know.

The goal is a few sentences (what we want customers to feel and say), the atmosphere we want in
the team, and target metrics with a value and a date ("NPS ≥ 40 by 2027-06-30"). Owners and
managers edit it; everyone sees it on the home page beside the figures it is measured by. Each
target's *current* value is computed by the same selectors the home page uses (the last 90 days),
so the goal page never shows a number the dashboard would not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cxloop.accounts.models import User

from .improvements import ImprovementInvalid
from .models import CxGoal, GoalTarget

MAX_TARGETS = 8


@dataclass(frozen=True)
class TargetInput:
    metric: str
    comparison: str
    value: Decimal | float | str
    due_on: date


def goal() -> CxGoal:
    """The bound workspace's goal, created empty on first use."""
    found = CxGoal.objects.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return CxGoal.objects.create()
    except IntegrityError:  # created by a concurrent request a moment ago
        return CxGoal.objects.get()


def _target(position: int, given: TargetInput) -> GoalTarget:
    if given.metric not in GoalTarget.Metric.values:
        raise ImprovementInvalid(_("Unknown metric “%s”.") % given.metric, "targets")
    if given.comparison not in GoalTarget.Comparison.values:
        raise ImprovementInvalid(_("Choose ≥ or ≤ for every target."), "targets")
    try:
        value = Decimal(str(given.value))
    except InvalidOperation:
        raise ImprovementInvalid(_("A target value must be a number."), "targets") from None
    low, high = (-100, 100) if given.metric == GoalTarget.Metric.NPS else (0, 100)
    if given.metric == GoalTarget.Metric.CSAT:
        low, high = 1, 5
    elif given.metric == GoalTarget.Metric.CES:
        low, high = 1, 7
    if not low <= value <= high:
        raise ImprovementInvalid(
            _("A %(metric)s target must lie between %(low)s and %(high)s.")
            % {"metric": GoalTarget.Metric(given.metric).label, "low": low, "high": high},
            "targets",
        )
    return GoalTarget(
        metric=given.metric,
        comparison=given.comparison,
        value=value,
        due_on=given.due_on,
        position=position,
    )


@transaction.atomic
def update_goal(
    *,
    statement: str,
    atmosphere: str,
    targets: Iterable[TargetInput] | None = None,
    actor: User | None = None,
) -> CxGoal:
    """Replace the goal's text and (when given) its targets, in one transaction."""
    row = goal()
    row = CxGoal.objects.select_for_update().get(pk=row.pk)
    row.statement = statement.strip()
    row.atmosphere = atmosphere.strip()
    row.updated_by = actor
    row.save()
    if targets is not None:
        built = [_target(n, t) for n, t in enumerate(targets, start=1)]
        if len(built) > MAX_TARGETS:
            raise ImprovementInvalid(
                _("Keep to at most %d targets: a goal is remembered, not read.") % MAX_TARGETS,
                "targets",
            )
        GoalTarget.objects.filter(goal=row).delete()
        for target in built:
            target.goal = row
        GoalTarget.objects.bulk_create(built)
    return row
