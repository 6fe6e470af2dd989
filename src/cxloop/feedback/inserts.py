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

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field

from cxloop.core.db import insert_fields, insert_into, mark_inserted, prepared_values
from cxloop.core.scoping import claim_for, current_workspace

from .models import Answer, Response


def _answer_fields() -> list[Field]:
    return [f for f in insert_fields(Answer) if f.attname != "response_id"]


@cache
def _statement(answers: int) -> str:
    response_fields = insert_fields(Response)
    placeholders = ", ".join(["%s"] * len(response_fields))
    insert_response_row = insert_into(Response, response_fields, connection)
    response = f"{insert_response_row} VALUES ({placeholders}) RETURNING id"
    if not answers:
        return response
    answer_fields = insert_fields(Answer)
    row = ", ".join(
        "(SELECT id FROM r)" if f.attname == "response_id" else "%s" for f in answer_fields
    )
    rows = ", ".join(f"({row})" for _ in range(answers))
    return (
        f"WITH r AS ({response}) {insert_into(Answer, answer_fields, connection)} VALUES {rows} "
        "RETURNING response_id"
    )


def insert_response(response: Response, answers: Sequence[Answer]) -> None:
    """Insert a new ``response`` and its new ``answers`` (their ``response`` is this one); the
    response gets its id as with ``save``."""
    workspace = current_workspace()
    for obj in (response, *answers):
        claim_for(obj, workspace)
    if connection.vendor != "postgresql":
        response.save(force_insert=True)
        Answer.objects.bulk_create(answers)
        return
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy costs a lookup a use
    params = prepared_values(response, insert_fields(Response), db)
    answer_fields = _answer_fields()
    for answer in answers:
        params += prepared_values(answer, answer_fields, db)
    with db.cursor() as cursor:
        cursor.execute(_statement(len(answers)), params)
        response_id = cursor.fetchone()[0]
    mark_inserted(response, response_id, db)
    for answer in answers:
        answer.response_id = response_id
