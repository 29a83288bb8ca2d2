"""A case becomes a wish and a wish a case, keeping the history and the resident's code; a visit's follow-up in one tap."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, CaseState, Source
from grids.services import visit_log
from portal.models import User
from wishes import services as wish_services
from wishes.models import Wish, WishEvent


def _u(user):
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_a_case_that_is_a_personal_need_becomes_a_wish_with_the_same_code(world, setup, reported):
    wish = services.case_to_wish(case=reported, by=_u(world.secretary_a))
    reported.refresh_from_db()
    assert wish.code == reported.code and reported.state == CaseState.TO_WISH and reported.wish == wish
    assert wish.phone == reported.reporter_phone and wish.status == Wish.Status.SUBMITTED
    assert list(CaseEvent.objects.filter(case=reported).values_list("action", flat=True)) == [
        "report",
        "to_wish",
    ]


@pytest.mark.django_db
def test_a_wish_that_is_a_grid_problem_becomes_a_case_with_the_same_code(world, setup):
    wish = wish_services.wish_submit(
        name="李秀兰",
        phone="13700003333",
        grid=world.grid_a,
        category=Wish.Category.OTHER,
        text="楼道的灯坏了好久，晚上看不见路",
        wanted_by=timezone.localdate() + datetime.timedelta(days=10),
    )
    case = services.case_from_wish(by=_u(world.secretary_a), wish=wish, category=setup.env)
    wish.refresh_from_db()
    assert case.code == wish.code and case.source == Source.WISH and case.wish == wish
    assert wish.status == Wish.Status.REJECTED and "网格事件" in wish.reject_reason
    assert WishEvent.objects.filter(wish=wish).count() == 2  # its history stays
    with pytest.raises(ValidationError):
        services.case_from_wish(by=_u(world.secretary_a), wish=wish, category=setup.env)
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_a_visit_follow_up_becomes_a_case_in_one_tap(world, setup, login):
    visit = visit_log(
        visitor=world.gridworker_a,
        household=world.household_a,
        method="in_person",
        findings="楼上漏水到楼下，物业不管",
        follow_up_needed=True,
    )
    client = login(world.gridworker_a)
    response = client.post(reverse("cases:from_visit", args=[visit.pk]), {"category": setup.env.pk})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.visit == visit and case.household == world.household_a and case.source == Source.VISIT
    again = client.post(reverse("cases:from_visit", args=[visit.pk]), {"category": setup.env.pk}, follow=True)
    assert "已经转为事件" in again.content.decode() and Case.objects.count() == 1


@pytest.mark.django_db
def test_a_tampered_category_on_the_visit_page_is_refused(world, setup, login):
    visit = visit_log(
        visitor=world.gridworker_a,
        household=world.household_a,
        method="phone",
        findings="需要跟进的问题",
        follow_up_needed=True,
    )
    response = login(world.gridworker_a).post(
        reverse("cases:from_visit", args=[visit.pk]), {"category": setup.other_category.pk}
    )
    assert response.status_code == 200 and "请从列表中选择事件类别" in response.content.decode()
    assert not Case.objects.exists()
