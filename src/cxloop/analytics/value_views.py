"""The Customer value page: cohorts, value KPIs, the lifetime-value model and the seeds' claims."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cxloop.accounts.models import Role
from cxloop.accounts.permissions import require_role

from .claims import ADVOCATE_VALUE, HORIZON_DAYS, REPEAT_SALE, REPEAT_SPEND
from .cohorts import LAPSE_DAYS
from .value_selectors import HEAT_BUCKETS, customer_value_view


@require_role(Role.VIEWER)
def customer_value(request: HttpRequest) -> HttpResponse:
    view = customer_value_view()
    claims = view.claims if view else {}
    return render(
        request,
        "analytics/value.html",
        {
            "value": view,
            "claims": [
                (key, claims.get(key)) for key in (REPEAT_SPEND, REPEAT_SALE, ADVOCATE_VALUE)
            ],
            "lapse_days": LAPSE_DAYS,
            "claim_days": HORIZON_DAYS,
            "heat_buckets": HEAT_BUCKETS[1:],
            "discount_percent": view.snapshot.monthly_discount * 100 if view else None,
        },
    )
