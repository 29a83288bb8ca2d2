from decimal import Decimal

from django.db import migrations

# Verified service on a claimed post earns points per hour, like an activity's
# (street staff edit the value in the points admin). care.services names the code.
RULE = ("post_service_hour", "认岗服务时长", "person", "hour", Decimal("2"))


def create_rule(apps, schema_editor):
    PointsRule = apps.get_model("points", "PointsRule")
    code, name, kind, basis, points = RULE
    if not PointsRule.objects.filter(code=code, street__isnull=True).exists():
        PointsRule.objects.create(code=code, name=name, subject_kind=kind, basis=basis, points=points)


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0002_posts"),
        ("points", "0005_totals_full_pages"),
    ]

    operations = [migrations.RunPython(create_rule, migrations.RunPython.noop)]
