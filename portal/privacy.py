"""Personal data: masking, the permission that lifts it, and the access log.

Phone numbers, ID numbers and exact addresses are shown masked unless the
user's role holds `portal.view_personal_data`. Every reveal, change, export or
import of them is written to `PersonalDataLog`, which street staff can read and
nobody can edit.
"""

from django.contrib.contenttypes.models import ContentType

from portal.models import PersonalDataLog

PERMISSION = "portal.view_personal_data"


def mask_phone(value):
    """138****8000: keep the carrier prefix and the last four digits."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_id_number(value):
    """110105********0123: keep the region code and the last four characters."""
    if not value:
        return ""
    if len(value) < 11:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_name(value):
    """张** : the family name only, for public pages."""
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)


def can_view_personal_data(user):
    return bool(user and user.is_authenticated and user.has_perm(PERMISSION))


def personal_data_record(*, actor, action, subject, fields, grid=None, detail=""):
    """Write one access-log entry about `subject` (a model instance or class)."""
    is_instance = not isinstance(subject, type)
    return PersonalDataLog.objects.create(
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        action=action,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk) if is_instance else "",
        subject_label=str(subject) if is_instance else str(subject._meta.verbose_name_plural),
        fields=",".join(fields),
        grid=grid,
        detail=detail[:300],
    )
