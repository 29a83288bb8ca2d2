"""The rotating chair: fair round robin, skipping leavers, swaps, one chair a month."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from alliances import services
from alliances.models import ChairSwap, ChairTerm, JointMeeting, Membership
from tests.alliances.conftest import join
from tests.factories import AllianceFactory, JointMeetingFactory, MemberUnitFactory

JAN = datetime.date(2026, 1, 1)


def months(alliance):
    return [(t.month.strftime("%Y-%m"), t.unit.name) for t in ChairTerm.objects.filter(alliance=alliance)]


@pytest.fixture
def alliance(world):
    """Four members joined on different days; 乙 and 丙 on the same day (the name decides)."""
    alliance = AllianceFactory(grid=world.street)
    for name, joined in [
        ("丁单位", datetime.date(2024, 5, 1)),
        ("甲单位", datetime.date(2024, 1, 1)),
        ("丙单位", datetime.date(2024, 3, 1)),
        ("乙单位", datetime.date(2024, 3, 1)),
    ]:
        join(alliance, MemberUnitFactory(grid=world.street, name=name), joined)
    return alliance


def names(alliance):
    return [name for _month, name in months(alliance)]


def test_it_rotates_in_joining_order_then_name_each_unit_once_a_round(alliance):
    services.chair_schedule_generate(alliance=alliance, start=JAN, months=8)
    # 乙 and 丙 joined the same day: 丙 (U+4E19) sorts before 乙 (U+4E59).
    assert names(alliance) == ["甲单位", "丙单位", "乙单位", "丁单位"] * 2
    assert months(alliance)[0][0] == "2026-01"


def test_generating_again_changes_nothing_and_later_months_continue_the_rotation(alliance):
    services.chair_schedule_generate(alliance=alliance, start=JAN, months=3)
    assert services.chair_schedule_generate(alliance=alliance, start=JAN, months=3) == []
    services.chair_schedule_generate(alliance=alliance, start=JAN, months=6)
    assert names(alliance) == ["甲单位", "丙单位", "乙单位", "丁单位", "甲单位", "丙单位"]


def test_it_skips_units_that_have_left_or_join_during_the_month(alliance, world):
    gone = Membership.objects.get(alliance=alliance, unit__name="丙单位")
    gone.left_on = datetime.date(2025, 12, 1)
    gone.save()
    late = MemberUnitFactory(grid=world.street, name="戊单位")
    join(alliance, late, datetime.date(2026, 2, 15))  # not a member for all of February
    services.chair_schedule_generate(alliance=alliance, start=JAN, months=6)
    assert names(alliance) == ["甲单位", "乙单位", "丁单位", "戊单位", "甲单位", "乙单位"]


def test_a_unit_leaving_hands_its_future_months_on_and_past_months_stay(alliance):
    services.chair_schedule_generate(alliance=alliance, start=JAN, months=8)
    leaving = Membership.objects.get(alliance=alliance, unit__name="乙单位")
    services.membership_leave(
        membership=leaving, left_on=datetime.date(2026, 3, 20), today=datetime.date(2026, 3, 5)
    )
    assert names(alliance) == ["甲单位", "丙单位", "丁单位", "甲单位", "丙单位", "丁单位", "甲单位", "丙单位"]
    assert "乙单位" not in names(alliance)[2:]


def test_a_newcomer_takes_its_turn_at_the_end_of_the_current_round(alliance, world):
    services.chair_schedule_generate(alliance=alliance, start=JAN, months=2)  # 甲, 丙
    join(alliance, MemberUnitFactory(grid=world.street, name="戊单位"), datetime.date(2026, 2, 10))
    services.chair_schedule_generate(alliance=alliance, start=JAN, months=7)
    assert names(alliance) == ["甲单位", "丙单位", "乙单位", "丁单位", "戊单位", "甲单位", "丙单位"]


def test_a_swap_across_rounds_does_not_give_a_unit_two_turns_in_a_row(alliance):
    services.chair_schedule_generate(alliance=alliance, start=JAN, months=5)  # 甲 丙 乙 丁 甲
    services.chair_swap(
        alliance=alliance,
        first_month=datetime.date(2026, 4, 1),
        second_month=datetime.date(2026, 5, 1),
        actor=_staff(alliance),
        today=JAN,
    )
    services.chair_schedule_generate(alliance=alliance, start=JAN, months=8)
    # April's 甲 opened a new round; 丁 (May) has had its turn in it, so 丙 and 乙 follow.
    assert names(alliance) == ["甲单位", "丙单位", "乙单位", "甲单位", "丁单位", "丙单位", "乙单位", "甲单位"]


def test_after_a_swap_no_unit_chairs_again_before_one_that_waited_longer(alliance):
    services.chair_schedule_generate(alliance=alliance, start=JAN, months=4)  # 甲 丙 乙 丁
    staff = _staff(alliance)
    services.chair_swap(
        alliance=alliance,
        first_month=datetime.date(2026, 3, 1),
        second_month=datetime.date(2026, 4, 1),
        actor=staff,
        today=JAN,
    )
    services.chair_schedule_generate(alliance=alliance, start=JAN, months=6)
    assert names(alliance) == ["甲单位", "丙单位", "丁单位", "乙单位", "甲单位", "丙单位"]


def _staff(alliance):
    from portal.models import User

    return User.objects.get(username="street")


def test_staff_swap_two_months_and_the_swap_is_recorded(aw):
    alliance = aw.street_alliance
    services.chair_schedule_generate(alliance=alliance, start=JAN, months=3)
    before = names(alliance)
    planned = JointMeetingFactory(
        alliance=alliance,
        chair_unit=ChairTerm.objects.get(alliance=alliance, month=JAN).unit,
        held_at=datetime.datetime(2026, 1, 20, 14, 30, tzinfo=datetime.UTC),
    )
    services.chair_swap(
        alliance=alliance,
        first_month=JAN,
        second_month=datetime.date(2026, 3, 1),
        actor=aw.world.street_staff,
        reason="一月单位有检查",
        today=JAN,
    )
    after = names(alliance)
    assert after == [before[2], before[1], before[0]]
    swap = ChairSwap.objects.get()
    assert (swap.first_unit.name, swap.second_unit.name, swap.reason) == (
        before[0],
        before[2],
        "一月单位有检查",
    )
    planned.refresh_from_db()
    assert planned.chair_unit.name == after[0]  # a meeting not yet held follows the schedule


@pytest.mark.parametrize(
    "first, second, today, message",
    [
        (datetime.date(2026, 1, 1), datetime.date(2026, 1, 1), JAN, "不同的月份"),
        (datetime.date(2026, 1, 1), datetime.date(2026, 2, 1), datetime.date(2026, 2, 3), "已经过去"),
        (datetime.date(2026, 1, 1), datetime.date(2027, 1, 1), JAN, "还没有都排好"),
    ],
)
def test_swap_refuses_bad_months_and_changes_nothing(aw, first, second, today, message):
    services.chair_schedule_generate(alliance=aw.street_alliance, start=JAN, months=3)
    before = names(aw.street_alliance)
    with pytest.raises(ValidationError) as raised:
        services.chair_swap(
            alliance=aw.street_alliance,
            first_month=first,
            second_month=second,
            actor=aw.world.street_staff,
            today=today,
        )
    assert message in " ".join(raised.value.messages)
    assert names(aw.street_alliance) == before
    assert not ChairSwap.objects.exists()


def test_swap_refuses_a_unit_that_is_not_a_member_in_the_other_month(aw):
    alliance = aw.street_alliance
    services.chair_schedule_generate(alliance=alliance, start=JAN, months=3)
    third = ChairTerm.objects.get(alliance=alliance, month=datetime.date(2026, 3, 1))
    membership = Membership.objects.get(
        alliance=alliance, unit=ChairTerm.objects.get(alliance=alliance, month=JAN).unit
    )
    membership.left_on = datetime.date(2026, 2, 15)
    membership.save()
    with pytest.raises(ValidationError, match="不是全月在联盟内的成员"):
        services.chair_swap(
            alliance=alliance,
            first_month=JAN,
            second_month=third.month,
            actor=aw.world.street_staff,
            today=JAN,
        )


@pytest.mark.parametrize("who", ["liaison_a", "secretary_a", "other_staff"])
def test_only_staff_over_the_alliance_may_swap(aw, who):
    services.chair_schedule_generate(alliance=aw.street_alliance, start=JAN, months=2)
    user = getattr(aw, who, None) or getattr(aw.world, who)
    with pytest.raises(PermissionDenied):
        services.chair_swap(
            alliance=aw.street_alliance,
            first_month=JAN,
            second_month=datetime.date(2026, 2, 1),
            actor=user,
            today=JAN,
        )


def test_the_database_holds_one_chair_per_alliance_and_month(aw):
    ChairTerm.objects.create(alliance=aw.street_alliance, month=JAN, unit=aw.unit_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChairTerm.objects.create(alliance=aw.street_alliance, month=JAN, unit=aw.unit_b)
    # Another alliance may have its own chair that month.
    ChairTerm.objects.create(alliance=aw.committee_a, month=JAN, unit=aw.unit_a)


def test_the_database_refuses_a_month_that_is_not_a_first_day(aw):
    with pytest.raises(IntegrityError), transaction.atomic():
        ChairTerm.objects.create(
            alliance=aw.street_alliance, month=datetime.date(2026, 1, 15), unit=aw.unit_a
        )


def test_it_says_so_when_no_unit_can_chair(world):
    empty = AllianceFactory(grid=world.community_b)
    with pytest.raises(ValidationError, match="无法安排轮值主席"):
        services.chair_schedule_generate(alliance=empty, start=JAN, months=1)
    assert not ChairTerm.objects.exists()


# --- the pages ------------------------------------------------------------------------------


def test_staff_generate_and_swap_from_the_alliance_page(aw, login):
    client = login(aw.world.street_staff)
    url = reverse("alliances:chair_generate", args=[aw.street_alliance.pk])
    this_month = datetime.date.today().replace(day=1)
    response = client.post(url, {"start": f"{this_month:%Y-%m}", "months": "3"})
    assert response.status_code == 302
    assert ChairTerm.objects.filter(alliance=aw.street_alliance).count() == 3
    page = client.get(reverse("alliances:alliance_detail", args=[aw.street_alliance.pk]))
    assert "轮值主席" in page.content.decode()
    terms = list(ChairTerm.objects.filter(alliance=aw.street_alliance))
    response = client.post(
        reverse("alliances:chair_swap", args=[aw.street_alliance.pk]),
        {"first_month": terms[0].month.isoformat(), "second_month": terms[2].month.isoformat(), "reason": ""},
    )
    assert response.status_code == 302
    assert ChairTerm.objects.get(pk=terms[0].pk).unit_id == terms[2].unit_id


def test_a_bad_month_on_the_page_gets_a_message_and_changes_nothing(aw, login):
    client = login(aw.world.street_staff)
    response = client.post(
        reverse("alliances:chair_generate", args=[aw.street_alliance.pk]), {"start": "2026-13", "months": "3"}
    )
    assert response.status_code == 400
    assert "月份请写成" in response.content.decode()
    assert not ChairTerm.objects.exists()


def test_a_liaison_sees_the_schedule_but_cannot_change_it(aw, login):
    client = login(aw.liaison_a)
    assert client.get(reverse("alliances:alliance_detail", args=[aw.street_alliance.pk])).status_code == 200
    response = client.post(
        reverse("alliances:chair_generate", args=[aw.street_alliance.pk]), {"start": "2026-01", "months": "3"}
    )
    assert response.status_code == 403
    assert not ChairTerm.objects.exists()


def test_staff_of_another_street_do_not_find_the_alliance(aw, login):
    client = login(aw.other_staff)
    assert client.get(reverse("alliances:alliance_detail", args=[aw.street_alliance.pk])).status_code == 404
    response = client.post(
        reverse("alliances:chair_generate", args=[aw.street_alliance.pk]), {"start": "2026-01", "months": "3"}
    )
    assert response.status_code == 404
    assert not ChairTerm.objects.exists()


def test_meetings_take_the_chair_of_their_month(aw):
    services.chair_schedule_generate(alliance=aw.street_alliance, start=JAN, months=2)
    meeting = services.meeting_schedule(
        alliance=aw.street_alliance,
        held_at=datetime.datetime(2026, 2, 12, 6, 30, tzinfo=datetime.UTC),
        agenda="议程",
        actor=aw.world.street_staff,
    )
    assert (
        meeting.chair_unit
        == ChairTerm.objects.get(alliance=aw.street_alliance, month=datetime.date(2026, 2, 1)).unit
    )
    assert meeting.title == "2026年2月联席会议"
    assert meeting.status == JointMeeting.Status.PLANNED
