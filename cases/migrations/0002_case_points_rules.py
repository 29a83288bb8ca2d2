from decimal import Decimal

from django.db import migrations

# The points a verified case earns, with starting values street staff can edit
# (the points admin). The codes stay stable: cases.services.closing names them.
RULES = [
    ("case_closed_unit", "驻区单位办结的网格事件经核实", "unit", Decimal("5")),
    ("case_closed_person", "网格内自办的事件经核实", "person", Decimal("2")),
]


def create_rules(apps, schema_editor):
    PointsRule = apps.get_model("points", "PointsRule")
    for code, name, kind, points in RULES:
        if not PointsRule.objects.filter(code=code, street__isnull=True).exists():
            PointsRule.objects.create(code=code, name=name, subject_kind=kind, basis="event", points=points)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_cases_categories_departments_dispatches_log"),
        ("points", "0003_rules_per_street"),
    ]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
