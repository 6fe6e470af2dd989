"""The public survey pages (``/s/…``) run through a short middleware stack of their own.

The staff UI needs sessions, authentication, messages, CSRF, the workspace, login throttling and
static files; the public pages use none of them (no cookie, no login, exempt from CSRF: see
``public.py``), yet ran the whole stack on every answer, a tenth of the CPU an answer costs. So
:class:`PublicPagesMiddleware`, first in ``MIDDLEWARE``, hands requests under
``CXLOOP_PUBLIC_PREFIX`` to a handler of their own whose stack is ``CXLOOP_PUBLIC_MIDDLEWARE``
(security headers, the content security policy, the trailing-slash redirect); every other request
goes on through ``MIDDLEWARE`` as before. What ``LocaleMiddleware`` did for these pages, the public
views do themselves (``public.public_page``): the browser's language for messages raised before a
survey's language is known, ``Content-Language`` and ``Vary: Accept-Language``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

DEFAULT_PREFIX = "/s/"
DEFAULT_MIDDLEWARE = (
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.common.CommonMiddleware",
)


class _Handler(BaseHandler):
    """Django's request handling (URL resolution, view middleware, exceptions to responses)
    around a given middleware list instead of ``settings.MIDDLEWARE``."""

    def __init__(self, middleware: Sequence[str]) -> None:
        self.middleware = list(middleware)

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler.load_middleware for a list of sync middleware (these pages run under WSGI;
        # under ASGI Django adapts this middleware as it does any sync one).
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(self.middleware):
            instance = import_string(path)(handler)
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler


class PublicPagesMiddleware:
    """Route the public pages through their short stack; everything else through the rest."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefix = getattr(settings, "CXLOOP_PUBLIC_PREFIX", DEFAULT_PREFIX)
        public = _Handler(getattr(settings, "CXLOOP_PUBLIC_MIDDLEWARE", DEFAULT_MIDDLEWARE))
        public.load_middleware()
        self.public = public._middleware_chain

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(self.prefix):
            return self.public(request)
        return self.get_response(request)
