"""The public survey pages: what a customer sees after following a link, scanning a QR code, or
meeting an embedded survey on a website.

Plain HTML forms that work without JavaScript, in the respondent's language, small (one tiny
stylesheet), and embeddable: these pages, and only these, may be framed by other sites. They use
no session and no cookie, so they are exempt from CSRF: the unguessable link is the respondent's
only credential, and the form's submission id and revision make a repeated POST harmless.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from csp.decorators import csp_replace
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cxloop.core.scoping import bind_workspace

from . import respond, services, throttle
from .errors import AnswersInvalid, FeedbackError, UnknownLanguage
from .models import SCORED_KINDS, SURVEY_LANGUAGES, Invitation, Question, Response, localized
from .respond import Respondent

LANGUAGE_NAMES = {"en": "English", "uk": "Українська", "ru": "Русский"}
VIA_PARAMS = {"qr": Response.Via.QR, "embed": Response.Via.EMBED}


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """No CSRF (no cookies here), framing allowed, one error page for every refusal.

    These pages run without ``LocaleMiddleware`` (``middleware.py``), so the browser's language
    is active here until the view picks the survey's, and the response varies with it.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with translation.override(_fallback_language(request)):
            response = _refusals_answered(view, request, *args, **kwargs)
        patch_vary_headers(response, ("Accept-Language",))
        return response

    return require_http_methods(["GET", "HEAD", "POST"])(
        csrf_exempt(xframe_options_exempt(csp_replace({"frame-ancestors": ["*"]})(wrapped)))
    )


def _refusals_answered(
    view: Callable[..., HttpResponse], request: HttpRequest, *args: Any, **kwargs: Any
) -> HttpResponse:
    try:
        # An anonymous link names its survey: both limits in one round trip, before any query.
        throttle.check(request, survey_key=kwargs.get("key"))
        return view(request, *args, **kwargs)
    except throttle.Throttled:
        return _error(
            request,
            429,
            _("Too many requests from here. Please wait a minute and try again."),
        )
    except RequestDataTooBig:
        return _error(request, 413, _("That was more text than a survey can take."))
    except UnknownLanguage as exc:
        return _error(request, exc.status, str(exc), show_languages=True)
    except FeedbackError as exc:
        return _error(request, exc.status, str(exc))


def _fallback_language(request: HttpRequest, default: str = "en") -> str:
    return respond.choose_language(None, [], request.headers.get("Accept-Language", ""), default)


def _error(
    request: HttpRequest, status: int, message: str, *, show_languages: bool = False
) -> HttpResponse:
    language = _fallback_language(request)
    with translation.override(language):
        response = render(
            request,
            "feedback/public/error.html",
            {
                "status": status,
                "message": message,
                "language": language,
                "languages": _language_links(request, language) if show_languages else [],
            },
            status=status,
        )
    response["Content-Language"] = language
    if status == 429:
        response["Retry-After"] = "60"
    return response


def _language_links(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    params = {k: v for k, v in request.GET.items() if k != "lang"}
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "url": f"{request.path}?{urlencode({**params, 'lang': code})}",
            "current": code == current,
        }
        for code in SURVEY_LANGUAGES
    ]


def _choose(request: HttpRequest, respondent: Respondent) -> str:
    requested = request.GET.get("lang")
    if requested is not None and requested not in SURVEY_LANGUAGES:
        # Say so in a language the respondent can read.
        with translation.override(_fallback_language(request)):
            return respond.choose_language(requested, [], "", "en")  # raises UnknownLanguage
    return respond.choose_language(
        requested,
        respondent.preferred_languages,
        request.headers.get("Accept-Language", ""),
        respondent.survey.workspace.default_language,
    )


def _with_lang(url: str, request: HttpRequest, **params: Any) -> str:
    """Keep an explicitly chosen language across the steps of a survey."""
    requested = request.GET.get("lang")
    if requested in SURVEY_LANGUAGES:
        params["lang"] = requested
    return f"{url}?{urlencode(params)}" if params else url


