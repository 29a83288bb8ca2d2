"""Migration operations that only run on PostgreSQL.

Trigram indexes (pg_trgm) serve the `%…%` searches of the admin lists on
PostgreSQL; SQLite, the try-out default, has no such index and migrates
without them. The operations change no model state: Django's models do not
know these indexes, so `makemigrations --check` stays quiet on every database.
"""

from django.contrib.postgres.operations import CreateExtension
from django.db import migrations

__all__ = ["PostgresOnlySQL", "TrigramExtension", "trigram_index"]


class TrigramExtension(CreateExtension):
    """pg_trgm, on PostgreSQL only, in both directions (Django's own checks the vendor forwards only).

    Unapplying leaves the extension installed: another app's indexes may use it.
    """

    def __init__(self):
        super().__init__("pg_trgm")

    def deconstruct(self):
        return self.__class__.__qualname__, [], {}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        return None


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL that does nothing on a database other than PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def trigram_index(table, column, name):
    """A GIN trigram index on UPPER(column), the expression Django's icontains compares on PostgreSQL."""
    return PostgresOnlySQL(
        sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)',
        reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
    )
