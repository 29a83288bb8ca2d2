# The points ledger now lives in the points app (points.0001 takes the models
# over in Django's state). Nothing changes in the database here: the tables
# stay, and points.0002 renames them.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0005_lean_points_totals"),
        ("points", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="PointsTotal"),
                migrations.DeleteModel(name="PointsEntry"),
                migrations.DeleteModel(name="PointsPeriod"),
                migrations.DeleteModel(name="PointsRule"),
            ],
        ),
    ]
