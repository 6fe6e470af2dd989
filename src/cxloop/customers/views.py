"""Customer list and the customer 360 page, with the forms staff use on it."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cxloop.accounts.models import Role
from cxloop.accounts.permissions import require_role
from cxloop.analytics.value_selectors import predicted_value_of
from cxloop.experiences.selectors import customer_timeline

from . import expectations as plans
from . import selectors
from .forms import CustomerFilterForm, ExpectationForm, WowStepForm
from .models import Customer, Expectation, WowPlanItem

PAGE_SIZE = 25
# Counting every match of a filter over a million customers costs more than the page itself;
# beyond this many we say "10,000+".
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A paginator for very large lists (measured in bench/customer_pages.py at 1M customers).

    - The count is capped, computed once, and without ``ORDER BY`` so the database can answer it
      from the filter's own index.
    - A page always asks for ``per_page`` rows: Django slices to the count, and a ``LIMIT 1``
      makes PostgreSQL walk the whole name index when a single customer matches.
    """

    def __init__(self, *args: object, known_count: int | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if known_count is not None:
            self.__dict__["count"] = known_count  # what the cached property would compute

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page])
        return self._get_page(rows, number, self)


@require_role(Role.VIEWER)
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerFilterForm(request.GET, segments=selectors.segments())
    filters = form.filters()
    customers = selectors.search_customers(**filters)
    matched = None
    if filters["query"].strip():
        # A text search lists at most SEARCH_CAP customers, the most recently added (see there).
        customers, matched = selectors.cap_search(customers)
    paginator = CappedPaginator(
        customers,
        PAGE_SIZE,
        known_count=None if matched is None else min(matched, selectors.SEARCH_CAP),
    )
    context = {
        "form": form,
        "page": paginator.get_page(request.GET.get("page")),
        "capped": paginator.count > COUNT_CAP,
        "search_capped": matched is not None and matched > selectors.SEARCH_CAP,
        "search_cap": selectors.SEARCH_CAP,
        "filtered": any(filters.values()),
    }
    template = (
        "customers/_table.html"
        if request.htmx and not request.htmx.boosted
        else "customers/list.html"
    )
    return render(request, template, context)


def _customer(customer_id: int) -> Customer:
    return get_object_or_404(Customer.objects.select_related("segment"), pk=customer_id)


@require_role(Role.VIEWER)
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer(customer_id)
    return _render_360(request, customer)


def _render_360(
    request: HttpRequest,
    customer: Customer,
    *,
    expectation_form: ExpectationForm | None = None,
    wow_form: WowStepForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "expectations": selectors.expectations_of(customer),
            "plan": selectors.wow_plan(customer),
            "stance_history": selectors.stance_history(customer),
            "orders": selectors.customer_orders(customer),
            "timeline": customer_timeline(customer.pk),
            "predicted_value": predicted_value_of(customer),
            "can_edit": request.membership.has_role(Role.AGENT),
            "today": timezone.localdate(),
            "expectation_form": expectation_form or ExpectationForm(),
            "wow_form": wow_form or WowStepForm(customer=customer),
        },
        status=status,
    )


@require_role(Role.AGENT)
@require_POST
def add_expectation(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer(customer_id)
    form = ExpectationForm(request.POST)
    if not form.is_valid():
        return _render_360(request, customer, expectation_form=form, status=422)
    plans.note_individual_expectation(
        customer,
        form.cleaned_data["text"],
        source=form.cleaned_data["source"],
        noted_by=request.user,
    )
    messages.success(request, _("Expectation noted."))
    return redirect("customers:detail", customer.pk)


@require_role(Role.AGENT)
@require_POST
def retire_expectation(request: HttpRequest, customer_id: int, expectation_id: int) -> HttpResponse:
    customer = _customer(customer_id)
    expectation = get_object_or_404(
        Expectation.objects.filter(customer=customer), pk=expectation_id
    )
    plans.retire_expectation(expectation)
    return redirect("customers:detail", customer.pk)


@require_role(Role.AGENT)
@require_POST
def add_wow_step(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = _customer(customer_id)
    form = WowStepForm(request.POST, customer=customer)
    if not form.is_valid():
        return _render_360(request, customer, wow_form=form, status=422)
    owner = form.cleaned_data["owner"]
    plans.plan_wow(
        customer,
        form.cleaned_data["action"],
        due_on=form.cleaned_data["due_on"],
        owner=owner.user if owner else None,
        expectation=form.cleaned_data["expectation"],
    )
    messages.success(request, _("Added to the WOW plan."))
    return redirect("customers:detail", customer.pk)


@require_role(Role.AGENT)
@require_POST
def complete_wow_step(request: HttpRequest, customer_id: int, step_id: int) -> HttpResponse:
    customer = _customer(customer_id)
    step = get_object_or_404(WowPlanItem.objects.filter(customer=customer), pk=step_id)
    produced = {"yes": True, "no": False}.get(request.POST.get("produced_wow", ""))
    plans.complete_wow_step(step, produced_wow=produced)
    return redirect("customers:detail", customer.pk)
