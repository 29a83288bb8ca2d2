"""The staff dashboard: its numbers for a small world, its scoping, its cache, its files and its charts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from alliances.models import Need, Project
from dashboard.numbers import compute_dashboard
from grids.models import Grid, Household, Visit
from points.models import PeriodKind, PointsPeriod, PointsTotal, SubjectKind
from tests.factories import (
    ActivityFactory,
    HouseholdFactory,
    MemberUnitFactory,
    NeedFactory,
    ProjectFactory,
    VisitFactory,
    VolunteerFactory,
    VolunteerTeamFactory,
    WishFactory,
    record_for,
)
from tests.utils import requires_chromium
from volunteers.models import Volunteer
from wishes.models import Wish

NOW = timezone.make_aware(datetime.datetime(2026, 3, 18, 12, 0))  # a Wednesday


def fresh(node):
    """The node as stored now: the fixture's copy has the tree numbers from before its children."""
    return Grid.objects.get(pk=node.pk)


def _at(days_ago, hour=10):
    return NOW.replace(hour=hour) - datetime.timedelta(days=days_ago)


def _total(subject, street, points, month=datetime.date(2026, 2, 1)):
    grid = subject.community if isinstance(subject, Volunteer) else subject.grid
    return PointsTotal.objects.create(
        period_kind=PeriodKind.MONTH,
        period_start=month,
        street=street,
        grid=grid,
        subject_kind=SubjectKind.PERSON if isinstance(subject, Volunteer) else SubjectKind.UNIT,
        subject_type=ContentType.objects.get_for_model(type(subject)),
        subject_id=subject.pk,
        points=Decimal(points),
        entries=1,
        last_at=NOW,
    )


@pytest.fixture
def numbers(world, settings):
    """Households, visits, wishes, hours, points, needs and projects in communities A and B, and one
    of each in street T, dated around NOW."""
    settings.VISIT_OVERDUE_DAYS = 30
    w = world
    for category in ("solitary", "solitary", "poor"):
        HouseholdFactory(building=w.building_a, category=category)
    HouseholdFactory(building=w.building_b, category="disabled")
    HouseholdFactory(building__grid=w.grid_c, category="solitary")
    for days in (1, 2):
        VisitFactory(household=w.household_a, visited_at=_at(days))
    VisitFactory(household=w.household_a, visited_at=_at(21))
    VisitFactory(household=w.household_b, visited_at=_at(0, 9))
    VisitFactory(household=Household.objects.filter(grid=w.grid_c).first(), visited_at=_at(1))

    def wish(grid, status, **kwargs):
        return WishFactory(grid=grid, status=status, **kwargs)

    wish(w.grid_a, Wish.Status.SUBMITTED)
    wish(w.grid_a, Wish.Status.REJECTED)
    wish(w.grid_a, Wish.Status.PUBLISHED, overdue_at=NOW)
    wish(w.grid_a, Wish.Status.PUBLISHED)
    wish(w.grid_a, Wish.Status.CLAIMED, claimed_count=1)
    wish(w.grid_a, Wish.Status.FULFILLED, claimed_count=1, fulfilled_at=NOW)
    wish(w.grid_a, Wish.Status.CONFIRMED, claimed_count=1, fulfilled_at=NOW)
    wish(w.grid_a, Wish.Status.CLOSED, claimed_count=1, fulfilled_at=NOW)  # fulfilled, not confirmed in time
    wish(w.grid_a, Wish.Status.CLOSED)  # closed by staff, nobody claimed it
    wish(w.grid_b, Wish.Status.SUBMITTED)
    wish(w.grid_c, Wish.Status.CONFIRMED, claimed_count=1, fulfilled_at=NOW)

    star = VolunteerFactory(community=w.community_a, name="覃英")
    helper = VolunteerFactory(community=w.community_b, name="闫刚强")
    far = VolunteerFactory(community=w.community_c, name="远方")
    team_a = VolunteerTeamFactory(community=w.community_a)
    team_b = VolunteerTeamFactory(community=w.community_b)
    march = ActivityFactory(team=team_a, starts_at=_at(8, 9), ends_at=_at(8, 12), signup_opens_at=_at(20))
    february = ActivityFactory(
        team=team_b, starts_at=_at(36, 9), ends_at=_at(36, 11), signup_opens_at=_at(50)
    )
    record_for(march, star, hours="3.0", verified_by=w.street_staff)
    record_for(march, helper, hours="2.5")  # not verified: not counted
    record_for(february, helper, hours="2.0", verified_by=w.street_staff)
    far_team = VolunteerTeamFactory(community=w.community_c)
    far_activity = ActivityFactory(
        team=far_team, starts_at=_at(8, 9), ends_at=_at(8, 12), signup_opens_at=_at(20)
    )
    record_for(far_activity, far, hours="3.0", verified_by=w.street_staff)

    unit = MemberUnitFactory(grid=w.community_a, name="兰苑小学")
    PointsPeriod.objects.create(
        kind=PeriodKind.MONTH, start=datetime.date(2026, 2, 1), computed_at=NOW, closed_at=NOW
    )
    _total(star, w.street, "30.00")
    _total(helper, w.street, "12.00")
    _total(far, w.other_street, "50.00")
    _total(unit, w.street, "8.00")

    NeedFactory(
        community=w.community_a, title="四点半课堂", priority="hot", wanted_by=datetime.date(2026, 3, 1)
    )
    NeedFactory(community=w.community_a, title="楼道照明")
    Need.objects.filter(pk=NeedFactory(community=w.community_a, title="已匹配").pk).update(status="matched")
    Need.objects.filter(pk=NeedFactory(community=w.community_b, title="已关闭").pk).update(status="closed")
    NeedFactory(community=w.community_c, title="别的街道", priority="hot")
    for community, status in (
        (w.community_a, "in_progress"),
        (w.community_a, "completed"),
        (w.community_b, "planned"),
        (w.community_c, "in_progress"),
    ):
        project = ProjectFactory(community=community)
        Project.objects.filter(pk=project.pk).update(status=status)
    return w


