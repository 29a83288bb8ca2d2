"""The secretary's and the street's steps through the pages, and pages whose cost does not grow with the list."""

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case, CaseState
from portal.models import User
from wishes.models import Wish


def _u(user):
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_the_secretary_verifies_or_sends_back_through_the_page(world, setup, reported, login):
    worker = _u(world.gridworker_a)
    services.case_accept(case=reported, by=worker)
    services.case_finish(case=reported, by=worker, result="已清理")
    client = login(world.secretary_a)
    page = client.get(reverse("cases:detail", args=[reported.pk])).content.decode()
    assert "form-verify" in page
    bad = client.post(reverse("cases:act", args=[reported.pk, "redo"]), {"reason": ""}, follow=True)
    assert "请写明原因" in bad.content.decode()
    assert Case.objects.get(pk=reported.pk).state == CaseState.DONE
    client.post(reverse("cases:act", args=[reported.pk, "redo"]), {"reason": "现场还有垃圾"})
    assert Case.objects.get(pk=reported.pk).state == CaseState.REPORTED
    # A grid worker may not verify (nor see the button).
    services.case_accept(case=reported, by=worker)
    services.case_finish(case=reported, by=worker, result="这次清理干净了")
    assert (
        "form-verify"
        not in login(world.gridworker_a).get(reverse("cases:detail", args=[reported.pk])).content.decode()
    )
    refused = login(world.gridworker_a).post(reverse("cases:act", args=[reported.pk, "verify"]), follow=True)
    assert "只有本社区书记或街道工作人员可以核实" in refused.content.decode()
    client = login(world.secretary_a)  # the test client is shared: sign the secretary in again
    client.post(reverse("cases:act", args=[reported.pk, "verify"]), {"note": "现场看过"})
    assert Case.objects.get(pk=reported.pk).state == CaseState.VERIFIED


@pytest.mark.django_db
def test_the_street_supervises_merges_and_turns_a_case_into_a_wish_through_the_page(
    world, setup, reported, login
):
    client = login(world.street_staff)
    client.post(reverse("cases:act", args=[reported.pk, "supervise"]), {"note": "请今天内处理"})
    assert Case.objects.get(pk=reported.pk).supervised_count == 1
    other = services.case_report_resident(
        grid=world.grid_a, category=setup.env, description="同一处垃圾，邻居也反映了", phone="13911112222"
    )
    wrong = client.post(reverse("cases:act", args=[other.pk, "merge"]), {"into": "NOPE2345NOPE"}, follow=True)
    assert "找不到这个查询码的事件" in wrong.content.decode()
    client.post(reverse("cases:act", args=[other.pk, "merge"]), {"into": reported.code})
    assert Case.objects.get(pk=other.pk).merged_into_id == reported.pk
    # The merged resident's page never shows the other resident's code.
    assert reported.code not in client.get(reverse("cases:track", args=[other.code])).content.decode()
    client.post(reverse("cases:act", args=[reported.pk, "to_wish"]))
    assert Wish.objects.get(code=reported.code).phone == "13700002222"


@pytest.mark.django_db
def test_a_wish_becomes_a_case_from_its_review_page(world, setup, login):
    from tests.factories import WishFactory

    wish = WishFactory(grid=world.grid_a)
    client = login(world.secretary_a)
    assert "to-case" in client.get(reverse("wishes:review_detail", args=[wish.pk])).content.decode()
    client.post(reverse("cases:from_wish", args=[wish.pk]), {"category": setup.env.pk})
    assert Case.objects.get().code == wish.code
    assert login(world.gridworker_a).get(reverse("cases:from_wish", args=[wish.pk])).status_code == 403


def _many(world, setup, count):
    for n in range(count):
        services.case_report_resident(
            grid=world.grid_a,
            category=setup.env,
            description=f"第{n}件：路灯不亮需要维修",
            phone=f"1370000{n:04d}",
        )


@pytest.mark.django_db
def test_the_queue_costs_the_same_for_a_longer_list(
    world, setup, login, django_assert_max_num_queries, settings
):
    settings.CASES_SUBMITS_PER_PHONE = 100
    client = login(world.street_staff)
    _many(world, setup, 3)
    client.get(reverse("cases:queue"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:queue"))
    _many(world, setup, 30)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("cases:queue"))


@pytest.mark.django_db
def test_a_responders_list_costs_the_same_for_a_longer_list(
    world, setup, login, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    street = _u(world.street_staff)

    def dispatch(count):
        for n in range(count):
            case = services.case_report_worker(
                by=street, grid=world.grid_a, category=setup.env, description=f"第{n}件：井盖松动需要固定"
            )
            services.case_dispatch(case=case, by=street, units=[setup.unit])

    client = login(setup.unit_user)
    dispatch(2)
    client.get(reverse("cases:queue"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:queue"))
    dispatch(20)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("cases:queue"))
