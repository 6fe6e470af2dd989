"""A new response and its answers in one statement on PostgreSQL.

The first POST of a survey page inserts a response and one row per answered question. Through the
ORM that took two statements, and building them (the response's sixteen columns, the answers as
arrays for ``UNNEST``) cost the web process more CPU than the database spent running them, on
every answer. On PostgreSQL one statement does both: the response is inserted in a ``WITH``
clause and each answer takes its id from there. The statement is written from the models'
metadata once per number of answers; the values are prepared by each field as the ORM prepares
them (``pre_save`` fills the ``auto_now`` times, ``get_db_prep_save`` converts UUIDs and JSON).
Other databases take the ORM's two statements. Either way a second response with the same
submission id or invitation fails on its unique constraint, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model

from cxloop.core.scoping import CrossWorkspaceWrite, current_workspace

from .models import Answer, Response


def _fields(model: type[Model]) -> list[Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _answer_fields() -> list[Field]:
    return [f for f in _fields(Answer) if f.attname != "response_id"]


@cache
def _statement(answers: int) -> str:
    quote = connection.ops.quote_name

    def insert(model: type[Model], fields: list[Field]) -> str:
        names = ", ".join(quote(f.column) for f in fields)
        return f"INSERT INTO {quote(model._meta.db_table)} ({names})"

    response_fields = _fields(Response)
    placeholders = ", ".join(["%s"] * len(response_fields))
    response = f"{insert(Response, response_fields)} VALUES ({placeholders}) RETURNING id"
    if not answers:
        return response
    answer_fields = _fields(Answer)
    row = ", ".join(
        "(SELECT id FROM r)" if f.attname == "response_id" else "%s" for f in answer_fields
    )
    rows = ", ".join(f"({row})" for _ in range(answers))
    return (
        f"WITH r AS ({response}) {insert(Answer, answer_fields)} VALUES {rows} "
        "RETURNING response_id"
    )


def _values(obj: Model, fields: list[Field], db: Any) -> list[Any]:
    return [f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields]


def _claim(objs: Sequence[Model]) -> None:
    """The bound workspace's rows only, as the scoped ``save`` and ``bulk_create`` check."""
    workspace = current_workspace()
    for obj in objs:
        if obj.workspace_id is None:
            obj.workspace = workspace
        elif obj.workspace_id != workspace.pk:
            raise CrossWorkspaceWrite(
                f"{type(obj).__name__} belongs to workspace {obj.workspace_id}, "
                f"but workspace {workspace.pk} is bound."
            )


def insert_response(response: Response, answers: Sequence[Answer]) -> None:
    """Insert a new ``response`` and its new ``answers`` (their ``response`` is this one); the
    response gets its id as with ``save``."""
    _claim([response, *answers])
    if connection.vendor != "postgresql":
        response.save(force_insert=True)
        Answer.objects.bulk_create(answers)
        return
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy costs a lookup a use
    params = _values(response, _fields(Response), db)
    answer_fields = _answer_fields()
    for answer in answers:
        params += _values(answer, answer_fields, db)
    with db.cursor() as cursor:
        cursor.execute(_statement(len(answers)), params)
        response_id = cursor.fetchone()[0]
    response.pk = response_id
    response._state.adding = False
    response._state.db = db.alias
    for answer in answers:
        answer.response_id = response_id
