import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from points.services import points_award, points_rollup
from portal.months import month_start
from tests.factories import MemberUnitFactory, VisitFactory, VolunteerFactory


def _award(subject, hours, rule="activity_hour"):
    return points_award(rule_code=rule, subject=subject, source=VisitFactory(), quantity=hours)


@pytest.fixture
def ranked(crew, world, settings):
    settings.VOLUNTEER_STARS_TOP_N = 2
    star = VolunteerFactory(community=world.community_b, name="明星")
    _award(star, 10)
    _award(crew.member, 4)
    _award(VolunteerFactory(community=world.community_a, name="第三名"), 1)
    _award(VolunteerFactory(community=world.community_c, name="别的街道"), 50)
    _award(MemberUnitFactory(grid=world.street, name="区人民医院"), 1, rule="meeting_attended")
    points_rollup(months=[month_start(timezone.localdate())])
    return star


def test_volunteers_see_the_stars_of_their_street(ranked, crew, login):
    html = login(crew.member_user).get(reverse("points:stars")).content.decode()
    assert "明星" in html and "李志愿" in html
    assert "第三名" not in html  # top 2 only
    assert "别的街道" not in html
    assert "区人民医院" in html  # unit of the month


def test_me_shows_my_hours_points_and_rank(ranked, crew, login):
    html = login(crew.member_user).get(reverse("dashboard:me")).content.decode()
    assert "本月积分" in html and "<b>8</b>" in html
    assert "街道第 2 名" in html


def test_someone_with_no_street_cannot_see_a_board(world, login):
    assert login(world.volunteer).get(reverse("points:stars")).status_code == 403


def test_staff_see_their_street_and_a_superuser_may_pick_one(ranked, world, login):
    assert "明星" in login(world.street_staff).get(reverse("points:stars")).content.decode()
    html = (
        login(world.superuser)
        .get(reverse("points:stars"), {"street": world.other_street.pk})
        .content.decode()
    )
    assert "别的街道" in html and "明星" not in html


def test_a_volunteer_cannot_pick_another_street(ranked, crew, world, login):
    html = (
        login(crew.member_user)
        .get(reverse("points:stars"), {"street": world.other_street.pk})
        .content.decode()
    )
    assert "别的街道" not in html and "明星" in html


def test_me_without_a_volunteer_record_has_no_volunteer_section(world, login):
    html = login(world.gridworker_a).get(reverse("dashboard:me")).content.decode()
    assert "本月积分" not in html


def test_the_year_board_adds_up_the_months(crew, world, login, settings, monkeypatch):
    if timezone.localdate().month == 1:  # no earlier month this year yet: run a month later
        later = timezone.now() + datetime.timedelta(days=31)
        monkeypatch.setattr(timezone, "now", lambda: later)
    today = timezone.localdate()
    earlier = timezone.make_aware(datetime.datetime(today.year, today.month - 1, 5, 10))
    points_award(
        rule_code="activity_hour", subject=crew.member, source=VisitFactory(), occurred_at=earlier, quantity=3
    )
    _award(crew.member, 1)
    points_rollup(months=[month_start(today)])
    html = login(crew.member_user).get(reverse("dashboard:me")).content.decode()
    assert "<b>8</b>" in html  # 6 last month + 2 this month, this year
