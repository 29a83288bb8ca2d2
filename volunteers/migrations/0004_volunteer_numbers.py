from django.db import migrations


def number_volunteers(apps, schema_editor):
    # Volunteers registered before numbers existed get theirs from their id,
    # the same rule Volunteer.save() applies to new ones.
    Volunteer = apps.get_model("volunteers", "Volunteer")
    for volunteer in Volunteer.objects.filter(number__isnull=True).only("pk"):
        Volunteer.objects.filter(pk=volunteer.pk).update(number=f"ZY{volunteer.pk:08d}")


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0003_activities_records_rollup")]

    operations = [migrations.RunPython(number_volunteers, migrations.RunPython.noop)]
