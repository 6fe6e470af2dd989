"""Template tags other apps' pages use to show a piece of the loop without importing it.

- ``{% cx_goal %}`` (home page): the workspace's CX goal and its targets, two queries;
- ``{% you_said_timeline customer %}`` (customer 360): the "you said, we did" emails the customer
  was sent, the record on their timeline;
- ``{% improve_from_signals experiences %}`` (customer 360): a link that starts a new improvement
  from the negative signals among ``experiences``, for agents and up.
"""

from __future__ import annotations

from django import template

from cxloop.accounts.models import Role
from cxloop.loop.improvement_selectors import current_goal, told_customer

register = template.Library()


@register.inclusion_tag("loop/goal_home.html")
def cx_goal() -> dict:
    return {"goal": current_goal()}


@register.inclusion_tag("loop/you_said_timeline.html")
def you_said_timeline(customer) -> dict:
    return {"told": list(told_customer(customer.pk))}


@register.inclusion_tag("loop/improvement_from_signals.html", takes_context=True)
def improve_from_signals(context, experiences) -> dict:
    membership = getattr(context.get("request"), "membership", None)
    allowed = membership is not None and membership.has_role(Role.AGENT)
    ids = [e.pk for e in experiences if e.emotion == "negative"] if allowed else []
    return {"ids": ",".join(str(pk) for pk in ids), "count": len(ids)}
