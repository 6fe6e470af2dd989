"""Field types shared by the API's schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from pydantic import AfterValidator, StringConstraints


def one_of(choices: type[models.Choices]) -> Any:
    """A ``Literal`` of a ``TextChoices``' values: inlined as an enum in the OpenAPI schema.

    (Using the choices class itself would name a component after it, and ``Expectation.Kind``
    and ``Journey.Kind`` would overwrite each other there.)
    """
    return Literal[tuple(choices.values)]


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError as exc:
            raise ValueError(f"{value!r} is not an email address.") from exc
    return value


def nonblank(max_length: int) -> Any:
    """A required text, trimmed, not empty, at most ``max_length`` characters."""
    return Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)
    ]


def optional_text(max_length: int) -> Any:
    """A text that may be empty, trimmed, at most ``max_length`` characters."""
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=max_length)]


Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)
]


def _aware(value: datetime) -> datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)


# A time; one given without an offset ("2026-03-01T09:30") is read in CXLOOP_TIME_ZONE.
Moment = Annotated[datetime, AfterValidator(_aware)]
