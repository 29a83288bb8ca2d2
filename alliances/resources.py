"""Spreadsheet import/export of member units, resources and needs.

Same rules as every sheet of the portal (portal.resources): fixed Chinese
headers, dry run first, every bad row reported with its number, nothing
imported if any row is bad, rows matched on a natural key, and everything
limited to the importing user's scope.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from alliances import services
from alliances.models import MemberUnit, Need, Resource, ResourceKind
from grids.models import Grid
from portal.resources import (
    ChoiceLabelWidget,
    CountWidget,
    DateCellWidget,
    ScopedLookupWidget,
    ScopedResource,
    TextWidget,
    YesNoWidget,
    is_blank,
    is_clear_marker,
)
from portal.scoping import in_scope

UNIT_GRID_COLUMN = "单位所在编码"
UNIT_NAME_COLUMN = "单位名称"


def _node_widget(kinds, message):
    return ScopedLookupWidget(Grid, "code", message, queryset=Grid.objects.filter(kind__in=kinds))


class UnitWidget(ScopedLookupWidget):
    """A member unit named in one column, located at the grid code of the 单位所在编码 column."""

    def __init__(self, **kwargs):
        super().__init__(
            MemberUnit,
            "name",
            gettext_lazy("“%(grid)s”没有名为“%(value)s”的驻区单位，或不在您的管辖范围内。"),
            queryset=MemberUnit.objects.select_related("grid"),
            **kwargs,
        )

    @staticmethod
    def _grid_code(row):
        return str((row or {}).get(UNIT_GRID_COLUMN) or "").strip()

    def lookup(self, value, row):
        return {"grid__code": self._grid_code(row), "name": value}

    def cache_key(self, value, row):
        return (self._grid_code(row), value)

    def clean(self, value, row=None, **kwargs):
        value = "" if value is None else str(value).strip()
        if not value:
            raise ValueError(_("请填写单位名称。"))
        key = self.cache_key(value, row)
        if key not in self._cache:
            self._cache[key] = self.queryset().filter(**self.lookup(value, row)).first()
        if self._cache[key] is None:
            raise ValueError(self.not_found % {"value": value, "grid": self._grid_code(row)})
        return self._cache[key]


class LiaisonsWidget(widgets.ManyToManyWidget):
    """Liaison logins, separated by 、 , ， ; or spaces. Each must exist already.

    A staff account serving outside the importer's scope is refused, so a sheet
    cannot attach another community's staff to a unit.
    """

    SEPARATORS = ("、", "，", ",", ";", "；")

    def __init__(self, **kwargs):
        super().__init__(get_user_model(), separator="、", field="username", **kwargs)
        self.user = None

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value)
        for separator in self.SEPARATORS:
            text = text.replace(separator, " ")
        names = list(dict.fromkeys(text.split()))
        User = get_user_model()
        found = {
            u.username: u
            for u in User.objects.filter(username__in=names).select_related("staff_profile__scope")
        }
        for name in names:
            person = found.get(name)
            if person is None:
                raise ValueError(_("联络员账号“%(value)s”不存在，请先在“用户”中创建。") % {"value": name})
            profile = getattr(person, "staff_profile", None)
            if person.is_superuser or (profile and not in_scope(self.user, profile.scope)):
                raise ValueError(_("账号“%(value)s”不能作为本单位的联络员。") % {"value": name})
        return [found[name] for name in names]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(u.username for u in value.all())


class MemberUnitResource(ScopedResource):
    grid = fields.Field(
        "grid",
        "所在街道或社区编码",
        widget=_node_widget(
            [Grid.Kind.STREET, Grid.Kind.COMMUNITY],
            gettext_lazy("街道或社区编码“%(value)s”不存在，或不在您的管辖范围内。"),
        ),
    )
    name = fields.Field("name", UNIT_NAME_COLUMN, widget=TextWidget())
    kind = fields.Field(
        "kind",
        "单位类型",
        widget=ChoiceLabelWidget(
            MemberUnit.Kind,
            gettext_lazy("单位类型“%(value)s”无效，应为：机关、企业、学校、医院、社会组织、商户。"),
        ),
    )
    party_organisation = fields.Field("party_organisation", "党组织", widget=TextWidget())
    address = fields.Field("address", "地址", widget=TextWidget())
    liaisons = fields.Field("liaisons", "联络员账号", widget=LiaisonsWidget())

    scoped_widgets = ("grid", "liaisons")

    class Meta:
        model = MemberUnit
        fields = ("grid", "name", "kind", "party_organisation", "address", "liaisons")
        import_id_fields = ("grid", "name")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("grid").prefetch_related("liaisons")

    def save_m2m(self, instance, row, **kwargs):
        # The service sets the liaisons and gives each the liaison role. An
        # empty cell keeps them; only the clear marker removes them all.
        field = self.fields["liaisons"]
        cell = row.get(field.column_name)
        if field.column_name not in row or is_blank(cell):
            return
        users = [] if is_clear_marker(cell) else field.clean(row)
        services.unit_set_liaisons(unit=instance, users=users)


class ResourceResource(ScopedResource):
    unit_grid = fields.Field("unit__grid__code", UNIT_GRID_COLUMN, readonly=True)
    unit = fields.Field("unit", UNIT_NAME_COLUMN, widget=UnitWidget())
    title = fields.Field("title", "资源名称", widget=TextWidget())
    kind = fields.Field(
        "kind",
        "资源类别",
        widget=ChoiceLabelWidget(
            ResourceKind, gettext_lazy("资源类别“%(value)s”无效，应为：场地、资金、技能、志愿者、设备。")
        ),
    )
    quantity = fields.Field("quantity", "数量", widget=CountWidget(required=True))
    quantity_unit = fields.Field("quantity_unit", "计量单位", widget=TextWidget())
    community = fields.Field(
        "community",
        "服务社区编码",
        widget=_node_widget(
            [Grid.Kind.COMMUNITY], gettext_lazy("社区编码“%(value)s”不存在，或不在您的管辖范围内。")
        ),
    )
    available_from = fields.Field("available_from", "可用起始日期", widget=DateCellWidget())
    available_until = fields.Field("available_until", "可用截止日期", widget=DateCellWidget())
    description = fields.Field("description", "说明", widget=TextWidget())
    is_active = fields.Field("is_active", "有效", widget=YesNoWidget())

    scoped_widgets = ("unit", "community")
    extra_key_columns = (UNIT_GRID_COLUMN,)

    class Meta:
        model = Resource
        fields = (
            "unit_grid",
            "unit",
            "title",
            "kind",
            "quantity",
            "quantity_unit",
            "community",
            "available_from",
            "available_until",
            "description",
            "is_active",
        )
        import_id_fields = ("unit", "title")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("unit__grid", "community")


class NeedResource(ScopedResource):
    """Needs: a new row is a new open need; status is exported but changes only on the pages."""

    community = fields.Field(
        "community",
        "社区编码",
        widget=_node_widget(
            [Grid.Kind.COMMUNITY], gettext_lazy("社区编码“%(value)s”不存在，或不在您的管辖范围内。")
        ),
    )
    title = fields.Field("title", "需求名称", widget=TextWidget())
    kind = fields.Field(
        "kind",
        "所需资源类别",
        widget=ChoiceLabelWidget(
            ResourceKind, gettext_lazy("所需资源类别“%(value)s”无效，应为：场地、资金、技能、志愿者、设备。")
        ),
    )
    priority = fields.Field(
        "priority",
        "一般或热点",
        widget=ChoiceLabelWidget(Need.Priority, gettext_lazy("“%(value)s”无效，应为：一般、热点。")),
    )
    quantity = fields.Field("quantity", "需要数量", widget=CountWidget())
    wanted_by = fields.Field("wanted_by", "期望完成日期", widget=DateCellWidget())
    raised_on = fields.Field("raised_on", "提出日期", widget=DateCellWidget(), default=timezone.localdate)
    description = fields.Field("description", "说明", widget=TextWidget())
    status = fields.Field("status", "状态", widget=ChoiceLabelWidget(Need.Status, ""), readonly=True)

    scoped_widgets = ("community",)

    class Meta:
        model = Need
        fields = (
            "community",
            "title",
            "kind",
            "priority",
            "quantity",
            "wanted_by",
            "raised_on",
            "description",
            "status",
        )
        import_id_fields = ("community", "title")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("community")

    def do_instance_save(self, instance, is_create):
        if is_create:
            services.need_create(need=instance, actor=self.user, note=_("表格导入"))
        else:
            super().do_instance_save(instance, is_create)
