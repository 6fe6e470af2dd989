"""Bulk upserts over the API: up to ``MAX_ROWS`` rows, each validated on its own.

One bad row does not sink the request: every row is checked against its schema separately, the
good ones go to the service in one call, and the answer lists each refused row by its position in
the request (``index``, from 0), its ``external_id`` and what to fix. Sending the same rows again
creates and updates nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

import pydantic
from ninja import Schema
from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from .errors import TooLarge, field_path, message_of

MAX_ROWS = 1000

RowT = TypeVar("RowT", bound=pydantic.BaseModel)


class RowsOf:
    """``list[Annotated[dict[str, Any], RowsOf(CustomerRow)]]``: accept any object per row.

    The request body then parses even when some rows are wrong (those become per-row errors, not
    one 422 for the whole batch), while the OpenAPI schema still documents each row as the model.
    """

    def __init__(self, model: type[pydantic.BaseModel]) -> None:
        self.model = model

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return handler(self.model.__pydantic_core_schema__)


class RowErrorOut(Schema):
    index: int
    external_id: str
    message: str


class BulkResultOut(Schema):
    created: int
    updated: int
    unchanged: int
    errors: list[RowErrorOut]


class Rows(Generic[RowT]):
    """The rows of one bulk request, split into the valid ones and the refused ones."""

    def __init__(self, raw: Sequence[dict[str, Any]], schema: type[RowT]) -> None:
        if len(raw) > MAX_ROWS:
            raise TooLarge(
                f"Send at most {MAX_ROWS:,} rows per request; this one has {len(raw):,}. "
                "Split the rows into batches."
            )
        self.valid: list[RowT] = []
        self.positions: list[int] = []  # where each valid row stood in the request
        self.errors: list[dict[str, Any]] = []
        for index, row in enumerate(raw):
            try:
                self.valid.append(schema.model_validate(row))
            except pydantic.ValidationError as exc:
                problems = "; ".join(
                    f"{field_path(e['loc']) or 'row'}: {message_of(e)}" for e in exc.errors()
                )
                external_id = row.get("external_id") if isinstance(row, dict) else None
                self.errors.append(
                    {
                        "index": index,
                        "external_id": external_id if isinstance(external_id, str) else "",
                        "message": problems,
                    }
                )
                continue
            self.positions.append(index)

    def result(self, outcome: Any) -> dict[str, Any]:
        """The answer, from a service's ``UpsertResult`` (its row indexes count valid rows only)."""
        refused = self.errors + [
            {"index": self.positions[e.index], "external_id": e.external_id, "message": e.message}
            for e in outcome.errors
        ]
        return {
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "errors": sorted(refused, key=lambda e: e["index"]),
        }