def test_the_street_sees_its_numbers(numbers):
    data = compute_dashboard(fresh(numbers.street), now=NOW)
    assert [node for node, _stats in data["rows"]] == [
        numbers.street,
        numbers.community_a,
        numbers.community_b,
    ]
    assert data["totals"] == {
        "households": 6,
        "vulnerable": 4,
        "visits_this_month": 3,
        "overdue": 4,  # none of the four vulnerable households was visited
        "follow_ups_open": 0,
    }
    assert dict(data["rainbow"]) == {
        "兰苑社区": {"general": 1, "solitary": 2, "poor": 1},
        "金港社区": {"general": 1, "disabled": 1},
    }
    weeks = dict(data["visits_by_week"])
    assert len(weeks) == 12
    assert weeks[datetime.date(2026, 3, 16)] == 3
    assert weeks[datetime.date(2026, 2, 23)] == 1
    assert sum(weeks.values()) == 4
    assert data["wishes"] == {
        "submitted": 10,
        "published": 7,
        "claimed": 4,
        "fulfilled": 3,
        "confirmed": 1,
        "waiting_review": 2,
        "overdue": 1,
    }
    hours = {month: (h, records) for month, h, records in data["hours_by_month"]}
    assert len(hours) == 12
    assert hours[datetime.date(2026, 3, 1)] == (Decimal("3.0"), 1)
    assert hours[datetime.date(2026, 2, 1)] == (Decimal("2.0"), 1)
    assert data["board_month"] == datetime.date(2026, 2, 1)
    assert [(v["name"], v["rank"], v["points"]) for v in data["top_volunteers"]] == [
        ("覃英", 1, Decimal("30.00")),
        ("闫刚强", 2, Decimal("12.00")),
    ]
    assert [(u["name"], u["place"]) for u in data["top_units"]] == [("兰苑小学", "兰苑社区")]
    assert data["needs"] == {"open": 2, "open_hot": 1, "open_overdue": 1, "matched": 1, "closed": 1}
    assert [n["title"] for n in data["hot_needs"]] == ["四点半课堂"]
    assert dict(data["projects"]) == {"planned": 1, "in_progress": 1, "completed": 1, "cancelled": 0}


