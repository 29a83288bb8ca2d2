"""Spreadsheet import/export of buildings, households and grid workers."""

from collections import OrderedDict

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from grids import services
from grids.models import Building, Grid, GridAssignment, Household, Visit
from portal.resources import (
    ChoiceLabelWidget,
    CountWidget,
    DateCellWidget,
    ScopedLookupWidget,
    ScopedResource,
    TextWidget,
    YesNoWidget,
    cell_text,
    is_pending,
)
from portal.roles import Role
from portal.scoping import in_scope
from portal.services import user_create, user_grant_role
from portal.validators import is_mobile, normalise_phone

GRID_COLUMN = "网格编码"


def _grid_widget():
    return ScopedLookupWidget(
        Grid,
        "code",
        gettext_lazy("网格编码“%(value)s”不存在，或不在您的管辖范围内。"),
        queryset=Grid.objects.filter(kind=Grid.Kind.GRID),
    )


class BuildingWidget(ScopedLookupWidget):
    """A building named in one column, inside the grid named in the 网格编码 column."""

    def __init__(self, **kwargs):
        super().__init__(
            Building,
            "name",
            gettext_lazy("网格“%(grid)s”中没有楼栋“%(value)s”，或不在您的管辖范围内。"),
            queryset=Building.objects.select_related("grid"),
            **kwargs,
        )

    @staticmethod
    def _grid_code(row):
        return str((row or {}).get(GRID_COLUMN) or "").strip()

    def lookup(self, value, row):
        return {"grid__code": self._grid_code(row), "name": value}

    def cache_key(self, value, row):
        return (self._grid_code(row), value)

    def not_found_message(self, value, row):
        return self.not_found % {"value": value, "grid": self._grid_code(row)}

    def cache_key_of(self, building):
        return (building.grid.code, building.name)


class BuildingResource(ScopedResource):
    grid = fields.Field("grid", GRID_COLUMN, widget=_grid_widget())
    name = fields.Field("name", "楼栋", widget=TextWidget())
    address = fields.Field("address", "地址", widget=TextWidget())
    units = fields.Field("units", "单元数", widget=CountWidget())
    floors = fields.Field("floors", "层数", widget=CountWidget())

    scoped_widgets = ("grid",)

    class Meta:
        model = Building
        fields = ("grid", "name", "address", "units", "floors")
        import_id_fields = ("grid", "name")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("grid")


