"""Each dispatch carries its case's street (filled from the case here, then by the services)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_streets(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Dispatch = apps.get_model("cases", "Dispatch")
    Dispatch.objects.filter(street__isnull=True).update(
        street_id=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("street_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_case_and_dispatch_time_indexes"),
        ("grids", "0005_follow_up_open_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="dispatch",
            name="street",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="grids.grid",
                verbose_name="街道",
            ),
        ),
        migrations.RunPython(fill_streets, migrations.RunPython.noop),
    ]
