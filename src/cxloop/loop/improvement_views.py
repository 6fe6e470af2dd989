"""Pages of the CX goal, the improvement backlog, the weekly grid and "you said, we did"."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from cxloop.accounts.models import Department, Role
from cxloop.accounts.permissions import require_role

from . import effects, goal, grid, improvements, you_said
from . import improvement_selectors as selectors
from .effect_chart import effect_chart
from .improvement_forms import (
    GoalForm,
    ImprovementForm,
    ProcessForm,
    ShipForm,
    TargetFormSet,
    YouSaidTemplateForm,
)
from .models import Improvement, ImprovementStatus, Process

T = TypeVar("T")


def _save(form: Form, action: Callable[[], T]) -> T | None:
    """Run a service; a refusal becomes an error beside its field (or above the form)."""
    try:
        return action()
    except improvements.ImprovementError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _ids(values: list[str]) -> list[int]:
    found: list[int] = []
    for value in values:
        for part in value.replace(",", " ").split():
            if part.isdigit():
                found.append(int(part))
    return found


def _improvement(improvement_id: int) -> Improvement:
    try:
        return selectors.improvement_detail(improvement_id)
    except Improvement.DoesNotExist:
        raise Http404("No such improvement here.") from None


# --- goal -------------------------------------------------------------------------------------


@require_role(Role.VIEWER)
def goal_page(request: HttpRequest) -> HttpResponse:
    current = selectors.current_goal()
    return render(
        request,
        "loop/goal_page.html",
        {
            "goal": current,
            "progress": selectors.goal_progress(current),
            "can_edit": request.membership.has_role(Role.MANAGER),
        },
    )


@require_role(Role.MANAGER)
def goal_edit(request: HttpRequest) -> HttpResponse:
    current = goal.goal()
    initial_targets = [
        {"metric": t.metric, "comparison": t.comparison, "value": t.value, "due_on": t.due_on}
        for t in current.targets.all()
    ]
    form = GoalForm(
        request.POST or None,
        initial={"statement": current.statement, "atmosphere": current.atmosphere},
    )
    targets = TargetFormSet(request.POST or None, initial=initial_targets, prefix="targets")
    if request.method == "POST" and form.is_valid() and targets.is_valid():
        given = [
            goal.TargetInput(t["metric"], t["comparison"], t["value"], t["due_on"])
            for t in targets.cleaned_data
            if t and not t.get("DELETE")
        ]
        saved = _save(
            form,
            lambda: goal.update_goal(
                statement=form.cleaned_data["statement"],
                atmosphere=form.cleaned_data["atmosphere"],
                targets=given,
                actor=request.user,
            ),
        )
        if saved is not None:
            messages.success(request, _("The goal is saved."))
            return redirect("loop:goal")
    return render(request, "loop/goal_edit.html", {"form": form, "targets": targets})


# --- improvements -----------------------------------------------------------------------------


@require_role(Role.VIEWER)
def improvement_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ImprovementStatus.values else ""
    process_id = _int(request.GET.get("process"))
    department_id = _int(request.GET.get("department"))
    rows = selectors.backlog(status=status, process_id=process_id, department_id=department_id)
    return render(
        request,
        "loop/improvement_list.html",
        {
            "improvements": rows[:200],
            "counts": selectors.status_counts(),
            "statuses": ImprovementStatus.choices,
            "status": status,
            "processes": selectors.processes(),
            "departments": Department.objects.all(),
            "process_id": process_id,
            "department_id": department_id,
            "can_propose": request.membership.has_role(Role.AGENT),
        },
    )


@require_role(Role.AGENT)
def improvement_new(request: HttpRequest) -> HttpResponse:
    """A new improvement; ``?experience=1&experience=2`` (or ``1,2``) links those signals."""
    if request.method == "POST":
        experience_ids = _ids(request.POST.getlist("experiences"))
    else:
        experience_ids = _ids(request.GET.getlist("experience"))
    form = ImprovementForm(request.POST or None)
    signals = selectors.signals_by_ids(experience_ids)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = _save(
            form,
            lambda: improvements.create_improvement(
                title=data["title"],
                description=data["description"],
                process=data["process"],
                department=data["department"],
                owner=data["owner"].user if data["owner"] else None,
                touchpoint=data["touchpoint"],
                planned_for=data["planned_for"],
                customer_message=form.message(),
                links=improvements.Links(experience_ids=[s.pk for s in signals]),
                actor=request.user,
            ),
        )
        if created is not None:
            messages.success(request, _("The improvement is in the backlog."))
            return redirect("loop:improvement_detail", created.pk)
    elif request.method == "GET" and signals:
        touchpoints = {s.touchpoint_id for s in signals if s.touchpoint_id}
        if len(touchpoints) == 1:
            form.initial["touchpoint"] = touchpoints.pop()
    return render(
        request,
        "loop/improvement_form.html",
        {"form": form, "signals": signals, "title": _("New improvement")},
    )


@require_role(Role.MANAGER)
def improvement_edit(request: HttpRequest, improvement_id: int) -> HttpResponse:
    improvement = _improvement(improvement_id)
    message = improvement.customer_message or {}
    owner = _membership_of(improvement.owner_id) if improvement.owner_id else None
    form = ImprovementForm(
        request.POST or None,
        initial={
            "title": improvement.title,
            "description": improvement.description,
            "process": improvement.process_id,
            "department": improvement.department_id,
            "owner": owner,
            "touchpoint": improvement.touchpoint_id,
            "planned_for": improvement.planned_for,
            **{f"message_{k}": v for k, v in message.items()},
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = _save(
            form,
            lambda: improvements.update_improvement(
                improvement,
                actor=request.user,
                customer_message=form.message(),
                title=data["title"],
                description=data["description"],
                process=data["process"],
                department=data["department"] or data["process"].department,
                owner=data["owner"].user if data["owner"] else None,
                touchpoint=data["touchpoint"],
                planned_for=data["planned_for"],
            ),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("loop:improvement_detail", improvement.pk)
    return render(
        request,
        "loop/improvement_form.html",
        {"form": form, "signals": [], "title": _("Edit improvement"), "improvement": improvement},
    )


def _membership_of(user_id: int):
    from cxloop.accounts.models import Membership

    return Membership.objects.filter(user_id=user_id).values_list("pk", flat=True).first()


@require_role(Role.VIEWER)
def improvement_detail(request: HttpRequest, improvement_id: int) -> HttpResponse:
    improvement = _improvement(improvement_id)
    weeks = _int(request.GET.get("weeks")) or effects.DEFAULT_WEEKS
    effect = effects.measure(improvement, weeks=weeks)
    return render(
        request,
        "loop/improvement_detail.html",
        {
            "improvement": improvement,
            "effect": effect,
            "chart": effect_chart(effect),
            "week_choices": (4, 6, 8, 12),
            "signals": selectors.linked_signals(improvement),
            "signal_count": improvement.experiences.count(),
            "events": selectors.events_of(improvement),
            "told": selectors.notification_summary(improvement),
            "next_statuses": [
                (s, ImprovementStatus(s).label) for s in improvements.allowed_next(improvement)
            ],
            "can_manage": request.membership.has_role(Role.MANAGER),
            "can_link": request.membership.has_role(Role.AGENT),
            "ship_form": ShipForm(),
        },
    )


@require_role(Role.MANAGER)
@require_POST
def improvement_move(request: HttpRequest, improvement_id: int) -> HttpResponse:
    improvement = _improvement(improvement_id)
    form = ShipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status (and a valid date)."))
        return redirect("loop:improvement_detail", improvement.pk)
    try:
        improvements.move(
            improvement,
            form.cleaned_data["status"],
            actor=request.user,
            shipped_on=form.cleaned_data.get("shipped_on"),
        )
    except improvements.ImprovementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Status changed."))
    return redirect("loop:improvement_detail", improvement.pk)


@require_role(Role.AGENT)
@require_POST
def improvement_link(request: HttpRequest, improvement_id: int) -> HttpResponse:
    improvement = _improvement(improvement_id)
    try:
        added = improvements.link_signals(
            improvement, _ids(request.POST.getlist("experiences")), actor=request.user
        )
    except improvements.ImprovementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%d signals linked.") % added)
    return redirect("loop:improvement_detail", improvement.pk)


# --- grid and processes -----------------------------------------------------------------------


@require_role(Role.VIEWER)
def grid_page(request: HttpRequest) -> HttpResponse:
    end = grid.parse_week(request.GET.get("end", ""))
    weeks = _int(request.GET.get("weeks")) or grid.DEFAULT_WEEKS
    return render(request, "loop/grid_page.html", {"grid": grid.build_grid(end=end, weeks=weeks)})


@require_role(Role.VIEWER)
def process_list(request: HttpRequest) -> HttpResponse:
    can_edit = request.membership.has_role(Role.MANAGER)
    form = ProcessForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if request.POST.get("defaults"):
            added = improvements.ensure_default_processes()
            messages.success(request, _("%d default processes added.") % added)
            return redirect("loop:processes")
        if form is not None and form.is_valid():
            created = _save(
                form,
                lambda: improvements.add_process(
                    form.cleaned_data["name"], department=form.cleaned_data["department"]
                ),
            )
            if created is not None:
                messages.success(request, _("Process added."))
                return redirect("loop:processes")
    return render(
        request,
        "loop/improvement_processes.html",
        {"processes": Process.objects.select_related("department"), "form": form},
    )


# --- you said, we did -------------------------------------------------------------------------


@require_role(Role.MANAGER)
def you_said_template(request: HttpRequest) -> HttpResponse:
    """Edit the email in one language and see it filled in for an improvement."""
    language = request.GET.get("lang") or request.POST.get("lang") or "uk"
    if language not in you_said.LANGUAGES:
        language = "uk"
    subject, body = you_said.template_for(language)
    form = YouSaidTemplateForm(request.POST or None, initial={"subject": subject, "body": body})
    if request.method == "POST" and form.is_valid():
        you_said.save_template(language, **form.cleaned_data)
        messages.success(request, _("The template is saved."))
        return redirect(reverse("loop:you_said_template") + f"?lang={language}")
    sample = selectors.sample_improvement(_int(request.GET.get("improvement")))
    return render(
        request,
        "loop/you_said_template.html",
        {
            "form": form,
            "language": language,
            "template_languages": [("uk", "Українська"), ("ru", "Русский"), ("en", "English")],
            "sample": sample,
            "preview": you_said.preview(sample, language) if sample else None,
        },
    )


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def you_said_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the link in the email; GET asks, POST records (so a mail scanner cannot).

    The signed token is the only credential, as with the survey emails' unsubscribe link: no
    login, no cookie, so no CSRF token (a mail client's one-click ``List-Unsubscribe-Post`` has
    none either).
    """
    notification = you_said.resolve_unsubscribe(token)
    if notification is None:
        raise Http404("This unsubscribe link is not valid.")
    language = notification.language if notification.language in you_said.LANGUAGES else "en"
    done = False
    if request.method == "POST":
        you_said.unsubscribe(notification)
        done = True
    copy = you_said.UNSUBSCRIBE_PAGE[language]
    workspace = notification.improvement.workspace.name
    return render(
        request,
        "loop/you_said_unsubscribe.html",
        {
            "done": done,
            "language": language,
            "copy": copy,
            "question": copy["question"].replace("{workspace}", workspace),
            "done_text": copy["done"].replace("{workspace}", workspace),
        },
    )
