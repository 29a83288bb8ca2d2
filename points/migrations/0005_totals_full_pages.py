from django.db import migrations

from portal.migration_ops import PostgresOnlySQL


class Migration(migrations.Migration):
    """Full pages again: the room left for rewriting stored ranks in place is no longer used."""

    dependencies = [
        ("points", "0004_totals_ranked_on_read"),
    ]

    operations = [
        PostgresOnlySQL(
            "ALTER TABLE points_pointstotal RESET (fillfactor)",
            "ALTER TABLE points_pointstotal SET (fillfactor = 50)",
        ),
    ]
