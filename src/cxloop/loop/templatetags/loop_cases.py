"""Template tags other apps' pages use to show cases without importing the loop app.

- ``{% customer_cases customer %}`` (customer 360): the customer's cases and every state change
  of them (opened, contacted, resolved, notes…), newest first: the case rows on their timeline;
- ``{{ value|stance_label }}``: a stored stance (``prosecutor``…) in the reader's language.
"""

from __future__ import annotations

from django import template

from cxloop.customers.models import Stance
from cxloop.loop.case_selectors import customer_case_events

register = template.Library()


@register.inclusion_tag("loop/case_customer_timeline.html")
def customer_cases(customer) -> dict:
    return {"events": list(customer_case_events(customer.pk)), "show_case": True}


@register.filter
def stance_label(value: str) -> str:
    return Stance(value).label if value in Stance.values else value
