"""Who sees what: staff their subtree, responders only their dispatches, residents only by code; the staff and responder pages."""

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case, CaseState, Dispatch, DispatchState
from portal.models import User
from tests.cases.conftest import upload
from tests.factories import GridAssignmentFactory


def _u(user):
    return User.objects.get(pk=user.pk)


@pytest.fixture
def case_b(world, setup):
    return services.case_report_resident(
        grid=world.grid_b, category=setup.env, description="金港小区井盖缺失很危险", phone="13600001111"
    )


@pytest.mark.django_db
def test_staff_see_their_subtree_only(world, setup, reported, case_b, login):
    assert login(world.secretary_a).get(reverse("cases:detail", args=[case_b.pk])).status_code == 404
    queue = login(world.secretary_a).get(reverse("cases:queue")).content.decode()
    assert "3号楼门口的垃圾" in queue and "井盖" not in queue
    street = login(world.street_staff).get(reverse("cases:queue")).content.decode()
    assert "3号楼门口的垃圾" in street and "井盖" in street
    assert login(world.gridworker_a).get(reverse("cases:detail", args=[case_b.pk])).status_code == 404


@pytest.mark.django_db
def test_phones_are_masked_for_grid_workers(world, setup, reported, login):
    page = login(world.gridworker_a).get(reverse("cases:detail", args=[reported.pk])).content.decode()
    assert "137****2222" in page and "13700002222" not in page


@pytest.mark.django_db
def test_the_queue_filters_refuse_nonsense_quietly(world, setup, reported, login):
    client = login(world.street_staff)
    for query in ("?state=bogus", "?level=<b>", "?category=abc", "?page=99999999999999", "?overdue=1"):
        assert client.get(reverse("cases:queue") + query).status_code == 200


@pytest.mark.django_db
def test_volunteers_and_strangers_get_no_queue(world, setup, reported, login):
    assert login(world.volunteer).get(reverse("cases:queue")).status_code == 403
    assert login(setup.stranger).get(reverse("cases:queue")).status_code == 403
    assert login(world.volunteer).get(reverse("cases:detail", args=[reported.pk])).status_code == 403


@pytest.mark.django_db
def test_responders_see_only_their_dispatches(world, setup, reported, case_b, login):
    street = _u(world.street_staff)
    [to_unit] = services.case_dispatch(case=reported, by=street, units=[setup.unit])
    [to_dept] = services.case_dispatch(case=case_b, by=street, departments=[setup.department])
    unit_client = login(setup.unit_user)
    listing = unit_client.get(reverse("cases:queue")).content.decode()
    assert "3号楼门口的垃圾" in listing and "井盖" not in listing
    assert unit_client.get(reverse("cases:dispatch", args=[to_dept.pk])).status_code == 404
    assert unit_client.get(reverse("cases:detail", args=[reported.pk])).status_code == 403
    GridAssignmentFactory(person=world.gridworker_a, grid=world.grid_a)
    User.objects.filter(pk=world.gridworker_a.pk).update(phone="13811112222")
    page = unit_client.get(reverse("cases:dispatch", args=[to_unit.pk])).content.decode()
    assert "13700002222" not in page and "137****2222" not in page
    assert "13811112222" in page  # the grid worker to call on the way
    # A stranger's post on someone else's dispatch changes nothing.
    assert (
        login(setup.stranger).post(reverse("cases:dispatch_act", args=[to_unit.pk, "sign"])).status_code
        == 404
    )
    assert Dispatch.objects.get(pk=to_unit.pk).state == DispatchState.DISPATCHED


@pytest.mark.django_db
def test_a_responder_signs_arrives_and_finishes_with_a_photo(world, setup, reported, login):
    [dispatch] = services.case_dispatch(case=reported, by=_u(world.street_staff), units=[setup.unit])
    client = login(setup.unit_user)
    client.post(reverse("cases:dispatch_act", args=[dispatch.pk, "sign"]))
    client.post(reverse("cases:dispatch_act", args=[dispatch.pk, "arrive"]))
    bad = client.post(
        reverse("cases:dispatch_act", args=[dispatch.pk, "complete"]), {"result": ""}, follow=True
    )
    assert "请写明办理结果" in bad.content.decode()
    client.post(
        reverse("cases:dispatch_act", args=[dispatch.pk, "complete"]),
        {"result": "已清运完毕", "photos": [upload()]},
    )
    dispatch.refresh_from_db()
    assert dispatch.state == DispatchState.DONE and dispatch.photos.count() == 1
    assert Case.objects.get(pk=reported.pk).state == CaseState.DONE
    photo = dispatch.photos.get()
    assert client.get(reverse("cases:photo", args=[photo.pk])).status_code == 200
    assert login(world.secretary_b).get(reverse("cases:photo", args=[photo.pk])).status_code == 403