# --- the three ways in -----------------------------------------------------------------------


@public_page
def personal(request: HttpRequest, token: str) -> HttpResponse:
    respondent = respond.resolve_personal(token)
    here = reverse("survey:personal", args=[token])
    thanks = reverse("survey:personal_thanks", args=[token])
    return _answer(request, respondent, next_url=here, thanks_url=thanks)


@public_page
def anonymous(request: HttpRequest, key: str) -> HttpResponse:
    via = VIA_PARAMS.get(request.GET.get("via", ""), Response.Via.ANONYMOUS)
    respondent = respond.resolve_anonymous(key, via)
    return _answer(request, respondent)


@public_page
def anonymous_response(request: HttpRequest, key: str, submission: uuid.UUID) -> HttpResponse:
    respondent = respond.resolve_anonymous(key, "", submission_id=submission)
    here = reverse("survey:anonymous_response", args=[key, submission])
    thanks = reverse("survey:anonymous_thanks", args=[key, submission])
    return _answer(request, respondent, next_url=here, thanks_url=thanks)


@public_page
def personal_thanks(request: HttpRequest, token: str) -> HttpResponse:
    respondent = respond.resolve_personal(token)
    return _thanks(request, respondent, reverse("survey:personal", args=[token]))


@public_page
def anonymous_thanks(request: HttpRequest, key: str, submission: uuid.UUID) -> HttpResponse:
    respondent = respond.resolve_anonymous(key, "", submission_id=submission)
    return _thanks(
        request, respondent, reverse("survey:anonymous_response", args=[key, submission])
    )


# --- answering -------------------------------------------------------------------------------


def _answer(
    request: HttpRequest,
    respondent: Respondent,
    *,
    next_url: str = "",
    thanks_url: str = "",
) -> HttpResponse:
    if respondent.invitation is not None:  # an anonymous link's survey is counted already
        throttle.check_survey(request, respondent.survey.public_key)
    with bind_workspace(respondent.survey.workspace):
        language = _choose(request, respondent)
        with translation.override(language):
            if request.method == "POST":
                response = _post(request, respondent, language, next_url, thanks_url)
            else:
                if respondent.invitation is not None and respondent.invitation.opened_at is None:
                    Invitation.objects.filter(
                        pk=respondent.invitation.pk, opened_at__isnull=True
                    ).update(opened_at=timezone.now())
                response = _form(request, respondent, language)
    response["Content-Language"] = language
    return response


def _urls_for(respondent: Respondent, response: Response) -> tuple[str, str]:
    if respondent.invitation is not None:
        return "", ""  # the personal views know theirs
    key = respondent.survey.public_key
    return (
        reverse("survey:anonymous_response", args=[key, response.submission_id]),
        reverse("survey:anonymous_thanks", args=[key, response.submission_id]),
    )


def _post(
    request: HttpRequest,
    respondent: Respondent,
    language: str,
    next_url: str,
    thanks_url: str,
) -> HttpResponse:
    submission_id, revision, page = respond.read_form_state(request.POST)
    try:
        submitted = respond.submit(
            respondent,
            submission_id=submission_id,
            revision=revision,
            page=page,
            data=request.POST,
            language=language,
        )
    except AnswersInvalid as exc:
        return _form(request, respondent, language, page=page, errors=exc.errors, status=400)
    if not next_url:
        next_url, thanks_url = _urls_for(respondent, submitted.response)
    if submitted.next_page is None:
        return HttpResponseRedirect(_with_lang(thanks_url, request), status=303)
    return HttpResponseRedirect(_with_lang(next_url, request, page=submitted.next_page), status=303)


