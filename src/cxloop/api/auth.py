"""API authentication: a personal bearer token, resolved by the workspace middleware.

The middleware has already found the token and its member's current membership; these classes
only read what it found, and declare the bearer scheme in the OpenAPI schema (so the docs page
offers "Authorize"). Reading needs any member's token (``workspace_token``, the API's default);
changing data needs a role, checked by ``role_token(...)`` *before* the request body is read, so
a viewer's token gets 403 whether or not its body would have been valid.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from cxloop.accounts.models import ApiToken, Role


class WorkspaceToken(HttpBearer):
    """``Authorization: Bearer cxl_…``: a live token of a member, with ``minimum`` role or more.

    The role is the member's role *now* (the middleware reads the membership on each request), so
    demoting someone narrows their tokens at once.
    """

    # ninja copies every openapi_* attribute into the security scheme, under the name after it.
    openapi_bearerFormat = "cxl_…"

    def __init__(self, minimum: str | None = None) -> None:
        self.minimum = minimum
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = getattr(request, "api_token", None)
        if found is None:
            return None  # 401
        if self.minimum and not request.membership.has_role(self.minimum):
            raise AuthorizationError(message=f"This needs the {self.minimum} role or higher.")
        return found


def role_token(minimum: str) -> WorkspaceToken:
    """Auth for routes that change data: a token whose member has ``minimum`` or more (else 403)."""
    return WorkspaceToken(minimum)


workspace_token = WorkspaceToken()
agent_token = role_token(Role.AGENT)