@pytest.mark.django_db
def test_staff_act_through_the_page_and_a_stale_click_gets_a_message(world, setup, reported, login):
    worker = login(world.gridworker_a)
    page = worker.get(reverse("cases:detail", args=[reported.pk])).content.decode()
    assert "act-accept" in page and "form-dispatch" not in page
    worker.post(reverse("cases:act", args=[reported.pk, "accept"]))
    again = worker.post(reverse("cases:act", args=[reported.pk, "accept"]), follow=True).content.decode()
    assert "已被" in again and "不能再受理" in again
    assert worker.post(reverse("cases:act", args=[reported.pk, "explode"])).status_code == 403


@pytest.mark.django_db
def test_a_tampered_responder_id_on_the_dispatch_form_is_refused(world, setup, reported, login):
    client = login(world.street_staff)
    response = client.post(
        reverse("cases:act", args=[reported.pk, "dispatch"]),
        {"dispatch-units": [str(setup.other_unit.pk)]},
        follow=True,
    )
    assert "不在本街道的名单中" in response.content.decode()
    assert not Dispatch.objects.exists()
    client.post(
        reverse("cases:act", args=[reported.pk, "dispatch"]), {"dispatch-units": [str(setup.unit.pk)]}
    )
    assert Dispatch.objects.get().unit == setup.unit


@pytest.mark.django_db
def test_a_grid_worker_reports_on_the_spot(world, setup, login):
    client = login(world.gridworker_a)
    assert client.get(reverse("cases:report")).status_code == 200
    bad = client.post(
        reverse("cases:report"),
        {"grid": str(world.grid_b.pk), "category": setup.env.pk, "description": "路面塌陷需要处理"},
    )
    assert bad.status_code == 400 and not Case.objects.exists()
    client.post(
        reverse("cases:report"),
        {"grid": str(world.grid_a.pk), "category": setup.env.pk, "description": "路面塌陷需要处理"},
    )
    case = Case.objects.get()
    assert case.reported_by_id == world.gridworker_a.pk and case.grid == world.grid_a


@pytest.mark.django_db
def test_street_staff_edit_their_departments_and_pick_liaisons_without_a_scope(world, setup, login):
    from cases.admin import liaison_candidates
    from tests.factories import make_user

    plain = make_user(username="chengguan")
    other = make_user(username="other_liaison")
    setup.other_department.liaisons.add(other)
    candidates = set(liaison_candidates(_u(world.street_staff)))
    assert plain in candidates and setup.dept_user in candidates
    assert other not in candidates and world.superuser not in candidates
    client = login(world.street_staff)
    response = client.post(
        reverse("admin:cases_department_add"),
        {"street": world.street.pk, "name": "城管", "phone": "", "liaisons": [plain.pk], "active": "on"},
    )
    assert response.status_code == 302
    assert plain in world.street.case_departments.get(name="城管").liaisons.all()
    tampered = client.post(
        reverse("admin:cases_department_add"),
        {"street": world.other_street.pk, "name": "派出所", "liaisons": [], "active": "on"},
    )
    assert (
        tampered.status_code == 200 and not world.other_street.case_departments.filter(name="派出所").exists()
    )


@pytest.mark.django_db
def test_the_queues_scope_written_on_the_row_is_the_subtree(world, setup, reported, case_b):
    """A street's queue reads `street = S`, a community's `community = C`: the same rows as the subtree."""
    from cases import selectors
    from cases.models import Category
    from portal.scoping import scope_queryset

    on_community = services.case_report_resident(
        grid=world.community_a, category=setup.env, description="兰苑社区门口路灯不亮了", phone=""
    )
    elsewhere = services.case_report_resident(
        grid=world.grid_c,
        category=Category.objects.get_or_create(street=world.other_street, name="环境卫生")[0],
        description="民主社区的垃圾桶满了",
        phone="",
    )
    expected = {
        world.street_staff: {reported.pk, case_b.pk, on_community.pk},
        world.secretary_a: {reported.pk, on_community.pk},
        world.secretary_b: {case_b.pk},
        world.gridworker_a: {reported.pk},
        world.superuser: {reported.pk, case_b.pk, on_community.pk, elsewhere.pk},
        world.volunteer: set(),
    }
    for user, pks in expected.items():
        user = _u(user)
        assert {c.pk for c in selectors.queue(user)} == pks, user
        assert {c.pk for c in scope_queryset(Case.objects.all(), _u(user))} == pks, user


@pytest.mark.django_db
def test_a_dispatch_carries_its_cases_street(world, setup, reported):
    [dispatch] = services.case_dispatch(case=reported, by=_u(world.street_staff), units=[setup.unit])
    assert Dispatch.objects.get(pk=dispatch.pk).street_id == world.street.pk
    # Written without the service (other apps' tests, the admin): filled from the case.
    again = Dispatch.objects.create(
        case=reported,
        department=setup.department,
        dispatched_at=dispatch.dispatched_at,
        sign_due_at=dispatch.sign_due_at,
    )
    assert Dispatch.objects.get(pk=again.pk).street_id == world.street.pk
