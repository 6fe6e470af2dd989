"""The home page and the error pages; other pages live in their own apps."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cxloop.accounts.models import Role
from cxloop.accounts.permissions import require_role
from cxloop.analytics import selectors as analytics_selectors
from cxloop.analytics.selectors import Slice
from cxloop.customers import selectors as customer_selectors
from cxloop.experiences import selectors as experience_selectors

RECENT = timedelta(days=90)


@require_role(Role.VIEWER)
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    # Twelve whole months before this one, and this month so far.
    this_month = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    since = (this_month - timedelta(days=365)).replace(day=1)
    months = customer_selectors.orders_by_month(since=since)
    peak = max((m.orders for m in months), default=0)
    base = customer_selectors.customer_base()
    return render(
        request,
        "web/home.html",
        {
            "base": base,
            "repeat_pct": round(100 * base.repeat_share) if base.repeat_share is not None else None,
            "nps": analytics_selectors.metric_value(
                "nps", Slice.last_days(RECENT.days, timezone.localdate(now))
            ),
            "mix": experience_selectors.emotion_mix(since=now - RECENT),
            "months": [
                {
                    "month": m.month,
                    "orders": m.orders,
                    "height": round(100 * m.orders / peak) if peak else 0,
                }
                for m in months
            ],
            "latest": experience_selectors.latest_with_text(),
            "stances": customer_selectors.stance_mix(),
            "recovered": customer_selectors.recovered_prosecutors(since=now - RECENT),
        },
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"status": 403, "reason": exception}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"status": 404}, status=404)
