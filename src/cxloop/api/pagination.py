"""Cursor pagination for every list of the API: keyset queries, so page 10,000 costs page 1.

A list is read in a fixed, total order — ``("name", "id")`` for customers, ``("-placed_at", "-id")``
for orders — ending in the primary key so that no two rows tie. A page is the next ``limit`` rows
*after* the last row of the previous page::

    WHERE name >= :name AND (name > :name OR (name = :name AND id > :id))
    ORDER BY name, id LIMIT :limit + 1

There is no ``OFFSET``, so the database walks the index from where the last page ended, however
deep that is; and rows inserted or deleted between two requests never make a page repeat or skip
a row that was there all along. The cursor carries the last row's ordering values, signed with
the secret key (salted per model and ordering), so a cursor that was edited, truncated or made for
another list is refused with 400 instead of silently starting somewhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field as ModelField
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import ConfigError
from ninja.pagination import PaginationBase

from .errors import ApiError

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

BAD_CURSOR = (
    "This cursor is not valid here: it was changed, cut short, or made for another list. "
    "Start again without a cursor and pass on the next_cursor of each page as it is."
)


class CursorPagination(PaginationBase):
    """``@paginate(CursorPagination, ordering=("name", "id"))`` on a view returning a queryset.

    The ordering must end in the primary key and name only columns that are never NULL (a NULL
    compares as unknown, which would drop rows from every later page).
    """

    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Rows per page, 1–{MAX_LIMIT}."
        )
        cursor: str | None = Field(
            None, description="The next_cursor of the previous page; leave out for the first."
        )

    class Output(Schema):
        items: list[Any]
        next_cursor: str | None = Field(
            description="Pass as cursor to get the next page; null on the last page."
        )

    items_attribute = "items"

    def __init__(self, *, ordering: Sequence[str], **kwargs: Any) -> None:
        if not ordering or ordering[-1].lstrip("-") not in {"id", "pk"}:
            raise ConfigError(f"A cursor ordering must end in the primary key, not {ordering!r}.")
        self.ordering = tuple(ordering)
        self.keys = [(name.lstrip("-"), name.startswith("-")) for name in ordering]
        super().__init__(**kwargs)

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        fields = self._fields(queryset.model)
        rows = queryset.order_by(*self.ordering)
        if pagination.cursor:
            after = self._decode(pagination.cursor, queryset.model, fields)
            rows = rows.filter(self._after(after))
        page = list(rows[: pagination.limit + 1])
        has_more = len(page) > pagination.limit
        page = page[: pagination.limit]
        return {
            "items": page,
            "next_cursor": self._encode(page[-1], queryset.model, fields) if has_more else None,
        }

    # --- the keyset ---------------------------------------------------------------------------

    def _fields(self, model: type[Model]) -> list[ModelField]:
        fields = []
        for name, _ in self.keys:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
            if field.null:
                raise ConfigError(f"{model.__name__}.{name} can be NULL; a cursor cannot use it.")
            fields.append(field)
        return fields

    def _after(self, values: list[Any]) -> Q:
        """Rows strictly after ``values`` in the ordering, as one nested OR.

        The leading ``>=`` on the first column repeats what the OR implies; it gives the planner
        a range on the index that the ordering's first column starts.
        """
        condition: Q | None = None
        for (name, descending), value in reversed(list(zip(self.keys, values, strict=True))):
            beyond = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
            condition = beyond if condition is None else beyond | (Q(**{name: value}) & condition)
        first, descending = self.keys[0]
        assert condition is not None
        return Q(**{f"{first}__{'lte' if descending else 'gte'}": values[0]}) & condition

    # --- the cursor ---------------------------------------------------------------------------

    def _salt(self, model: type[Model]) -> str:
        return f"cxloop.api.cursor:{model._meta.label_lower}:{','.join(self.ordering)}"

    def _encode(self, row: Model, model: type[Model], fields: list[ModelField]) -> str:
        values = [_plain(getattr(row, field.attname)) for field in fields]
        return signing.dumps(values, salt=self._salt(model), compress=False)

    def _decode(self, cursor: str, model: type[Model], fields: list[ModelField]) -> list[Any]:
        try:
            values = signing.loads(cursor, salt=self._salt(model))
        except (signing.BadSignature, ValueError, TypeError) as exc:
            raise ApiError(BAD_CURSOR, errors=[{"field": "cursor", "message": BAD_CURSOR}]) from exc
        if not isinstance(values, list) or len(values) != len(fields):
            raise ApiError(BAD_CURSOR, errors=[{"field": "cursor", "message": BAD_CURSOR}])
        try:
            return [field.to_python(value) for field, value in zip(fields, values, strict=True)]
        except DjangoValidationError as exc:
            raise ApiError(BAD_CURSOR, errors=[{"field": "cursor", "message": BAD_CURSOR}]) from exc


def _plain(value: Any) -> Any:
    """A JSON value that ``Field.to_python`` turns back into exactly ``value``.

    Full ISO format, because Django's JSON encoder cuts microseconds to milliseconds, and two
    rows a few microseconds apart would then share a cursor position.
    """
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
