"""Customer list and profile pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cxloop.accounts.models import Role
from cxloop.accounts.permissions import require_role
from cxloop.experiences.selectors import customer_timeline

from . import selectors
from .models import Customer

PAGE_SIZE = 25


@require_role(Role.VIEWER)
def customer_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:200]
    try:
        segment_id = int(request.GET.get("segment") or 0) or None
    except ValueError:
        segment_id = None
    page = Paginator(selectors.search_customers(query, segment_id), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "query": query,
        "segment_id": segment_id,
        "segment_list": selectors.segments(),
    }
    template = (
        "customers/_table.html"
        if request.htmx and not request.htmx.boosted
        else "customers/list.html"
    )
    return render(request, template, context)


@require_role(Role.VIEWER)
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = get_object_or_404(Customer.objects.select_related("segment"), pk=customer_id)
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "orders": selectors.customer_orders(customer),
            "timeline": customer_timeline(customer.pk),
        },
    )
