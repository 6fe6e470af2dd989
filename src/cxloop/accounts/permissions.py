"""Role checks for views. A role check failing is a 403, a missing workspace a redirect to login."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import Role


def require_role(minimum: str = Role.VIEWER) -> Callable:
    """Let the view run only for a member of the current workspace with at least ``minimum``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if membership is None:
                raise PermissionDenied("You are not a member of any workspace.")
            if not membership.has_role(minimum):
                raise PermissionDenied(f"This needs the {minimum} role or higher.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
