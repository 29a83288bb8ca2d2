"""Spreadsheets of units, resources and needs: dry run, row errors, all or nothing, scope."""

import datetime

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliances.models import MemberUnit, Need, NeedStatusChange, Resource
from alliances.resources import MemberUnitResource, NeedResource, ResourceResource
from portal.roles import Role, has_role
from tests.factories import MemberUnitFactory, NeedFactory, make_user

UNIT_HEADERS = ["所在街道或社区编码", "单位名称", "单位类型", "党组织", "地址", "联络员账号"]
RESOURCE_HEADERS = [
    "单位所在编码",
    "单位名称",
    "资源名称",
    "资源类别",
    "数量",
    "计量单位",
    "服务社区编码",
    "可用起始日期",
    "可用截止日期",
    "说明",
    "有效",
]
NEED_HEADERS = [
    "社区编码",
    "需求名称",
    "所需资源类别",
    "一般或热点",
    "需要数量",
    "期望完成日期",
    "提出日期",
    "说明",
]


def sheet(headers, *rows):
    return tablib.Dataset(*rows, headers=headers)


def run(resource_class, user, dataset, dry_run=False):
    return resource_class(user=user).import_data(dataset, dry_run=dry_run)


def row_errors(result):
    """{row number: [messages]} for every bad row."""
    errors = {}
    for row in result.invalid_rows:
        errors.setdefault(row.number, []).extend(
            message for messages in row.error_dict.values() for message in messages
        )
    for number, row_errors_ in result.row_errors():
        errors.setdefault(number, []).extend(str(e.error) for e in row_errors_)
    return errors


