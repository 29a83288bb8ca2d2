"""The monthly joint-meeting report: what a month's snapshot holds, that it stays frozen,
and that building a month again replaces that month only."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliances import services as alliance_services
from alliances.models import Alliance, ProjectUpdate, unit_name_key
from portal.months import parse_month
from reports import services
from reports.build import SCHEMA_VERSION, build_report_data
from reports.models import MonthlyReport
from reports.present import present
from tests.alliances.report_world import FEBRUARY, MARCH, at
from tests.factories import (
    ClaimFactory,
    MemberUnitFactory,
    ProjectFactory,
    VolunteerFactory,
    WishFactory,
)
from wishes.models import Wish

BUILT_AT = at(4, 1, 2)


def build(alliance, first_day=MARCH, **kwargs):
    kwargs.setdefault("via", MonthlyReport.BuiltVia.COMMAND)
    kwargs.setdefault("now", BUILT_AT)
    return services.report_build(alliance=alliance, month=first_day, **kwargs)


def by_unit(rows, name):
    return next(r for r in rows if r["unit"] == name)


def test_the_report_holds_the_months_chair_meetings_and_attendance(march):
    data = build(march.alliance).data
    assert data["schema"] == SCHEMA_VERSION
    assert data["month"] == "2026-03"
    assert data["complete"] is True
    assert data["chair"]["name"] == "街道供电所"
    assert [m["name"] for m in data["members"]] == ["兰苑小学", "金港医院(东院)", "街道供电所"]
    assert [m["is_chair"] for m in data["members"]] == [False, False, True]
    [meeting] = data["meetings"]
    assert meeting["title"] == "2026年3月联席会议"
    assert meeting["held_at"] == "2026-03-12 14:30"
    assert (meeting["present"], meeting["excused"], meeting["absent"]) == (2, 1, 0)
    assert data["summary"]["meetings_held"] == 1
    assert data["summary"]["attendance_rate"] == 67


def test_projects_show_their_progress_and_what_changed_in_the_month(march):
    data = build(march.alliance).data
    titles = [p["title"] for p in data["projects"]]
    # Finished in February, or of the other street: not in March's report.
    assert titles == ["四点半课堂", "楼道照明改造"]
    classroom, lights = data["projects"]
    assert classroom["lead_unit"] == "兰苑小学"
    assert classroom["partners"] == ["金港医院(东院)"]
    assert (classroom["status_at_start"], classroom["status"]) == ("in_progress", "in_progress")
    assert (classroom["progress_at_start"], classroom["progress"]) == (30, 60)
    assert [u["text"] for u in classroom["updates"]] == [
        "三月开展两次课后辅导"
    ]  # not February's, not April's
    assert (lights["status_at_start"], lights["status"]) == ("in_progress", "completed")
    assert (lights["progress_at_start"], lights["progress"]) == (20, 100)
    assert [(c["from"], c["to"]) for c in lights["changes"]] == [("in_progress", "completed")]
    assert data["summary"]["projects_active"] == 1
    assert data["summary"]["projects_completed"] == 1
    assert by_unit(data["unit_projects"], "金港医院(东院)") == {
        "unit_id": march.aw.unit_b.pk,
        "unit": "金港医院(东院)",
        "led": 1,
        "partnered": 1,
        "updates": 0,
    }


def test_needs_matched_in_the_month_and_those_still_open(march):
    needs = build(march.alliance).data["needs"]
    assert [n["title"] for n in needs["matched"]] == ["四点半课堂教室"]
    assert needs["closed"] == []
    assert [(n["title"], n["priority"]) for n in needs["open"]] == [("电动车充电设施", "hot")]


def test_wishes_and_hours_count_for_the_unit_and_its_party_members(march):
    data = build(march.alliance).data
    school = by_unit(data["wishes"], "兰苑小学")
    assert (school["unit_claimed"], school["unit_fulfilled"], school["members_claimed"]) == (1, 1, 0)
    hospital = by_unit(data["wishes"], "金港医院(东院)")
    # The doctor's claim counts; the resident with the same work unit is no party member.
    assert (hospital["unit_claimed"], hospital["members_claimed"]) == (0, 1)
    assert data["party_members"] == [
        {
            "unit_id": march.aw.unit_b.pk,
            "unit": "金港医院(东院)",
            "members": 1,
            "serving": 1,
            "records": 1,
            "hours": "3.5",  # verified hours only
        }
    ]
    assert data["summary"]["wishes_claimed"] == 2
    assert data["summary"]["party_hours"] == "3.5"


def test_points_and_ranks_come_from_the_rollup(march):
    points = build(march.alliance).data["points"]
    assert points["closed"] is True
    assert [(r["unit"], r["points"], r["rank"]) for r in points["rows"]] == [
        ("兰苑小学", "12.00", 1),
        ("街道供电所", "5.00", 3),
        ("金港医院(东院)", "0.00", None),
    ]


def test_problems_raised_and_their_follow_up_in_the_month(march):
    data = build(march.alliance).data
    [problem] = data["problems"]
    assert problem["description"] == "学校门口上下学时段交通拥堵"
    assert problem["owner"] == "街道供电所"
    assert problem["status"] == "in_progress"
    assert [f["note"] for f in problem["follow_ups"]] == ["已与交警对接"]
    assert data["summary"]["problems_open"] == 1


def test_a_built_report_stays_as_it_was_when_live_data_changes(march):
    report = build(march.alliance)
    before = report.data
    march.classroom.title = "改名后的项目"
    march.classroom.save(update_fields=["title"])
    ProjectUpdate.objects.create(
        project=march.classroom,
        posted_by=march.aw.world.street_staff,
        posted_at=at(3, 22),
        text="补录的三月进展",
        progress_percent=70,
    )
    march.hot.delete()
    march.aw.unit_s.name = "改名的供电所"
    march.aw.unit_s.save(update_fields=["name"])

    report.refresh_from_db()
    assert report.data == before
    shown = present(report.data)
    assert shown["projects"][0]["title"] == "四点半课堂"
    assert shown["chair"]["name"] == "街道供电所"


def test_building_a_month_again_replaces_it_and_leaves_other_months_alone(march):
    february = build(march.alliance, FEBRUARY)
    first = build(march.alliance)
    march.classroom.title = "四点半课堂（二期）"
    march.classroom.save(update_fields=["title"])

    again = build(
        march.alliance, via=MonthlyReport.BuiltVia.PAGE, actor=march.aw.world.street_staff, now=at(4, 3)
    )

    assert again.pk == first.pk
    assert MonthlyReport.objects.filter(alliance=march.alliance, month=MARCH).count() == 1
    assert again.revision == 2
    assert again.data["projects"][0]["title"] == "四点半课堂（二期）"
    assert (again.built_via, again.built_by, again.built_at) == (
        "page",
        march.aw.world.street_staff,
        at(4, 3),
    )
    old = MonthlyReport.objects.get(pk=february.pk)
    assert (old.data, old.revision, old.built_at) == (february.data, 1, february.built_at)
    assert old.data["projects"][0]["title"] == "四点半课堂"


def test_a_month_not_yet_over_is_reported_as_of_the_build(march):
    data = build(march.alliance, now=at(3, 21, 9)).data
    assert data["complete"] is False
    assert data["as_of"] == "2026-03-21 09:00"
    classroom = data["projects"][0]
    assert classroom["progress"] == 60
    lights = data["projects"][1]
    assert lights["status"] == "in_progress"  # completed on the 25th, after the build


def test_a_future_month_is_refused(march):
    with pytest.raises(ValidationError, match="未来"):
        build(march.alliance, datetime.date(2026, 5, 1))
    assert not MonthlyReport.objects.exists()


def test_only_staff_over_the_alliance_build_it_from_a_page(march):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        build(march.alliance, actor=march.aw.liaison_a, via=MonthlyReport.BuiltVia.PAGE)
    with pytest.raises(PermissionDenied):
        build(march.alliance, actor=march.aw.other_staff, via=MonthlyReport.BuiltVia.PAGE)
    with pytest.raises(PermissionDenied):
        build(march.alliance, actor=march.aw.world.secretary_a, via=MonthlyReport.BuiltVia.PAGE)


def test_a_community_committee_reports_on_its_own_community(march):
    data = build(march.aw.committee_a).data
    assert [m["name"] for m in data["members"]] == ["兰苑小学"]
    assert [p["title"] for p in data["projects"]] == ["四点半课堂"]
    assert data["needs"]["open"] == []  # the hot need is community B's
    assert data["meetings"] == []


@pytest.mark.parametrize(
    "written, matches",
    [
        ("金港医院(东院)", True),
        (" 金港医院（东院） ", True),
        ("金港 医院(东院)", True),
        ("金港医院东院", False),
        ("金港医院", False),
    ],
)
def test_a_work_unit_matches_the_unit_name_by_its_normalised_form(written, matches):
    assert (unit_name_key(written) == unit_name_key("金港医院(东院)")) is matches


def test_a_name_two_member_units_share_counts_for_neither(march):
    twin = MemberUnitFactory(grid=march.aw.world.community_a, name="金港医院（东院）")
    alliance_services.membership_join(alliance=march.alliance, unit=twin, joined_on=datetime.date(2024, 1, 1))
    data = build(march.alliance).data
    assert data["party_members"] == []
    assert all(r["members_claimed"] == 0 for r in data["wishes"])


def test_building_makes_the_same_number_of_queries_however_big_the_alliance(march):
    alliance = Alliance.objects.select_related("grid").get(pk=march.alliance.pk)
    build_report_data(alliance, MARCH, now=BUILT_AT)  # warm the content-type cache
    with CaptureQueriesContext(connection) as small:
        build_report_data(alliance, MARCH, now=BUILT_AT)

    w = march.aw.world
    for n in range(6):
        unit = MemberUnitFactory(grid=w.community_a, name=f"新成员单位{n}")
        alliance_services.membership_join(
            alliance=march.alliance, unit=unit, joined_on=datetime.date(2025, 1, 1)
        )
        project = ProjectFactory(
            alliance=march.alliance, community=w.community_a, lead_unit=unit, created_at=at(2, 1)
        )
        project.partner_units.add(march.aw.unit_a)
        ProjectUpdate.objects.create(
            project=project,
            unit=unit,
            posted_by=w.street_staff,
            posted_at=at(3, 3),
            text="进展",
            progress_percent=10,
        )
        member = VolunteerFactory(community=w.community_a, is_party_member=True, work_unit=unit.name)
        wish = WishFactory(grid=w.grid_a, status=Wish.Status.CLAIMED, claimed_count=1)
        ClaimFactory(wish=wish, volunteer=member, claimed_by=w.street_staff, claimed_at=at(3, 4))
    with CaptureQueriesContext(connection) as big:
        data = build_report_data(alliance, MARCH, now=BUILT_AT)
    assert len(data["members"]) == 9 and len(data["projects"]) == 8
    assert len(big.captured_queries) == len(small.captured_queries)


def test_parse_month_explains_what_is_wrong():
    now = timezone.make_aware(datetime.datetime(2026, 3, 15, 12))
    assert parse_month("2026-03", now) == MARCH
    for text in ("2026-3", "2026-13", "26-03", "2026-03-01", "", "abcd-ef"):
        with pytest.raises(ValueError, match="YYYY-MM"):
            parse_month(text, now)
    with pytest.raises(ValueError, match="未来"):
        parse_month("2026-04", now)
    with pytest.raises(ValueError, match="2000"):
        parse_month("1999-12", now)
