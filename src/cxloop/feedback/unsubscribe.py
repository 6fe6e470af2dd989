"""The public unsubscribe page, reached from the link in every survey email (/s/u/<token>/).

A GET only asks (mail scanners follow links, and must not unsubscribe anyone); a POST, from the
page's button or from a mail client's one-click ``List-Unsubscribe-Post``, records it. The signed
token is the only credential, as with the survey links: no login, no cookie, no CSRF token.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from . import distribution
from .email_copy import text
from .public import public_page


@public_page
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    invitation = distribution.resolve_unsubscribe(token)
    if request.method == "POST":
        distribution.unsubscribe(invitation)
        done = True
    else:
        done = distribution.is_unsubscribed(invitation)
    language = distribution.invitation_language(invitation)
    names = {
        "workspace": invitation.survey.workspace.name,
        "email": distribution.masked_email(invitation.customer.email),
    }
    with translation.override(language):
        response = render(
            request,
            "feedback/public/unsubscribe.html",
            {
                "language": language,
                "title": text("unsubscribe_title", language),
                "question": text("unsubscribe_question", language, **names),
                "button": text("unsubscribe_link", language),
                "done_text": text("unsubscribe_done", language, **names),
                "done": done,
                "action": reverse("survey:unsubscribe", args=[token]),
            },
        )
    response["Content-Language"] = language
    return response