def _form(
    request: HttpRequest,
    respondent: Respondent,
    language: str,
    *,
    page: int | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    questions = respondent.questions
    response = respondent.response
    answers = list(response.answers.all()) if response is not None else []
    numbers = respond.numbers_of(questions, answers)
    editing = response is not None and response.status == Response.Status.COMPLETED
    asked = {q.page for q in questions if respond.visible(q, numbers)}
    if page is None:
        requested = request.GET.get("page", "")
        if requested.isdigit() and int(requested) in asked and response is not None:
            page = int(requested)
        elif response is not None and not editing:
            page = response.page
        else:
            page = respond.next_page(questions, {}, 0) or 1
    by_question = {a.question_id: a for a in answers}
    posted = request.POST if errors else None
    shown = [q for q in questions if q.page == page and respond.visible(q, numbers)]
    pages = sorted(asked | {page})
    context = {
        "language": language,
        "languages": _language_links(request, language),
        "title": localized(respondent.survey.title, language),
        "questions": [
            _question_view(q, language, by_question.get(q.pk), posted, (errors or {}).get(q.key))
            for q in shown
        ],
        "errors": errors,
        "action": request.get_full_path(),
        "submission": response.submission_id if response else respond.new_submission_id(),
        "revision": response.revision if response else 0,
        "page": page,
        "step": pages.index(page) + 1 if page in pages else 1,
        "steps": len(pages),
        "last_step": respond.next_page(questions, numbers, page) is None,
        "editing": editing,
        "answered_on": response.completed_at if editing else None,
        "embed": respondent.via == Response.Via.EMBED,
    }
    return render(request, "feedback/public/page.html", context, status=status)


def _question_view(
    question: Question, language: str, answer: Any, posted: Any, error: str | None
) -> dict[str, Any]:
    name = respond.field_name(question)
    view: dict[str, Any] = {
        "key": question.key,
        "name": name,
        "kind": question.kind,
        "text": localized(question.text, language),
        "required": question.required,
        "error": error,
        "scored": question.is_scored,
    }
    if question.is_scored:
        _scale, low, high = SCORED_KINDS[question.kind]
        current = posted.get(name, "") if posted is not None else answer and answer.number
        view["options"] = [
            {"value": n, "checked": str(n) == str(current)} for n in range(low, high + 1)
        ]
        view["low"] = localized(question.labels.get("low"), language)
        view["high"] = localized(question.labels.get("high"), language)
        view["low_value"], view["high_value"] = low, high
        view["wide"] = high - low > 6
    elif question.kind in ("single", "multiple"):
        if posted is not None:
            chosen = set(posted.getlist(name))
        else:
            chosen = set(answer.choices) if answer else set()
        view["options"] = [
            {
                "value": c["value"],
                "label": localized(c.get("label"), language),
                "checked": c["value"] in chosen,
            }
            for c in question.choices
        ]
        view["multiple"] = question.kind == "multiple"
    else:
        view["value"] = posted.get(name, "") if posted is not None else (answer and answer.text)
        view["max_length"] = question.max_length
    return view


# --- thank you -------------------------------------------------------------------------------


def _thanks(request: HttpRequest, respondent: Respondent, answer_url: str) -> HttpResponse:
    if respondent.invitation is not None:  # an anonymous link's survey is counted already
        throttle.check_survey(request, respondent.survey.public_key)
    response = respondent.response
    if response is None or response.status != Response.Status.COMPLETED:
        return HttpResponseRedirect(_with_lang(answer_url, request), status=303)
    with bind_workspace(respondent.survey.workspace):
        language = _choose(request, respondent)
        settings_row = services.feedback_settings(respondent.survey.workspace)
        outcome = response.experience.outcome if response.experience_id else ""
        with translation.override(language):
            page = render(
                request,
                "feedback/public/thanks.html",
                {
                    "language": language,
                    "languages": _language_links(request, language),
                    "title": localized(respondent.survey.title, language),
                    "promoter": outcome == "exceeded",
                    "detractor": outcome == "below",
                    "known_customer": respondent.invitation is not None,
                    "review_url": settings_row.review_url,
                    "referral_url": settings_row.referral_url,
                    "contact_hours": settings_row.detractor_contact_hours,
                    "edit_url": _with_lang(answer_url, request),
                    "embed": response.via == Response.Via.EMBED,
                },
            )
    page["Content-Language"] = language
    return page
