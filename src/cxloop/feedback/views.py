"""Staff pages for surveys: the list, a new survey from a template, a survey's links (anonymous,
embed snippet, QR code, personal), its results and their CSV export, and the workspace's feedback
settings. The public pages are in :mod:`.public`."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import timedelta

import segno
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cxloop.accounts.models import Role
from cxloop.accounts.permissions import require_role
from cxloop.core.scoping import bind_workspace
from cxloop.customers.models import Customer, Segment
from cxloop.journeys.models import Touchpoint

from . import selectors, services
from .errors import FeedbackError
from .forms import FeedbackSettingsForm, InviteForm, ResultsFilterForm, SurveyCreateForm
from .models import Question, Response, Survey, localized


def _survey(survey_id: int) -> Survey:
    return get_object_or_404(Survey.objects.select_related("touchpoint"), pk=survey_id)


def _touchpoints() -> QuerySet[Touchpoint]:
    return Touchpoint.objects.select_related("stage__journey").order_by(
        "stage__journey__name", "stage__position", "position", "name"
    )


def anonymous_url(request: HttpRequest, survey: Survey, via: str = "") -> str:
    url = request.build_absolute_uri(reverse("survey:anonymous", args=[survey.public_key]))
    return f"{url}?via={via}" if via else url


@require_role(Role.VIEWER)
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = Survey.objects.select_related("touchpoint").annotate(
        completed=Count("responses", filter=Q(responses__status=Response.Status.COMPLETED))
    )
    return render(
        request,
        "feedback/list.html",
        {"surveys": surveys, "can_edit": request.membership.has_role(Role.MANAGER)},
    )


@require_role(Role.MANAGER)
def survey_create(request: HttpRequest) -> HttpResponse:
    form = SurveyCreateForm(request.POST or None, touchpoints=_touchpoints())
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.create_survey_from_template(
                request.workspace,
                form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                touchpoint=form.cleaned_data["touchpoint"],
                created_by=request.user,
                language=translation.get_language() or "",
            )
        except FeedbackError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Survey created and open for answers."))
            return redirect("feedback:detail", survey.pk)
    return render(request, "feedback/create.html", {"form": form})


def _detail(request: HttpRequest, survey: Survey, **extra: object) -> HttpResponse:
    language = translation.get_language() or "en"
    questions = [
        {
            "question": q,
            "text": localized(q.text, language),
            "choices": [localized(c.get("label"), language) for c in q.choices],
        }
        for q in Question.objects.filter(survey=survey).order_by("position")
    ]
    embed_url = anonymous_url(request, survey, "embed")
    context = {
        "survey": survey,
        "title": localized(survey.title, language),
        "questions": questions,
        "anonymous_url": anonymous_url(request, survey),
        "qr_url": anonymous_url(request, survey, "qr"),
        "embed_snippet": (
            f'<iframe src="{embed_url}" title="{localized(survey.title, language)}" '
            'width="100%" height="640" loading="lazy" style="border:0;max-width:40rem"></iframe>'
        ),
        "can_edit": request.membership.has_role(Role.MANAGER),
        "can_invite": request.membership.has_role(Role.AGENT),
        "invite_form": InviteForm(),
        **extra,
    }
    return render(request, "feedback/detail.html", context)


@require_role(Role.VIEWER)
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    return _detail(request, _survey(survey_id))


@require_role(Role.AGENT)
@require_POST
def survey_invite(request: HttpRequest, survey_id: int) -> HttpResponse:
    """A personal link for one customer, shown once (only its digest is kept)."""
    survey = _survey(survey_id)
    form = InviteForm(request.POST)
    if form.is_valid():
        wanted = form.cleaned_data["customer"].strip()
        customer = Customer.objects.filter(Q(external_id=wanted) | Q(email__iexact=wanted)).first()
        if customer is None:
            form.add_error("customer", _("No customer with that external id or email here."))
        else:
            issued = services.issue_invitation(survey, customer)
            link = request.build_absolute_uri(issued.path)
            return _detail(request, survey, invite_form=form, personal_link=link, invitee=customer)
    response = _detail(request, survey, invite_form=form)
    response.status_code = 400
    return response


@require_role(Role.MANAGER)
@require_POST
def survey_close(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    if request.POST.get("action") == "reopen":
        services.reopen_survey(survey)
        messages.success(request, _("The survey takes answers again."))
    else:
        services.close_survey(survey)
        messages.success(request, _("The survey is closed; its links now say so."))
    return redirect("feedback:detail", survey.pk)


@require_role(Role.VIEWER)
def survey_qr(request: HttpRequest, survey_id: int, fmt: str) -> HttpResponse:
    """The anonymous link as a QR code, for a shop counter or a parcel insert."""
    survey = _survey(survey_id)
    qr = segno.make(anonymous_url(request, survey, "qr"), error="m")
    if fmt == "svg":
        body, content_type = qr.svg_inline(scale=8, border=4).encode(), "image/svg+xml"
    else:
        import io

        buffer = io.BytesIO()
        qr.save(buffer, kind="png", scale=10, border=4)
        body, content_type = buffer.getvalue(), "image/png"
    response = HttpResponse(body, content_type=content_type)
    name = slugify(survey.name) or f"survey-{survey.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}-qr.{fmt}"'
    return response


def _filters(
    request: HttpRequest, survey: Survey
) -> tuple[ResultsFilterForm, selectors.Filters, int | None]:
    form = ResultsFilterForm(
        request.GET or None,
        segments=Segment.objects.order_by("name"),
        touchpoints=_touchpoints(),
    )
    days: int | None = 90
    segment = touchpoint = None
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data.get("days")
        days = chosen if chosen else (None if chosen == 0 else 90)
        segment = form.cleaned_data.get("segment")
        touchpoint = form.cleaned_data.get("touchpoint")
    since = None if days is None else timezone.now() - timedelta(days=days)
    filters = selectors.Filters(
        since=since,
        segment_id=segment.pk if segment else None,
        touchpoint_id=touchpoint.pk if touchpoint else None,
    )
    return form, filters, days


@require_role(Role.VIEWER)
def survey_results(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(survey_id)
    form, filters, days = _filters(request, survey)
    rows = selectors.completed(survey, filters)
    scale = selectors.score_scale(survey)
    unit, buckets = selectors.over_time(rows, days)
    return render(
        request,
        "feedback/results.html",
        {
            "survey": survey,
            "form": form,
            "metric": selectors.metric(rows, scale[0]) if scale else None,
            "unit": unit,
            "buckets": buckets,
            "distribution": selectors.distribution(rows, scale) if scale else [],
            "answers": selectors.answers_with_text(rows),
            "partial": selectors.partial_count(survey, filters),
            "export_query": request.GET.urlencode(),
        },
    )


def _bound(workspace: object, rows: Iterator[list[str]]) -> Iterator[list[str]]:
    """A streamed body is read after the view (and its workspace binding) returned: bind again."""
    with bind_workspace(workspace):
        yield from rows


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(cell: str) -> str:
    """Keep spreadsheets from running a customer's text as a formula (CSV injection)."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


@require_role(Role.VIEWER)
def survey_export(request: HttpRequest, survey_id: int) -> StreamingHttpResponse:
    survey = _survey(survey_id)
    _form, filters, _days = _filters(request, survey)
    writer = csv.writer(_Echo())
    rows = _bound(
        request.workspace, selectors.export_rows(survey, selectors.completed(survey, filters))
    )
    response = StreamingHttpResponse(
        (writer.writerow([_safe(cell) for cell in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    name = slugify(survey.name) or f"survey-{survey.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}-responses.csv"'
    return response


@require_role(Role.OWNER)
def feedback_settings(request: HttpRequest) -> HttpResponse:
    row = services.feedback_settings(request.workspace)
    form = FeedbackSettingsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        services.update_feedback_settings(request.workspace, **form.cleaned_data)
        messages.success(request, _("Feedback settings saved."))
        return redirect("feedback:settings")
    return render(request, "feedback/settings.html", {"form": form})
