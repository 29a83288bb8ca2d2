"""Service-record spreadsheets for the national volunteer system, with configurable columns.

A column layout is a list of (header, field key) pairs. The built-in layout
follows the hours-upload template of the national system (全国志愿服务信息系统);
street or community staff can save their own layouts (导出列设置) when their
upload template differs. Identity numbers and phones are exported in full only
to users who may see personal data, and such an export is recorded.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.privacy import mask_id_number, mask_phone
from portal.text import aside, join_list


def _local(value):
    # A real date-time: the workbook writer shows it in local time.
    return timezone.localtime(value) if value else None


def _person(user):
    return (user.get_full_name() if user else "") or ""


# key: (label, value(record, unmasked))
FIELDS = {
    "name": (gettext_lazy("姓名"), lambda r, u: r.volunteer.name),
    "gender": (gettext_lazy("性别"), lambda r, u: r.volunteer.get_gender_display()),
    "id_type": (gettext_lazy("证件类型"), lambda r, u: r.volunteer.get_id_type_display()),
    "id_number": (
        gettext_lazy("证件号码"),
        lambda r, u: r.volunteer.id_number if u else mask_id_number(r.volunteer.id_number),
    ),
    "phone": (
        gettext_lazy("手机号码"),
        lambda r, u: r.volunteer.phone if u else mask_phone(r.volunteer.phone),
    ),
    "volunteer_number": (gettext_lazy("志愿者编号"), lambda r, u: r.volunteer.number or ""),
    "community": (gettext_lazy("居住社区"), lambda r, u: r.volunteer.community.name),
    "activity": (gettext_lazy("活动名称"), lambda r, u: r.activity.title),
    "category": (gettext_lazy("服务类别"), lambda r, u: r.activity.get_category_display()),
    "team": (gettext_lazy("组织单位"), lambda r, u: r.team.name),
    "service_date": (gettext_lazy("服务日期"), lambda r, u: r.service_date),
    "started_at": (gettext_lazy("开始时间"), lambda r, u: _local(r.started_at)),
    "ended_at": (gettext_lazy("结束时间"), lambda r, u: _local(r.ended_at)),
    "hours": (gettext_lazy("服务时长（小时）"), lambda r, u: float(r.hours)),
    "attendance": (gettext_lazy("出勤情况"), lambda r, u: r.get_attendance_display()),
    "place": (gettext_lazy("服务地点"), lambda r, u: r.place),
    "content": (gettext_lazy("服务内容"), lambda r, u: r.content),
    "evaluation": (gettext_lazy("服务评价"), lambda r, u: r.get_evaluation_display()),
    "source": (gettext_lazy("记录方式"), lambda r, u: r.get_source_display()),
    "recorded_by": (gettext_lazy("记录人"), lambda r, u: _person(r.recorded_by)),
    "recorded_at": (gettext_lazy("记录时间"), lambda r, u: _local(r.recorded_at)),
    "verified_by": (gettext_lazy("核验人"), lambda r, u: _person(r.verified_by)),
    "verified_at": (gettext_lazy("核验时间"), lambda r, u: _local(r.verified_at)),
}

PERSONAL_KEYS = {"id_number", "phone"}

# The national system's hours upload: who (by identity document), when, how long, what.
DEFAULT_COLUMNS = [
    ["姓名", "name"],
    ["证件类型", "id_type"],
    ["证件号码", "id_number"],
    ["手机号码", "phone"],
    ["服务日期", "service_date"],
    ["服务开始时间", "started_at"],
    ["服务结束时间", "ended_at"],
    ["服务时长", "hours"],
    ["项目名称", "activity"],
    ["服务地点", "place"],
    ["服务内容", "content"],
    ["组织单位", "team"],
    ["记录人", "recorded_by"],
    ["核验人", "verified_by"],
]


def describe_keys():
    return join_list(aside(key, label) for key, (label, _getter) in FIELDS.items())


def parse_columns(text):
    """Lines of "表头 = key" into [[header, key], …]; ValidationError naming the bad line."""
    columns, errors = [], []
    for number, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        header, sep, key = line.rpartition("=")
        header, key = header.strip(), key.strip()
        if not sep or not header:
            errors.append(_("第 %(n)s 行应写作“表头 = 字段”，例如：证件号码 = id_number。") % {"n": number})
        elif key not in FIELDS:
            errors.append(_("第 %(n)s 行的字段“%(key)s”不存在。") % {"n": number, "key": key})
        else:
            columns.append([header[:40], key])
    if errors:
        raise ValidationError(errors)
    if not columns:
        raise ValidationError(_("至少需要一列。"))
    return columns


def format_columns(columns):
    return "\n".join(f"{header} = {key}" for header, key in columns)


def rows(records, columns, unmasked):
    getters = [FIELDS[key][1] for _header, key in columns]
    for record in records.iterator(chunk_size=2000):
        yield [getter(record, unmasked) for getter in getters]


def has_personal_data(columns):
    return any(key in PERSONAL_KEYS for _header, key in columns)
