"""The Insights page: what customers write about, how it feels, what spiked, what is new.

Thin views: the numbers come from ``selectors`` (topics and emotions over weeks) and
``services`` (spikes, proposals); every query runs in the request's workspace, so another
workspace's topic or proposal is a 404.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cxloop.accounts.models import Role
from cxloop.accounts.permissions import require_role

from . import charts, selectors, services
from .forms import AcceptProposalForm, TextFilterForm
from .models import Topic, TopicProposal
from .tasks import find_emerging_topics

WEEKS = 8  # the topic trends cover this many 7-day weeks
SPIKE_DAYS = 7  # spikes of this many recent days stay on the page
PAGE_SIZE = 25
OPEN_PROPOSALS_SHOWN = 5


@require_role(Role.VIEWER)
def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    first = today - timedelta(days=7 * WEEKS - 1)
    week_labels = [
        date_format(first + timedelta(days=7 * i), "SHORT_DATE_FORMAT") for i in range(WEEKS)
    ]
    trends = selectors.topic_trends(today, weeks=WEEKS)
    topics = {trend.topic.key: trend.topic for trend in trends}
    spikes = [
        {"spike": spike, "topic": topics[spike.topic], "is_today": spike.day == today}
        for spike in services.recent_spikes(today, days=SPIKE_DAYS)
        if spike.topic in topics
    ]
    mix = selectors.emotion_mix(first, today)
    return render(
        request,
        "insights/overview.html",
        {
            "trends": [
                {"trend": t, "spark": charts.sparkline(t.weekly, week_labels)} for t in trends
            ],
            "weeks": WEEKS,
            "first": first,
            "today": today,
            "mix": mix,
            "mix_segments": charts.stacked(mix.shares),
            "classifiers": selectors.classifier_mix(first, today),
            "model": selectors.active_model_version(request.workspace),
            "spikes": spikes,
            "spike_days": SPIKE_DAYS,
            "proposals": selectors.open_proposals()[:OPEN_PROPOSALS_SHOWN],
            "can_manage": request.membership.has_role(Role.MANAGER),
        },
    )


def _page(request: HttpRequest, experiences) -> object:
    return Paginator(experiences, PAGE_SIZE).get_page(request.GET.get("page"))


@require_role(Role.VIEWER)
def topic_texts(request: HttpRequest, topic_id: int) -> HttpResponse:
    """The texts behind a topic; ``?day=`` narrows to one day (a spike), ``?emotion=`` to one
    emotion."""
    topic = get_object_or_404(Topic, pk=topic_id)
    form = TextFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    experiences = selectors.texts_about(
        topic=topic, day=filters.get("day"), emotion=filters.get("emotion") or None
    )
    return render(
        request,
        "insights/topic.html",
        {
            "topic": topic,
            "form": form,
            "day": filters.get("day"),
            "page": _page(request, experiences),
        },
    )


def _proposal(proposal_id: int) -> TopicProposal:
    return get_object_or_404(TopicProposal, pk=proposal_id)


@require_role(Role.VIEWER)
def proposal_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal(proposal_id)
    return _proposal_page(request, proposal, None)


def _proposal_page(
    request: HttpRequest, proposal: TopicProposal, form: AcceptProposalForm | None
) -> HttpResponse:
    can_manage = request.membership.has_role(Role.MANAGER)
    if form is None and can_manage and proposal.status == TopicProposal.Status.PROPOSED:
        form = AcceptProposalForm(initial={"keywords": ", ".join(proposal.keywords)})
    return render(
        request,
        "insights/proposal.html",
        {
            "proposal": proposal,
            "form": form,
            "can_manage": can_manage,
            "page": _page(request, selectors.texts_about(proposal=proposal)),
        },
        status=400 if form is not None and form.is_bound else 200,
    )


@require_POST
@require_role(Role.MANAGER)
def proposal_accept(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal(proposal_id)
    form = AcceptProposalForm(request.POST)
    if not form.is_valid():
        return _proposal_page(request, proposal, form)
    try:
        topic = services.accept_proposal(
            proposal, name=form.cleaned_data["name"], keywords=form.cleaned_data["keywords"]
        )
    except services.ProposalClosed as error:
        messages.error(request, str(error))
        return redirect("insights:proposal", proposal.pk)
    messages.success(
        request,
        _("“%(name)s” is a topic now; its texts are being re-analysed.") % {"name": topic.name},
    )
    return redirect("insights:topic", topic.pk)


@require_POST
@require_role(Role.MANAGER)
def proposal_dismiss(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal(proposal_id)
    try:
        services.dismiss_proposal(proposal)
    except services.ProposalClosed as error:
        messages.error(request, str(error))
        return redirect("insights:proposal", proposal.pk)
    messages.success(request, _("Proposal dismissed; it will not be proposed again."))
    return redirect("insights:overview")


@require_POST
@require_role(Role.MANAGER)
def look_for_emerging(request: HttpRequest) -> HttpResponse:
    """Run the emerging-topic search now (a background task) instead of waiting for the next."""
    find_emerging_topics.enqueue(request.workspace.pk)
    messages.success(
        request, _("Looking for emerging topics in the background; reload this page in a minute.")
    )
    return redirect("insights:overview")