class HouseholdResource(ScopedResource):
    """Households, tuned for sheets of a whole street (100,000 rows).

    Instead of one lookup query per row per key, existing households are
    loaded a building at a time, buildings once per distinct name, and rows
    are written in batches by grids.services.households_import (bulk inserts
    and updates). Uniqueness inside the file is checked here, in memory; the
    database constraint stays the backstop.
    """

    grid_code = fields.Field("grid__code", GRID_COLUMN, readonly=True)
    building = fields.Field("building", "楼栋", widget=BuildingWidget())
    unit = fields.Field("unit", "单元", widget=TextWidget())
    room = fields.Field("room", "房号", widget=TextWidget())
    head_name = fields.Field("head_name", "户主姓名", widget=TextWidget())
    phone = fields.Field("phone", "联系电话", widget=TextWidget())
    id_number = fields.Field("id_number", "身份证号", widget=TextWidget())
    category = fields.Field(
        "category",
        "彩虹分类",
        widget=ChoiceLabelWidget(
            Household.Category,
            gettext_lazy("彩虹分类“%(value)s”无效，应为：孤寡、空巢、贫困、残疾、管控、军烈属、一般户。"),
        ),
    )
    notes = fields.Field("notes", "备注", widget=TextWidget())

    scoped_widgets = ("building",)
    extra_key_columns = (GRID_COLUMN,)
    UPDATE_FIELDS = ("head_name", "phone", "id_number", "category", "notes")
    BUILDING_CACHE_SIZE = 64

    class Meta:
        model = Household
        fields = (
            "grid_code",
            "building",
            "unit",
            "room",
            "head_name",
            "phone",
            "id_number",
            "category",
            "notes",
        )
        import_id_fields = ("building", "unit", "room")
        clean_model_instances = True
        use_bulk = True
        batch_size = 1000
        skip_diff = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self._households_by_building = OrderedDict()
        self._seen = {}

    def get_queryset(self):
        return super().get_queryset().select_related("building", "grid")

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        # Every building the sheet names, in one query instead of one per building.
        if GRID_COLUMN in dataset.headers and "楼栋" in dataset.headers:
            pairs = {
                (str(grid).strip(), str(name).strip())
                for grid, name in zip(dataset[GRID_COLUMN], dataset["楼栋"], strict=True)
                if grid and name
            }
            self.fields["building"].widget.preload(
                pairs,
                {"grid__code__in": {g for g, _n in pairs}, "name__in": {n for _g, n in pairs}},
            )

    def _key(self, row):
        building = self.fields["building"].clean(row)
        unit = self.fields["unit"].clean(row)
        room = self.fields["room"].clean(row)
        return building, unit, room

    def _existing_in(self, building):
        # Sheets come sorted by building, so a small LRU of buildings holds
        # every household a row can match without loading the whole street.
        cache = self._households_by_building
        if building.pk in cache:
            cache.move_to_end(building.pk)
            return cache[building.pk]
        households = {(h.unit, h.room): h for h in Household.objects.filter(building=building)}
        cache[building.pk] = households
        if len(cache) > self.BUILDING_CACHE_SIZE:
            cache.popitem(last=False)
        return households

    def get_instance(self, instance_loader, row):
        try:
            building, unit, room = self._key(row)
        except ValueError:
            return None  # import_instance reports the bad cell with its row
        if building is None:
            return None
        household = self._existing_in(building).get((unit, room))
        if household is not None:
            household.building = building
        return household

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        key = (instance.building_id, instance.unit, instance.room)
        first = self._seen.setdefault(key, kwargs.get("row_number"))
        if first != kwargs.get("row_number"):
            raise ValidationError(
                {"room": _("与第 %(row)s 行是同一户（楼栋、单元、房号相同）。") % {"row": first}}
            )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if not instance.building_id and "building" not in errors:
            errors["building"] = ValidationError(_("请填写楼栋。"))
        try:
            # The building was resolved (and scoped) by its widget, and the
            # address is unique by the in-file check and the key lookup, so
            # skip the per-row queries full_clean would make for those.
            instance.full_clean(
                exclude=[*errors, "building", "grid"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    # import-export flushes new and changed rows separately, each when its list
    # is full; both flush into one service call, so a batch is written (and
    # recorded in the access log) in one go.

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._write_batch(raise_errors, result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self._write_batch(raise_errors, result)

    def _write_batch(self, raise_errors, result):
        # Also on a dry run: ScopedResource imports in a transaction that the
        # dry run rolls back, so the preview meets the database's own checks.
        if not (self.create_instances or self.update_instances):
            return
        try:
            services.households_import(
                households_new=self.create_instances,
                households_changed=self.update_instances,
                changed_fields=self.UPDATE_FIELDS,
                actor=self.user,
                via=self.via,
            )
        except Exception as error:  # reported as the file's error, as import-export does
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.create_instances.clear()
            self.update_instances.clear()


class PersonWidget(widgets.Widget):
    """The grid worker's login, by username; a new name stands for a login to create.

    A login that already serves outside the importer's scope is refused, so a
    sheet cannot take over another community's accounts. For a new name the
    widget checks the row's 姓名 and 手机号 and returns an unsaved user, which
    GridWorkerResource creates through portal.services.user_create on save.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.user = None
        self._cache = {}

    def clean(self, value, row=None, **kwargs):
        username = "" if value is None else str(value).strip()
        if not username:
            raise ValueError(_("请填写账号。"))
        if username in self._cache:
            return self._cache[username]
        User = get_user_model()
        person = User.objects.filter(username=username).select_related("staff_profile__scope").first()
        if person is None:
            # Not cached: once an earlier row has created it, the next row finds it.
            return self._new_person(username, row or {})
        profile = getattr(person, "staff_profile", None)
        if person.is_superuser or (profile and not in_scope(self.user, profile.scope)):
            raise ValueError(_("账号“%(value)s”已被其他单位使用。") % {"value": username})
        self._cache[username] = person
        return person

    def _new_person(self, username, row):
        phone = normalise_phone(cell_text(row, "手机号"))
        if phone and not is_mobile(phone):
            raise ValueError(_("手机号“%(value)s”格式不正确。") % {"value": phone})
        name = cell_text(row, "姓名")
        if not name:
            raise ValueError(_("新账号“%(value)s”需要填写姓名。") % {"value": username})
        person = get_user_model()(username=username, full_name=name[:50], phone=phone)
        person.full_clean(exclude=["password"])
        return person

    def render(self, value, obj=None, **kwargs):
        return value.username if value else ""


class GridWorkerResource(ScopedResource):
    person = fields.Field("person", "账号", widget=PersonWidget())
    full_name = fields.Field("person__full_name", "姓名", readonly=True)
    phone = fields.Field("person__phone", "手机号", readonly=True)
    role = fields.Field(
        "role",
        "职责",
        widget=ChoiceLabelWidget(
            GridAssignment.Role,
            gettext_lazy("职责“%(value)s”无效，应为：网格长、网格员、楼栋长、单元长。"),
        ),
    )
    grid = fields.Field("grid", GRID_COLUMN, widget=_grid_widget())
    building = fields.Field("building", "楼栋", widget=BuildingWidget())
    unit = fields.Field("unit", "单元", widget=TextWidget())
    start_date = fields.Field("start_date", "开始日期", widget=DateCellWidget(), default=timezone.localdate)
    end_date = fields.Field("end_date", "结束日期", widget=DateCellWidget())

    scoped_widgets = ("person", "grid", "building")
    extra_key_columns = ()
    personal_attributes = ("person__phone",)
    created_on_save = ("person",)

    class Meta:
        model = GridAssignment
        fields = (
            "person",
            "full_name",
            "phone",
            "role",
            "grid",
            "building",
            "unit",
            "start_date",
            "end_date",
        )
        import_id_fields = ("person", "role", "grid", "building", "unit")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("person", "grid", "building")

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        person = instance.person
        if is_pending(person):
            instance.person = user_create(
                username=person.username, full_name=person.full_name, phone=person.phone
            )

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        has_scope = hasattr(instance.person, "staff_profile")
        user_grant_role(
            user=instance.person,
            role=Role.GRID_WORKER,
            scope=None if has_scope else instance.grid,
        )


class VisitResource(ScopedResource):
    grid_code = fields.Field("grid__code", GRID_COLUMN, readonly=True)
    household = fields.Field("household", "住户", readonly=True)
    visitor = fields.Field("visitor__full_name", "走访人", readonly=True)
    visited_at = fields.Field("visited_at", "走访时间", widget=widgets.DateTimeWidget(), readonly=True)
    method = fields.Field("method", "走访方式", widget=ChoiceLabelWidget(Visit.Method, ""), readonly=True)
    findings = fields.Field("findings", "走访情况", readonly=True)
    follow_up_needed = fields.Field("follow_up_needed", "需要跟进", widget=YesNoWidget(), readonly=True)
    follow_up_done_at = fields.Field(
        "follow_up_done_at", "跟进完成时间", widget=widgets.DateTimeWidget(), readonly=True
    )

    class Meta:
        model = Visit
        fields = (
            "grid_code",
            "household",
            "visitor",
            "visited_at",
            "method",
            "findings",
            "follow_up_needed",
            "follow_up_done_at",
        )

    def get_queryset(self):
        return super().get_queryset().select_related("grid", "household__building", "visitor")
