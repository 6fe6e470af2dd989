"""Dialect-specific SQL, kept in one module.

``casefold``: a transform for case-insensitive search that works for Cyrillic. SQLite's ``LIKE``
and ``LOWER()`` fold only ASCII letters, so "коваленко" would not find "Коваленко" in the embedded
database; there we register Python's ``str.casefold`` as an SQL function. PostgreSQL's ``LOWER()``
folds every script already.

Use: ``Customer.objects.filter(name__casefold__contains=query.casefold())``.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import CharField, EmailField, TextField, Transform
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
