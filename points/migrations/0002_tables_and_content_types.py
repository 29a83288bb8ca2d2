# The ledger's tables take the points app's names, and its content types move
# with them: the permissions that groups hold (view, change, reverse) and the
# admin's history stay attached, only their app label changes.

from django.db import migrations

MODELS = ["pointsrule", "pointsentry", "pointsperiod", "pointstotal"]


def _relabel(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=new, model__in=MODELS).values_list("model", flat=True))
    ContentType.objects.filter(app_label=old, model__in=set(MODELS) - taken).update(app_label=new)


def forwards(apps, schema_editor):
    _relabel(apps, "volunteers", "points")


def backwards(apps, schema_editor):
    _relabel(apps, "points", "volunteers")


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0001_initial"),
        ("volunteers", "0006_points_move_to_points_app"),
    ]

    operations = [
        migrations.AlterModelTable(name="pointsrule", table=None),
        migrations.AlterModelTable(name="pointsentry", table=None),
        migrations.AlterModelTable(name="pointsperiod", table=None),
        migrations.AlterModelTable(name="pointstotal", table=None),
        migrations.RunPython(forwards, backwards),
    ]
