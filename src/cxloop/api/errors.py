"""One error shape for the whole API, whatever went wrong.

Every error answers ``{"detail": "<the sentence a person needs>", "errors": [...]}``. ``errors``
lists the problems that belong to one input field, each as
``{"field": "rows.3.email", "message": "…"}``; it is empty when the problem is not about a field.

==========================  ======  ==========================================================
what                        status  where it comes from
==========================  ======  ==========================================================
no or unknown token         401     ninja's ``AuthenticationError`` (the ``auth`` callable)
role too low                403     :func:`cxloop.api.auth.role_token`
no such row here            404     ``Http404`` (another workspace's id is "no such row")
conflict (id already used)  409     :class:`Conflict`, or a domain error with ``status = 409``
too many rows or bytes      413     :class:`TooLarge`, Django's ``RequestDataTooBig``
input not valid             422     ninja's ``ValidationError`` (pydantic), domain errors
bad cursor, other misuse    400     :class:`ApiError`
==========================  ======  ==========================================================

Domain errors (``ExperienceInvalid`` …) are registered in ``api.py`` with :func:`install`; one
that has a ``status`` attribute (``journeys.services.JourneyError``) keeps it, and one with a
``field`` attribute names its field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar

from django.core.exceptions import RequestDataTooBig
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """The body of every error response."""

    detail: str
    errors: list[FieldError] = []


class ApiError(Exception):
    """An error the API answers with its own status and sentence."""

    status = 400

    def __init__(
        self, detail: str, *, status: int | None = None, errors: Sequence[dict] = ()
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors)
        if status is not None:
            self.status = status


class Conflict(ApiError):
    status = 409


class TooLarge(ApiError):
    status = 413


class Invalid(ApiError):
    """Input that is well-formed but refers to something that is not there (a segment id…)."""

    status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, errors=[{"field": field, "message": message}])


M = TypeVar("M", bound=Model)


def found(queryset: QuerySet[M], pk: int, what: str) -> M:
    """The row with this id in the workspace, or 404: another workspace's row is not there."""
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {what} with id {pk} in this workspace.") from None


def referenced(queryset: QuerySet[M], pk: int, field: str, what: str) -> M:
    """A row named by id in a request body: 422 on ``field`` when the workspace has no such row."""
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Invalid(field, f"No {what} with id {pk} in this workspace.") from None


def body(detail: str, errors: Iterable[Mapping[str, Any]] = ()) -> dict[str, Any]:
    return {"detail": detail, "errors": [dict(e) for e in errors]}


def field_path(loc: Sequence[Any]) -> str:
    """``("body", "payload", "rows", 3, "email")`` → ``"rows.3.email"``.

    The first element is where the value came from (body, query, path); for a body, the second is
    the name of the view's argument, which means nothing to the caller.
    """
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
    return ".".join(str(p) for p in parts)


def message_of(error: Mapping[str, Any]) -> str:
    """Pydantic prefixes a validator's own sentence with "Value error, "; the caller needn't."""
    message = str(error.get("msg", "is not valid"))
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _validation_error(request: HttpRequest, exc: ValidationError, api: NinjaAPI) -> HttpResponse:
    errors = [{"field": field_path(e.get("loc", ())), "message": message_of(e)} for e in exc.errors]
    if any(not e["field"] and e["message"] == "Field required" for e in errors):
        detail = "The request needs a JSON object in its body."
        return api.create_response(request, body(detail), status=422)
    if not errors:
        detail = "The request is not valid."
    else:
        first = errors[0]
        detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        if len(errors) > 1:
            detail += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return api.create_response(request, body(detail, errors), status=422)


def _authentication_error(
    request: HttpRequest, exc: AuthenticationError, api: NinjaAPI
) -> HttpResponse:
    response = api.create_response(
        request,
        body(
            "Send a valid API token: Authorization: Bearer cxl_… "
            "(create one under API tokens in the web UI)."
        ),
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="cxloop"'
    return response


def _http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI) -> HttpResponse:
    detail = str(exc)
    if detail.startswith("Cannot parse request body"):  # ninja's words for malformed JSON
        detail = "The request body is not valid JSON; send a JSON object."
    return api.create_response(request, body(detail), status=exc.status_code)


def _api_error(request: HttpRequest, exc: ApiError, api: NinjaAPI) -> HttpResponse:
    return api.create_response(request, body(exc.detail, exc.errors), status=exc.status)


def _not_found(request: HttpRequest, exc: Http404, api: NinjaAPI) -> HttpResponse:
    return api.create_response(request, body(str(exc) or "Not found."), status=404)


def _too_big(request: HttpRequest, exc: RequestDataTooBig, api: NinjaAPI) -> HttpResponse:
    detail = "The request body is larger than this server accepts; send fewer rows per request."
    return api.create_response(request, body(detail), status=413)


def _domain_error(
    request: HttpRequest, exc: Exception, api: NinjaAPI, default_status: int
) -> HttpResponse:
    status = getattr(exc, "status", None) or default_status
    field = getattr(exc, "field", "")
    errors = [{"field": field, "message": str(exc)}] if field else []
    return api.create_response(request, body(str(exc), errors), status=status)


def install(api: NinjaAPI, domain_errors: Mapping[type[Exception], int] | None = None) -> None:
    """Render every error of ``api`` in the one shape.

    ``domain_errors`` maps a service's exception class to its status, unless it carries its own.
    """
    api.add_exception_handler(ValidationError, partial(_validation_error, api=api))
    api.add_exception_handler(AuthenticationError, partial(_authentication_error, api=api))
    api.add_exception_handler(HttpError, partial(_http_error, api=api))
    api.add_exception_handler(ApiError, partial(_api_error, api=api))
    api.add_exception_handler(Http404, partial(_not_found, api=api))
    api.add_exception_handler(RequestDataTooBig, partial(_too_big, api=api))
    for exc_class, status in (domain_errors or {}).items():
        api.add_exception_handler(exc_class, partial(_domain_error, api=api, default_status=status))
