"""Dialect-specific SQL, kept in one module.

``casefold``: a transform for case-insensitive search that works for Cyrillic. SQLite's ``LIKE``
and ``LOWER()`` fold only ASCII letters, so "коваленко" would not find "Коваленко" in the embedded
database; there we register Python's ``str.casefold`` as an SQL function. PostgreSQL's ``LOWER()``
folds every script already.

Use: ``Customer.objects.filter(name__casefold__contains=query.casefold())``.

``insert_fields``, ``insert_into``, ``prepared_values``, ``mark_inserted``: the pieces of the
ORM's single-row INSERT, for hot paths that write their statement once per process (a survey
answer's response and answers, the ledger's experience) instead of letting the ORM rebuild it on
every call.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import CharField, EmailField, Field, Model, TextField, Transform
from django.dispatch import receiver


class Casefold(Transform):
    lookup_name = "casefold"
    function = "LOWER"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        return super().as_sql(compiler, connection, function="CXLOOP_CASEFOLD", **extra)


for field in (CharField, EmailField, TextField):
    field.register_lookup(Casefold)


def _casefold(value: str | None) -> str | None:
    return value.casefold() if value is not None else None


@receiver(connection_created)
def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("CXLOOP_CASEFOLD", 1, _casefold, deterministic=True)


def insert_fields(model: type[Model]) -> list[Field]:
    """The columns an INSERT of ``model`` names: every concrete field but the primary key."""
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def insert_into(model: type[Model], fields: list[Field], connection: Any) -> str:
    """``INSERT INTO table (columns)`` quoted for ``connection``; the caller adds the rest."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    return f"INSERT INTO {quote(model._meta.db_table)} ({names})"


def prepared_values(obj: Model, fields: list[Field], connection: Any) -> list[Any]:
    """``obj``'s values for ``fields`` as the ORM's insert prepares them: ``pre_save`` fills the
    ``auto_now`` times, ``get_db_prep_save`` converts UUIDs and JSON."""
    return [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]


def mark_inserted(obj: Model, pk: int, connection: Any) -> None:
    """Leave ``obj`` as ``save`` does after its INSERT: with its id, stored in this database."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias
