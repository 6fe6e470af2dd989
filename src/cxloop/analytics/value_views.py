"""The Customer value page: cohorts, value KPIs, the lifetime-value model and the seeds' claims."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cxloop.accounts.models import Role
from cxloop.accounts.permissions import require_role

from .claims import ADVOCATE_VALUE, HORIZON_DAYS, REPEAT_SALE, REPEAT_SPEND
from .cohorts import LAPSE_DAYS
from .value_selectors import HEAT_BUCKETS, customer_value_view
from .value_tasks import refresh_customer_value


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
            "can_refresh": request.membership.has_role(Role.MANAGER),
        },
    )


@require_role(Role.MANAGER)
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Queue a recompute now (it also runs daily); a background worker does the work."""
    workspace_id = request.workspace.pk
    transaction.on_commit(lambda: refresh_customer_value.enqueue(workspace_id))
    messages.success(
        request, _("Customer value is being recomputed; reload this page in a minute.")
    )
    return redirect("analytics:value")