def test_a_secretary_sees_only_their_community(numbers):
    data = compute_dashboard(fresh(numbers.community_a), now=NOW)
    assert [node for node, _stats in data["rows"]] == [numbers.community_a, numbers.grid_a]
    assert data["totals"]["households"] == 4
    assert data["wishes"]["submitted"] == 9
    assert sum(h for _m, h, _r in data["hours_by_month"]) == Decimal("3.0")
    assert [v["name"] for v in data["top_volunteers"]] == ["覃英"]
    assert data["needs"]["open"] == 2 and data["needs"]["closed"] == 0
    assert dict(data["projects"])["planned"] == 0


def test_a_superuser_sees_every_street(numbers):
    data = compute_dashboard(None, now=NOW)
    assert [node for node, _stats in data["rows"]] == [numbers.street, numbers.other_street]
    assert data["totals"]["households"] == 7
    assert data["wishes"]["submitted"] == 11
    assert [v["name"] for v in data["top_volunteers"]] == ["远方", "覃英", "闫刚强"]


def test_the_page_shows_the_scopes_numbers_and_charts(login, numbers):
    page = login(numbers.secretary_a).get("/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "兰苑社区 · 工作台" in html
    for chart in ("rainbow", "visits", "funnel", "hours", "needs", "projects"):
        assert f'id="chart-{chart}"' in html
    assert "vendor/echarts/echarts.min.js" in html and "cdn" not in html.lower()
    assert 'id="dashboard-charts"' in html  # the numbers the charts draw
    assert "金港社区" not in html
    assert (
        html.count("<details>") == 6
    )  # every chart but the rainbow's (its table is the grid table) folds its numbers, the cases too


@pytest.mark.parametrize("who", ["volunteer", "gridworker_a", "unscoped_staff"])
def test_the_dashboard_and_its_file_are_for_staff(client, login, world, who):
    assert client.get("/dashboard/numbers.xlsx").status_code == 302
    assert login(getattr(world, who)).get("/dashboard/").status_code == 403
    assert login(getattr(world, who)).get("/dashboard/numbers.xlsx").status_code == 403


def test_a_unit_liaison_gets_no_dashboard(login, world):
    from portal.roles import Role
    from tests.factories import make_user

    liaison = make_user(Role.UNIT_LIAISON, username="liaison")
    MemberUnitFactory(grid=world.community_a).liaisons.add(liaison)
    assert login(liaison).get("/dashboard/").status_code == 403


def test_the_workbook_holds_the_dashboards_numbers(login, numbers):
    response = login(numbers.street_staff).get("/dashboard/numbers.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "网格概况",
        "每周走访",
        "微心愿",
        "志愿服务时长",
        "志愿服务之星",
        "驻区单位积分",
        "需求清单",
        "项目清单",
        "网格事件",
        "事件类别",
        "响应单位报到",
    ]
    grid_rows = list(book["网格概况"].iter_rows(values_only=True))
    assert grid_rows[0][:4] == ("名称", "层级", "住户", "孤寡")
    assert [row[0] for row in grid_rows[1:]] == ["刘家堡街道", "兰苑社区", "金港社区"]
    assert grid_rows[1][2] == 6
    wishes = dict(book["微心愿"].iter_rows(min_row=2, values_only=True))
    assert wishes["认领"] == 4 and wishes["居民确认"] == 1
    stars = list(book["志愿服务之星"].iter_rows(min_row=2, values_only=True))
    assert stars[0][:2] == (1, "覃英")


def test_a_repeat_visit_comes_from_the_cache(login, numbers):
    client = login(numbers.street_staff)
    with CaptureQueriesContext(connection) as cold:
        first = client.get("/dashboard/")
    with CaptureQueriesContext(connection) as warm:
        second = client.get("/dashboard/")
    assert second.context["data"] == first.context["data"]
    assert len(warm.captured_queries) < len(cold.captured_queries) - 10


def test_a_saved_row_invalidates_its_streets_dashboards(login, numbers, django_capture_on_commit_callbacks):
    assert login(numbers.street_staff).get("/dashboard/").context["data"]["totals"]["households"] == 6
    assert login(numbers.superuser).get("/dashboard/").context["data"]["totals"]["households"] == 7
    with django_capture_on_commit_callbacks(execute=True):
        HouseholdFactory(building=numbers.building_a, category="military")
    assert login(numbers.street_staff).get("/dashboard/").context["data"]["totals"]["households"] == 7
    assert login(numbers.superuser).get("/dashboard/").context["data"]["totals"]["households"] == 8


def test_a_superusers_dashboard_recomputes_only_the_street_that_changed(
    login, numbers, django_capture_on_commit_callbacks, monkeypatch
):
    from dashboard import cache as dashboard

    client = login(numbers.superuser)
    client.get("/dashboard/")  # every street's part is cached now
    computed = []
    compute_streets = dashboard.compute_streets
    monkeypatch.setattr(
        dashboard,
        "compute_streets",
        lambda streets, **kwargs: (
            computed.append([s.pk for s in streets]) or compute_streets(streets, **kwargs)
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        HouseholdFactory(building=numbers.building_a, category="military")
        NeedFactory(community=numbers.community_a, title="新的热点", priority="hot")
    data = client.get("/dashboard/").context["data"]
    assert computed == [[numbers.street.pk]]
    # The cached part of the other street and the fresh one add up to what a full computation gives.
    full = compute_dashboard(None)
    assert {k: v for k, v in data.items() if k != "computed_at"} == {
        k: v for k, v in full.items() if k != "computed_at"
    }
    assert data["totals"]["households"] == 8


def test_a_write_in_another_street_leaves_this_streets_numbers_cached(
    login, numbers, django_capture_on_commit_callbacks
):
    before = login(numbers.secretary_a).get("/dashboard/").context["data"]
    with django_capture_on_commit_callbacks(execute=True):
        NeedFactory(community=numbers.community_c, title="又一个")
    assert (
        login(numbers.secretary_a).get("/dashboard/").context["data"]["computed_at"] == before["computed_at"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        NeedFactory(community=numbers.community_a, title="再一个")
    assert login(numbers.secretary_a).get("/dashboard/").context["data"]["needs"]["open"] == 3


def test_a_bulk_write_shows_when_the_entry_expires(login, numbers):
    client = login(numbers.street_staff)
    assert client.get("/dashboard/").context["data"]["needs"]["closed"] == 1
    Need.objects.filter(community=numbers.community_a).update(status="closed")  # no signals
    assert client.get("/dashboard/").context["data"]["needs"]["closed"] == 1
    from django.core.cache import cache

    cache.clear()  # what the expiry after DASHBOARD_CACHE_SECONDS does
    assert client.get("/dashboard/").context["data"]["needs"]["closed"] == 4


def test_claims_and_visits_invalidate_too(login, numbers, django_capture_on_commit_callbacks):
    from tests.factories import ClaimFactory

    client = login(numbers.street_staff)
    before = client.get("/dashboard/").context["data"]
    with django_capture_on_commit_callbacks(execute=True):
        ClaimFactory(wish=Wish.objects.filter(grid=numbers.grid_a, status=Wish.Status.CLAIMED).first())
    assert client.get("/dashboard/").context["data"]["computed_at"] != before["computed_at"]
    during = client.get("/dashboard/").context["data"]
    with django_capture_on_commit_callbacks(execute=True):
        Visit.objects.filter(grid=numbers.grid_a).first().delete()
    assert client.get("/dashboard/").context["data"]["computed_at"] != during["computed_at"]


@requires_chromium
def test_the_charts_draw_on_a_phone(phone_page, numbers):
    from tests.utils import sign_in

    sign_in(phone_page, "street")
    phone_page.goto("/dashboard/")
    for chart in ("rainbow", "visits", "funnel", "hours", "needs", "projects"):
        phone_page.wait_for_selector(f"#chart-{chart} svg, #chart-{chart} canvas", state="attached")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    phone_page.shoot("dashboard-phone")


def test_member_units_count_once_per_street(numbers):
    # A unit is ranked in its street; the superuser's board lists it with its street.
    data = compute_dashboard(None, now=NOW)
    assert [(u["name"], u["street"], u["rank"]) for u in data["top_units"]] == [("兰苑小学", "刘家堡街道", 1)]
    # Every street's volunteers ranked in their own street: the far street's first is 1 there too.
    assert [(v["points"], v["rank"]) for v in data["top_volunteers"]] == [
        (Decimal("50.00"), 1),
        (Decimal("30.00"), 1),
        (Decimal("12.00"), 2),
    ]
