"""Spreadsheet import/export of the 在职党员双报到 list.

One row per party member. A row is matched to its volunteer by 志愿者编号
when the cell is filled (an exported sheet has it), otherwise by identity
document (证件类型 + 证件号码); a person not yet registered becomes a
volunteer. Everything else follows the portal's sheet rules (portal.resources):
dry run first, every bad row with its row number, nothing saved if any row is
bad, scoped to the importer, personal data masked on export.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from grids.models import Grid
from portal.resources import (
    ChoiceLabelWidget,
    DateCellWidget,
    ScopedLookupWidget,
    ScopedResource,
    TextWidget,
    cell_text,
    is_blank,
    is_clear_marker,
    is_pending,
)
from portal.scoping import in_scope, scope_queryset
from portal.validators import is_mobile, normalise_phone
from volunteers import services
from volunteers.models import DualReport, IdType, Volunteer, validate_id_document

COMMUNITY_COLUMN = "报到社区编码"
NUMBER_COLUMN = "志愿者编号"


def _cell(row, column):
    return cell_text(row, column)


def _id_type(row):
    text = _cell(row, "证件类型")
    if not text:
        return IdType.RESIDENT
    for choice in IdType:
        if text in (choice.value, str(choice.label)):
            return choice.value
    raise ValueError(
        _(
            "证件类型“%(value)s”无效，应为：居民身份证、港澳居民来往内地通行证、台湾居民来往大陆通行证、护照、外国人永久居留身份证。"
        )
        % {"value": text}
    )


class VolunteerWidget(widgets.Widget):
    """The party member a row is about: by volunteer number, else by identity document.

    A document not yet registered stands for a volunteer to register (in the
    row's report community): the widget checks the row and returns an unsaved
    volunteer, which DualReportResource registers through the volunteers'
    service on save. A document registered outside the importer's scope is a
    row error that says no more than that.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.user = None

    def clean(self, value, row=None, **kwargs):
        number = "" if value is None else str(value).strip().upper()
        if number:
            volunteer = scope_queryset(Volunteer.objects.all(), self.user).filter(number=number).first()
            if volunteer is None:
                raise ValueError(_("志愿者编号“%(value)s”不存在，或不在您的管辖范围内。") % {"value": number})
            return volunteer
        id_type, id_number = _id_type(row), _cell(row, "证件号码").upper()
        if not id_number:
            raise ValueError(_("请填写志愿者编号或证件号码。"))
        if "*" in id_number:
            raise ValueError(_("证件号码是打码后的号码：请填写完整号码，或填写志愿者编号。"))
        try:
            validate_id_document(id_type, id_number)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None
        volunteer = (
            Volunteer.objects.filter(id_type=id_type, id_number=id_number).select_related("community").first()
        )
        if volunteer is not None:
            if not in_scope(self.user, volunteer.community):
                raise ValueError(_("该证件号码已在其他社区登记，请联系所在街道。"))
            return volunteer
        return self._new_volunteer(row, id_type, id_number)

    def _new_volunteer(self, row, id_type, id_number):
        name = _cell(row, "姓名")
        if not name:
            raise ValueError(_("新登记的党员需要填写姓名。"))
        phone = normalise_phone(_cell(row, "手机号"))
        if phone and not is_mobile(phone):
            raise ValueError(_("手机号“%(value)s”格式不正确。") % {"value": phone})
        code = _cell(row, COMMUNITY_COLUMN)
        community = (
            scope_queryset(Grid.objects.filter(kind=Grid.Kind.COMMUNITY), self.user).filter(code=code).first()
        )
        if community is None:
            raise ValueError(_("报到社区编码“%(value)s”不存在，或不在您的管辖范围内。") % {"value": code})
        gender = {"男": "M", "女": "F"}.get(_cell(row, "性别"), "")
        return Volunteer(
            name=name[:50],
            gender=gender,
            phone=phone,
            id_type=id_type,
            id_number=id_number,
            community=community,
        )

    def render(self, value, obj=None, **kwargs):
        return value.number if value else ""


def _community_widget():
    return ScopedLookupWidget(
        Grid,
        "code",
        gettext_lazy("报到社区编码“%(value)s”不存在，或不在您的管辖范围内。"),
        queryset=Grid.objects.filter(kind=Grid.Kind.COMMUNITY),
    )


class DualReportResource(ScopedResource):
    volunteer = fields.Field("volunteer", NUMBER_COLUMN, widget=VolunteerWidget())
    name = fields.Field("volunteer__name", "姓名", readonly=True)
    gender = fields.Field("volunteer__gender", "性别", readonly=True)
    phone = fields.Field("volunteer__phone", "手机号", readonly=True)
    id_type = fields.Field("volunteer__id_type", "证件类型", readonly=True)
    id_number = fields.Field("volunteer__id_number", "证件号码", readonly=True)
    party_organisation = fields.Field("volunteer__party_organisation", "所在党组织", readonly=True)
    work_unit = fields.Field("work_unit", "工作单位", widget=TextWidget())
    community = fields.Field("community", COMMUNITY_COLUMN, widget=_community_widget())
    community_name = fields.Field("community__name", "报到社区", readonly=True)
    reported_on = fields.Field("reported_on", "报到日期", widget=DateCellWidget())
    status = fields.Field(
        "status",
        "报到状态",
        widget=ChoiceLabelWidget(
            DualReport.Status, gettext_lazy("报到状态“%(value)s”无效，应为：已报到、待报到、已转出。")
        ),
    )
    note = fields.Field("note", "备注", widget=TextWidget())

    scoped_widgets = ("volunteer", "community")
    personal_attributes = ("volunteer__phone", "volunteer__id_number")
    created_on_save = ("volunteer",)

    class Meta:
        model = DualReport
        fields = (
            "volunteer",
            "name",
            "gender",
            "phone",
            "id_type",
            "id_number",
            "party_organisation",
            "work_unit",
            "community",
            "community_name",
            "reported_on",
            "status",
            "note",
        )
        import_id_fields = ("volunteer",)
        clean_model_instances = True
        skip_unchanged = False

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self._seen = {}

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.user).select_related("volunteer", "community")

    def filter_export(self, queryset, **kwargs):
        return super().filter_export(queryset, **kwargs).select_related("volunteer", "community")

    def export_field(self, field, instance, **kwargs):
        if field.attribute == "volunteer__gender":
            return instance.volunteer.get_gender_display()
        if field.attribute == "volunteer__id_type":
            return instance.volunteer.get_id_type_display()
        return super().export_field(field, instance, **kwargs)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # The person's own columns are read by VolunteerWidget, never written through the report.
        if field.readonly:
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if not instance.work_unit:
            raise ValidationError({"work_unit": _("请填写工作单位（在职党员向居住社区报到）。")})
        first = self._seen.setdefault(self._person_key(instance.volunteer), kwargs.get("row_number"))
        if first != kwargs.get("row_number"):
            raise ValidationError({"volunteer": _("与第 %(row)s 行是同一名党员。") % {"row": first}})

    @staticmethod
    def _person_key(volunteer):
        # By document, so a row registering a person and a later row finding
        # the person it registered are seen as the same one.
        if volunteer.id_number:
            return (volunteer.id_type, volunteer.id_number)
        return volunteer.pk

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        if is_pending(instance.volunteer):
            instance.volunteer = services.volunteer_save(
                volunteer=instance.volunteer, actor=self.user, via=self.via
            )

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        # The sheet is the party's list: the person is an in-service party
        # member who lives in the community they reported to.
        # 所在党组织 is the person's own: an empty cell keeps it, the marker clears it.
        organisation = (row or {}).get("所在党组织")
        if is_clear_marker(organisation):
            organisation = ""
        elif is_blank(organisation):
            organisation = None
        else:
            organisation = str(organisation).strip()
        services.volunteer_report_to_community(
            volunteer=instance.volunteer,
            community=instance.community,
            work_unit=instance.work_unit,
            party_organisation=organisation,
        )
