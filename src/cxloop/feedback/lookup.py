"""An anonymous link's survey and its questions in one query that is compiled once per process.

Every request to a public survey page starts with this lookup. Building it through the ORM (four
models' columns over three joins) cost more CPU than PostgreSQL spent running it, on every
request, although the statement never changes but for the link's key. So the statement is
written once from the models' metadata, and its rows become model instances through
``Model.from_db`` after each column's database converters (JSON, and SQLite's dates and booleans):
the same objects the ORM would have built, without compiling the query again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model

from cxloop.accounts.models import Workspace
from cxloop.journeys.models import Touchpoint

from .models import Question, Survey


@dataclass(frozen=True)
class _Part:
    """One model's columns in the select list: where they start, how to convert them."""

    model: type[Model]
    start: int
    fields: tuple[Field, ...]
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, Any, tuple[Any, ...]], ...]  # (index, column, converters)

    def build(self, row: tuple[Any, ...], db: Any) -> Any:
        values = list(row[self.start : self.start + len(self.fields)])
        for index, col, functions in self.converters:
            for convert in functions:
                values[index] = convert(values[index], col, db)
        return self.model.from_db(db.alias, self.attnames, values)


@cache
def _statement() -> tuple[str, tuple[_Part, ...]]:
    quote = connection.ops.quote_name
    parts: list[_Part] = []
    columns: list[str] = []
    for model, alias in ((Question, "q"), (Survey, "s"), (Workspace, "w"), (Touchpoint, "t")):
        fields = tuple(model._meta.concrete_fields)
        converters = []
        for index, field in enumerate(fields):
            col = field.get_col(alias)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((index, col, tuple(found)))
        attnames = tuple(f.attname for f in fields)
        parts.append(_Part(model, len(columns), fields, attnames, tuple(converters)))
        columns += [f"{alias}.{quote(f.column)}" for f in fields]

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    sql = (
        f"SELECT {', '.join(columns)} FROM {table(Question)} q "  # noqa: S608 - names from models
        f"JOIN {table(Survey)} s ON s.id = q.survey_id "
        f"JOIN {table(Workspace)} w ON w.id = s.workspace_id "
        f"LEFT JOIN {table(Touchpoint)} t ON t.id = s.touchpoint_id "
        "WHERE s.public_key = %s ORDER BY q.position"
    )
    return sql, tuple(parts)


def survey_and_questions(public_key: str) -> tuple[Survey | None, list[Question]]:
    """The survey of an anonymous link (its workspace and touchpoint attached) and its questions
    in order; ``(None, [])`` when no survey with questions has this key."""
    sql, (question_part, survey_part, workspace_part, touchpoint_part) = _statement()
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy costs a lookup a use
    with db.cursor() as cursor:
        cursor.execute(sql, [public_key])
        rows = cursor.fetchall()
    if not rows:
        return None, []
    first = rows[0]
    survey = survey_part.build(first, db)
    Survey.workspace.field.set_cached_value(survey, workspace_part.build(first, db))
    touchpoint = touchpoint_part.build(first, db) if survey.touchpoint_id is not None else None
    Survey.touchpoint.field.set_cached_value(survey, touchpoint)
    questions = []
    for row in rows:
        question = question_part.build(row, db)
        Question.survey.field.set_cached_value(question, survey)  # one survey object for all
        questions.append(question)
    return survey, questions
