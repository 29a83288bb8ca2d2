"""The street and community queues and numbers read one index each (docs/cases.md#speed)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_dispatch_street"),
        ("grids", "0005_follow_up_open_idx"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dispatch",
            name="street",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="grids.grid",
                verbose_name="街道",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["street", "-reported_at", "-id"], name="case_street_reported_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["community", "-reported_at", "-id"], name="case_community_reported_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="dispatch",
            index=models.Index(fields=["street", "dispatched_at"], name="dispatch_street_time_idx"),
        ),
    ]
