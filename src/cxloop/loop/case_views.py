"""Case pages: the list with its filters and recovery rate, one case with its timeline and the
actions on it. Thin: each action parses a form and calls one service in ``cases.py``.

Anyone in the workspace may read; agents and above contact, resolve, close and write notes;
managers and owners reassign.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cxloop.accounts.models import Role, User
from cxloop.accounts.permissions import require_role

from . import case_selectors as selectors
from . import cases
from .case_forms import (
    CaseFilterForm,
    ContactForm,
    NoteForm,
    ReassignForm,
    ResolveForm,
    WontFixForm,
)
from .models import Case, CaseStatus

PAGE_SIZE = 25
NOTICES_SHOWN = 5


@require_role(Role.VIEWER)
def case_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    handlers = selectors.case_handlers()
    form = CaseFilterForm(request.GET or None, handlers=handlers)
    filters = form.filters(request.user.pk)
    paginator = Paginator(selectors.search_cases(now=now, **filters), PAGE_SIZE)
    return render(
        request,
        "loop/case_list.html",
        {
            "form": form,
            "page": paginator.get_page(request.GET.get("page")),
            "counts": selectors.case_counts(request.user, now),
            "recovery": selectors.recovery_rate(now=now),
            **_notices(request),
        },
    )


def _notices(request: HttpRequest) -> dict:
    return {
        "notices": selectors.unread_notifications(request.user, limit=NOTICES_SHOWN),
        "notice_count": selectors.unread_count(request.user),
    }


def _case(case_id: int) -> Case:
    return get_object_or_404(
        selectors.with_overdue(
            Case.objects.select_related(
                "customer", "owner", "touchpoint", "topic", "department", "experience"
            ),
            timezone.now(),
        ),
        pk=case_id,
    )


@require_role(Role.VIEWER)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    return _render_detail(request, _case(case_id))


def _render_detail(
    request: HttpRequest, case: Case, *, forms: dict | None = None, status: int = 200
) -> HttpResponse:
    handlers = selectors.case_handlers()
    membership = request.membership
    context = {
        "case": case,
        "timeline": selectors.case_timeline(case),
        "can_act": membership.has_role(Role.AGENT) and case.is_open,
        "can_note": membership.has_role(Role.AGENT),
        "can_reassign": membership.has_role(Role.MANAGER) and case.is_open,
        "contact_form": ContactForm(),
        "resolve_form": ResolveForm(),
        "wont_fix_form": WontFixForm(),
        "note_form": NoteForm(),
        "reassign_form": ReassignForm(handlers=handlers, initial={"owner": case.owner_id}),
        "is_new": case.status == CaseStatus.NEW,
        **_notices(request),
    }
    context.update(forms or {})
    return render(request, "loop/case_detail.html", context, status=status)


def _failed(
    request: HttpRequest, case: Case, error: cases.CaseError, **forms: object
) -> HttpResponse:
    messages.error(request, str(error))
    return _render_detail(request, _case(case.pk), forms=forms, status=error.status)


@require_role(Role.AGENT)
@require_POST
def case_contact(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, case, forms={"contact_form": form}, status=422)
    try:
        cases.change_status(
            case, CaseStatus.CONTACTED, actor=request.user, text=form.cleaned_data["text"]
        )
    except cases.CaseError as error:
        return _failed(request, case, error, contact_form=form)
    messages.success(request, _("Marked as contacted."))
    return redirect("loop:case_detail", case.pk)


@require_role(Role.AGENT)
@require_POST
def case_resolve(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, case, forms={"resolve_form": form}, status=422)
    data = form.cleaned_data
    try:
        cases.change_status(
            case,
            CaseStatus.RESOLVED,
            actor=request.user,
            text=data["text"],
            goodwill_value=data.get("goodwill_value"),
            goodwill_currency=data.get("goodwill_currency") or "",
        )
    except cases.CaseError as error:
        return _failed(request, case, error, resolve_form=form)
    messages.success(request, _("Case resolved."))
    return redirect("loop:case_detail", case.pk)


@require_role(Role.AGENT)
@require_POST
def case_wont_fix(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    form = WontFixForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, case, forms={"wont_fix_form": form}, status=422)
    try:
        cases.change_status(
            case, CaseStatus.WONT_FIX, actor=request.user, text=form.cleaned_data["text"]
        )
    except cases.CaseError as error:
        return _failed(request, case, error, wont_fix_form=form)
    messages.success(request, _("Case closed without a fix."))
    return redirect("loop:case_detail", case.pk)


@require_role(Role.AGENT)
@require_POST
def case_note(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, case, forms={"note_form": form}, status=422)
    try:
        cases.add_note(case, actor=request.user, text=form.cleaned_data["text"])
    except cases.CaseError as error:
        return _failed(request, case, error, note_form=form)
    messages.success(request, _("Note added."))
    return redirect("loop:case_detail", case.pk)


@require_role(Role.MANAGER)
@require_POST
def case_reassign(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(case_id)
    form = ReassignForm(request.POST, handlers=selectors.case_handlers())
    if not form.is_valid():
        return _render_detail(request, case, forms={"reassign_form": form}, status=422)
    try:
        owner = cases.eligible_owner(form.cleaned_data["owner"])
        cases.reassign(case, actor=request.user, owner=owner)
    except cases.CaseError as error:
        return _failed(request, case, error, reassign_form=form)
    messages.success(request, _("Case given to %(owner)s.") % {"owner": owner})
    return redirect("loop:case_detail", case.pk)


@require_role(Role.VIEWER)
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    cases.mark_notifications_read(user)
    return redirect("loop:cases")
