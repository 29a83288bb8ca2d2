"""Unit, resource and need sheets never lose data: an empty cell keeps the stored value."""

import datetime

import tablib
from django.forms.models import model_to_dict

from alliances.models import MemberUnit, Need, Resource
from alliances.resources import MemberUnitResource, NeedResource, ResourceResource
from tests.factories import NeedFactory, ResourceFactory


def _run(resource_class, user, headers, *rows):
    result = resource_class(user=user).import_data(tablib.Dataset(*rows, headers=headers))
    assert not result.has_errors() and not result.has_validation_errors(), [
        (r.number, r.error_dict) for r in result.invalid_rows
    ]


def _unit_dict(unit):
    unit = MemberUnit.objects.get(pk=unit.pk)
    return {**model_to_dict(unit, exclude=["liaisons"]), "liaisons": list(unit.liaisons.all())}


def test_a_unit_sheet_with_only_the_key_and_the_kind_keeps_liaisons_and_the_rest(aw):
    unit = aw.unit_a
    unit.party_organisation, unit.address = "兰苑小学党支部", "兰苑路3号"
    unit.save()
    before = _unit_dict(unit)
    headers = ["所在街道或社区编码", "单位名称", "单位类型", "党组织", "地址", "联络员账号"]
    _run(
        MemberUnitResource,
        aw.world.street_staff,
        headers,
        [aw.world.community_a.code, unit.name, "机关", "", "", ""],
    )
    assert _unit_dict(unit) == {**before, "kind": "agency"}

    _run(
        MemberUnitResource,
        aw.world.street_staff,
        ["所在街道或社区编码", "单位名称", "地址", "联络员账号"],
        [aw.world.community_a.code, unit.name, "（清空）", "(清空)"],
    )
    assert _unit_dict(unit) == {**before, "kind": "agency", "address": "", "liaisons": []}


def test_a_resource_sheet_with_blank_cells_changes_only_what_is_filled(aw):
    resource = ResourceFactory(
        unit=aw.unit_a,
        title="多功能厅",
        quantity=2,
        quantity_unit="间",
        community=aw.world.community_a,
        available_from=datetime.date(2026, 1, 1),
        available_until=datetime.date(2026, 12, 31),
        description="周末可用",
        is_active=False,
    )
    before = model_to_dict(resource)
    headers = [
        "单位所在编码", "单位名称", "资源名称", "资源类别", "数量", "计量单位",
        "服务社区编码", "可用起始日期", "可用截止日期", "说明", "有效",
    ]  # fmt: skip
    row = [aw.world.community_a.code, aw.unit_a.name, "多功能厅", "", "5", "", "", "", "", "", ""]
    _run(ResourceResource, aw.world.street_staff, headers, row)
    resource.refresh_from_db()
    assert model_to_dict(resource) == {**before, "quantity": 5}

    _run(
        ResourceResource,
        aw.world.street_staff,
        ["单位所在编码", "单位名称", "资源名称", "可用截止日期", "说明"],
        [aw.world.community_a.code, aw.unit_a.name, "多功能厅", "（清空）", "（清空）"],
    )
    resource.refresh_from_db()
    assert model_to_dict(resource) == {**before, "quantity": 5, "available_until": None, "description": ""}
    assert Resource.objects.count() == 1


def test_a_need_sheet_with_blank_cells_keeps_the_dates_and_the_rest(aw):
    need = NeedFactory(
        community=aw.world.community_a,
        title="老年食堂场地",
        quantity=1,
        priority=Need.Priority.HOT,
        wanted_by=datetime.date(2026, 9, 1),
        raised_on=datetime.date(2026, 1, 5),
        description="每天中午",
    )
    before = model_to_dict(need)
    headers = [
        "社区编码",
        "需求名称",
        "所需资源类别",
        "一般或热点",
        "需要数量",
        "期望完成日期",
        "提出日期",
        "说明",
    ]
    _run(
        NeedResource,
        aw.world.street_staff,
        headers,
        [aw.world.community_a.code, "老年食堂场地", "", "", "3", "", "", ""],
    )
    need.refresh_from_db()
    assert model_to_dict(need) == {**before, "quantity": 3}
    assert Need.objects.count() == 1
