"""API authentication: a personal bearer token, resolved by the workspace middleware."""

from __future__ import annotations

from django.http import HttpRequest

from cxloop.accounts.models import ApiToken


def workspace_token(request: HttpRequest) -> ApiToken | None:
    """Ninja auth callable: the token the middleware found, or None (HTTP 401)."""
    return getattr(request, "api_token", None)
