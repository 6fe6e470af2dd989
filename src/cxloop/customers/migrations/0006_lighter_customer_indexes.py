"""Three customer indexes that no query used, dropped: each one cost every imported row.

- ``customer_ws_email`` (workspace, email): email search is ``LOWER(email) LIKE``, served by the
  trigram index on PostgreSQL; nothing filters on the raw email.
- the foreign keys' own single-column indexes on ``workspace_id`` and ``segment_id``: every
  composite index starts with the workspace, and ``customer_ws_segment`` (workspace, segment,
  name) serves the segment filter.

The foreign key constraints stay as they are: only the indexes go (Django's ``AlterField`` would
drop and re-add the constraints, re-checking every row, or copy the whole table on SQLite).
bench/import_customers.py measured the import with and without them.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "customers_customer"
COLUMNS = ("workspace_id", "segment_id")


def _single_column_indexes(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return [
        name
        for name, info in constraints.items()
        if info["index"]
        and not info["unique"]
        and not info["primary_key"]
        and len(info["columns"]) == 1
        and info["columns"][0] in COLUMNS
    ]


def drop(apps, schema_editor):
    for name in _single_column_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create(apps, schema_editor):
    model = apps.get_model("customers", "Customer")
    for column in COLUMNS:
        name = schema_editor._create_index_name(TABLE, [column])
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} "
            f"ON {schema_editor.quote_name(model._meta.db_table)} ({schema_editor.quote_name(column)})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("customers", "0005_stance_phase_segment_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="customer", name="customer_ws_email"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="customer",
                    name="segment",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="customers",
                        to="customers.segment",
                    ),
                ),
                migrations.AlterField(
                    model_name="customer",
                    name="workspace",
                    field=models.ForeignKey(
                        db_index=False,
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.workspace",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, create)],
        ),
    ]
