from decimal import Decimal

from django.db import migrations

# The events that earn points, with starting values street staff can edit.
# Code stays stable: the services that award points name their rule by it.
DEFAULT_RULES = [
    ("activity_hour", "志愿服务时长", "person", "hour", Decimal("2")),
    ("visit_logged", "入户走访", "person", "event", Decimal("1")),
    ("wish_fulfilled_person", "个人认领的微心愿获确认", "person", "event", Decimal("5")),
    ("wish_fulfilled_team", "服务队认领的微心愿获确认", "team", "event", Decimal("5")),
    ("wish_fulfilled_unit", "单位认领的微心愿获确认", "unit", "event", Decimal("5")),
    ("meeting_attended", "参加联席会议", "unit", "event", Decimal("3")),
    ("project_completed", "牵头完成微项目", "unit", "event", Decimal("10")),
]


def create_rules(apps, schema_editor):
    PointsRule = apps.get_model("volunteers", "PointsRule")
    for code, name, kind, basis, points in DEFAULT_RULES:
        PointsRule.objects.get_or_create(
            code=code,
            defaults={"name": name, "subject_kind": kind, "basis": basis, "points": points},
        )


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_initial")]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
