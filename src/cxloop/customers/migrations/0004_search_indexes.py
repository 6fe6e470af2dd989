"""Trigram indexes for customer search on PostgreSQL (nothing on SQLite).

Search is ``LOWER(name) LIKE '%…%'`` (see ``core.db.Casefold``), which no b-tree can serve; at a
million customers a trigram GIN index turns a 0.5 s sequential scan into milliseconds
(bench/customer_pages.py). ``pg_trgm`` is a trusted extension, so a database owner may create it.
The indexes live outside the model state because SQLite has no equivalent.
"""

from django.db import migrations

INDEXES = {
    "customer_name_trgm": "LOWER(name)",
    "customer_email_trgm": "LOWER(email)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON customers_customer "
            f"USING gin ({expression} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_import_run")]
    operations = [migrations.RunPython(create, drop)]
