"""Binds the current workspace for each request, from the session or from an API token."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from cxloop.core.scoping import bind_workspace

from . import services

SESSION_KEY = "cxloop_workspace_id"


class CurrentWorkspaceMiddleware:
    """Resolve ``request.workspace`` and ``request.membership`` and bind the workspace.

    A browser session carries the chosen workspace id; it is honoured only where the user holds a
    membership, so a forged id falls back to the user's own workspace. An API request carries a
    bearer token, which names exactly one workspace.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.workspace = None
        request.membership = None
        request.api_token = None
        membership = None

        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            found = services.authenticate_token(auth.removeprefix("Bearer ").strip())
            if found is not None:
                request.api_token, membership = found
        elif request.user.is_authenticated:
            membership = services.membership_for(request.user, request.session.get(SESSION_KEY))

        if membership is None:
            return self.get_response(request)
        request.membership = membership
        request.workspace = membership.workspace
        with bind_workspace(membership.workspace):
            return self.get_response(request)
