"""Personal data: masking, the permission that lifts it, and the access log.

Phone numbers, ID numbers and exact addresses are shown masked unless the
user's role holds `portal.view_personal_data`. Every reveal, change, export or
import of them is written to `PersonalDataLog`, which street staff can read and
nobody can edit.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.access import node_of
from portal.models import PersonalDataLog
from portal.text import join_list, labelled

PERMISSION = "portal.view_personal_data"

# Where a write of personal data came from, for the access log's detail; an
# import names its file instead, or says IMPORT when it has none.
ADMIN = gettext_lazy("管理后台")
IMPORT = gettext_lazy("表格导入")


def mask_phone(value):
    """138****8000: keep the carrier prefix and the last four digits."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


# A mainland mobile number written in free text, with or without spaces or hyphens
# between the digits, and not part of a longer number.
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9])")
# An 18-character ID number in free text.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")


def mask_phones_in_text(value):
    """Free text written by staff, for a public page: mobile and ID numbers in it masked (联系了张经理138****5678)."""
    if not value:
        return value or ""
    value = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), str(value))
    return _MOBILE_IN_TEXT.sub(lambda m: mask_phone(re.sub(r"[ -]", "", m.group(0))), value)


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


def personal_data_write_record(*, actor, via, created=(), changed=(), changed_fields=()):
    """Record the personal data a write set: the one rule for every save and import of it.

    `created` and `changed` are rows of one model that has PERSONAL_FIELDS. The
    fields recorded are those a created row holds a value in, and those among
    `changed_fields` (what the caller wrote) for changed rows; a cleared number
    counts as a change. A write that sets none is not recorded. A single row is
    named with its grid, so staff over that grid can read the entry; a batch is
    named by its model. The detail says where the write came from (`via`) and how
    many rows it created and changed.
    """
    rows = [*created, *changed]
    if not rows:
        return None
    fields = [
        name
        for name in type(rows[0]).PERSONAL_FIELDS
        if (changed and name in changed_fields) or any(getattr(row, name) for row in created)
    ]
    if not fields:
        return None
    counts = []
    if created:
        counts.append(_("新建 %(count)s 条") % {"count": len(created)})
    if changed:
        counts.append(_("修改 %(count)s 条") % {"count": len(changed)})
    single = rows[0] if len(rows) == 1 else None
    return personal_data_record(
        actor=actor,
        action=PersonalDataLog.Action.CHANGE,
        subject=single if single is not None else type(rows[0]),
        fields=fields,
        grid=node_of(single) if single is not None else None,
        detail=labelled(via, join_list(counts)),
    )
