# The report's table takes the reports app's name, and its content type moves
# with it: the permissions that groups hold and the admin's history stay
# attached, only their app label changes.

from django.db import migrations


def _relabel(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="monthlyreport").exists():
        ContentType.objects.filter(app_label=old, model="monthlyreport").update(app_label=new)


def forwards(apps, schema_editor):
    _relabel(apps, "alliances", "reports")


def backwards(apps, schema_editor):
    _relabel(apps, "reports", "alliances")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("alliances", "0004_monthly_report_moves_to_reports"),
    ]

    operations = [
        migrations.AlterModelTable(name="monthlyreport", table=None),
        migrations.RunPython(forwards, backwards),
    ]
