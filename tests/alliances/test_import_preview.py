"""The preview of a unit sheet: changed columns old → new, liaisons included, nothing saved."""

import tablib

from alliances.models import MemberUnit
from alliances.resources import MemberUnitResource
from tests.factories import make_user


def test_the_unit_preview_lists_changed_columns_and_new_units(aw):
    make_user(username="unit7")
    headers = ["所在街道或社区编码", "单位名称", "单位类型", "党组织", "地址", "联络员账号"]
    data = tablib.Dataset(
        [aw.world.community_a.code, aw.unit_a.name, "机关", "", "兰苑路9号", "liaison_a、unit7"],
        [aw.world.street.code, "刘家堡供水所", "企业", "", "", ""],
        headers=headers,
    )
    result = MemberUnitResource(user=aw.world.street_staff).import_data(data, dry_run=True)
    changes = result.changes
    assert changes.counts == {"new": 1, "update": 1, "unchanged": 0, "error": 0}
    number, key, fields = changes.updated_rows[0]
    assert (number, key) == (1, f"{aw.world.community_a.code} / {aw.unit_a.name}")
    assert fields == [
        ("单位类型", "学校", "机关"),
        ("地址", "", "兰苑路9号"),
        ("联络员账号", "liaison_a", "liaison_a、unit7"),
    ]
    assert changes.new_rows[0][1][1] == "刘家堡供水所"
    assert not MemberUnit.objects.filter(name="刘家堡供水所").exists()
    assert list(aw.unit_a.liaisons.values_list("username", flat=True)) == ["liaison_a"]


def test_an_unchanged_unit_sheet_is_previewed_as_unchanged(aw):
    headers = ["所在街道或社区编码", "单位名称", "单位类型"]
    data = tablib.Dataset([aw.world.community_a.code, aw.unit_a.name, "学校"], headers=headers)
    changes = MemberUnitResource(user=aw.world.street_staff).import_data(data, dry_run=True).changes
    assert changes.counts["unchanged"] == 1 and not changes.updated_rows