def test_units_import_dry_run_then_for_real_then_again_without_duplicates(aw):
    user = aw.world.street_staff
    new_liaison = make_user(username="unit7")
    data = sheet(
        UNIT_HEADERS,
        [aw.world.community_a.code, "兰苑派出所", "机关", "兰苑派出所党支部", "兰苑路1号", "unit7"],
        [aw.world.street.code, "刘家堡供水所", "企业", "", "", ""],
    )
    result = run(MemberUnitResource, user, data, dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert not MemberUnit.objects.filter(name="兰苑派出所").exists()
    run(MemberUnitResource, user, data)
    unit = MemberUnit.objects.get(name="兰苑派出所")
    assert (unit.grid, unit.kind, list(unit.liaisons.all())) == (
        aw.world.community_a,
        "agency",
        [new_liaison],
    )
    new_liaison.refresh_from_db()
    assert has_role(type(new_liaison).objects.get(pk=new_liaison.pk), Role.UNIT_LIAISON)
    data[1] = (aw.world.street.code, "刘家堡供水所", "企业", "供水所党支部", "", "")
    run(MemberUnitResource, user, data)
    assert MemberUnit.objects.filter(name="刘家堡供水所").count() == 1
    assert MemberUnit.objects.get(name="刘家堡供水所").party_organisation == "供水所党支部"


def test_a_bad_row_imports_nothing_and_every_bad_row_is_named(aw):
    data = sheet(
        UNIT_HEADERS,
        [aw.world.community_a.code, "好单位", "学校", "", "", ""],
        [aw.world.community_a.code, "坏类型", "工厂", "", "", ""],
        ["NOPE-01", "坏编码", "学校", "", "", ""],
        [aw.world.community_a.code, "坏联络员", "学校", "", "", "nobody_here"],
    )
    result = run(MemberUnitResource, aw.world.street_staff, data)
    errors = row_errors(result)
    assert set(errors) == {2, 3, 4}
    assert any("单位类型“工厂”无效" in m for m in errors[2])
    assert any("NOPE-01" in m for m in errors[3])
    assert any("nobody_here" in m for m in errors[4])
    assert not MemberUnit.objects.filter(name="好单位").exists()


def test_a_secretary_imports_only_into_their_community(aw):
    data = sheet(UNIT_HEADERS, [aw.world.community_b.code, "金港药店", "商户", "", "", ""])
    result = run(MemberUnitResource, aw.world.secretary_a, data)
    assert "不在您的管辖范围内" in " ".join(sum(row_errors(result).values(), []))
    assert not MemberUnit.objects.filter(name="金港药店").exists()


def test_staff_of_another_community_cannot_be_made_a_liaison(aw):
    data = sheet(
        UNIT_HEADERS, [aw.world.community_a.code, "兰苑药店", "商户", "", "", aw.world.secretary_b.username]
    )
    result = run(MemberUnitResource, aw.world.secretary_a, data)
    assert "不能作为本单位的联络员" in " ".join(sum(row_errors(result).values(), []))


def test_resources_import_matches_on_unit_and_title(aw):
    user = aw.world.street_staff
    row = [
        aw.world.community_a.code,
        "兰苑小学",
        "操场",
        "场地",
        "1",
        "块",
        aw.world.community_a.code,
        "2026-03-01",
        "2026-12-31",
        "周末开放",
        "是",
    ]
    run(ResourceResource, user, sheet(RESOURCE_HEADERS, row))
    row[4] = "2"
    run(ResourceResource, user, sheet(RESOURCE_HEADERS, row))
    resource = Resource.objects.get()
    assert (resource.unit, resource.quantity, resource.available_until) == (
        aw.unit_a,
        2,
        datetime.date(2026, 12, 31),
    )


@pytest.mark.parametrize(
    "index, value, message",
    [
        (1, "不存在的单位", "没有名为“不存在的单位”的驻区单位"),
        (3, "房子", "资源类别“房子”无效"),
        (4, "很多", "数量“很多”不是数字"),
        (7, "三月一日", "日期“三月一日”无法识别"),
        (10, "也许", "应填“是”或“否”"),
    ],
)
def test_resource_rows_explain_what_is_wrong(aw, index, value, message):
    row = [aw.world.community_a.code, "兰苑小学", "操场", "场地", "1", "块", "", "", "", "", "是"]
    row[index] = value
    result = run(ResourceResource, aw.world.street_staff, sheet(RESOURCE_HEADERS, row))
    errors = row_errors(result)
    assert list(errors) == [1]
    assert message in " ".join(errors[1])
    assert not Resource.objects.exists()


def test_a_secretary_cannot_import_resources_for_a_unit_elsewhere(aw):
    row = [aw.world.community_b.code, "金港医院", "门诊大厅", "场地", "1", "", "", "", "", "", "是"]
    result = run(ResourceResource, aw.world.secretary_a, sheet(RESOURCE_HEADERS, row))
    assert "不在您的管辖范围内" in " ".join(row_errors(result)[1])
    assert not Resource.objects.exists()


def test_needs_import_opens_needs_with_history_and_never_changes_status(aw):
    user = aw.world.secretary_a
    data = sheet(
        NEED_HEADERS,
        [aw.world.community_a.code, "助餐点", "场地", "热点", "1", "2026-06-30", "2026-03-02", ""],
    )
    run(NeedResource, user, data)
    need = Need.objects.get()
    assert (need.priority, need.status, need.raised_by) == ("hot", "open", user)
    assert NeedStatusChange.objects.get(need=need).note == "表格导入"
    need.status = "closed"
    need.save()
    data.append_col(["待匹配"], header="状态")
    run(NeedResource, user, data)
    need.refresh_from_db()
    assert need.status == "closed" and Need.objects.count() == 1


def test_exports_are_scoped_with_chinese_headers(aw):
    NeedFactory(community=aw.world.community_a, title="甲社区需求")
    NeedFactory(community=aw.world.community_b, title="乙社区需求")
    dataset = NeedResource(user=aw.world.secretary_a).export()
    assert dataset.headers[:2] == ["社区编码", "需求名称"]
    assert [row[1] for row in dataset] == ["甲社区需求"]
    MemberUnitFactory(grid=aw.world.community_c, name="别的街道单位")
    units = MemberUnitResource(user=aw.world.street_staff).export()
    assert "别的街道单位" not in [row[1] for row in units]
    assert "兰苑小学" in [row[1] for row in units]


def test_the_admin_import_preview_shows_row_numbers(aw, login):
    client = login(aw.world.street_staff)
    content = sheet(UNIT_HEADERS, [aw.world.community_a.code, "坏类型", "工厂", "", "", ""]).export("csv")
    upload = SimpleUploadedFile("units.csv", content.encode("utf-8"), content_type="text/csv")
    response = client.post(
        reverse("admin:alliances_memberunit_import"),
        {"import_file": upload, "format": "1", "resource": "0"},
    )
    page = response.content.decode()
    assert "单位类型“工厂”无效" in page
    assert not MemberUnit.objects.filter(name="坏类型").exists()


def test_the_admin_export_gives_a_workbook_of_the_users_scope(aw, login):
    client = login(aw.world.secretary_a)
    assert client.get(reverse("admin:alliances_resource_export")).status_code == 200
    response = client.post(
        reverse("admin:alliances_need_export"),
        {"format": "0", "resource": "0", **{f"needresource_{name}": "on" for name in ("community", "title")}},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
