# The monthly report now lives in the reports app (reports.0001 takes the
# model over in Django's state). Nothing changes in the database here: the
# table stays, and reports.0002 renames it.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("alliances", "0003_monthly_reports"),
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="MonthlyReport")],
        ),
    ]
