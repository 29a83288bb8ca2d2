"""What trying the whole loop as each person turned up: each fix with its test."""

import pytest
from django.urls import reverse

from cases import services
from portal.privacy import mask_phones_in_text


def test_numbers_in_free_text_are_masked_for_public_pages():
    assert mask_phones_in_text("联系了物业张经理13912345678") == "联系了物业张经理139****5678"
    assert mask_phones_in_text("电话 139 1234 5678。") == "电话 139****5678。"
    assert mask_phones_in_text("身份证110105199001011234") == "身份证110105********1234"
    # hotlines, landlines and long numbers are left as they are
    assert mask_phones_in_text("请拨打 96116 或 0931-80101070") == "请拨打 96116 或 0931-80101070"
    assert mask_phones_in_text("12345678901234567890") == "12345678901234567890"
    assert mask_phones_in_text("") == ""


@pytest.mark.django_db
def test_the_tracking_page_never_shows_a_number_staff_wrote_in_a_note_or_result(
    client, world, setup, reported
):
    services.case_pass_up(case=reported, by=world.gridworker_a, note="楼上住户王五 13900001111 不配合")
    services.case_accept(case=reported, by=world.secretary_a)
    services.case_finish(case=reported, by=world.secretary_a, result="已清运，联系了物业张经理13912345678")
    services.case_verify(case=reported, by=world.secretary_a, note="")
    page = client.get(reverse("cases:track", args=[reported.code])).content.decode()
    assert "13912345678" not in page and "139****5678" in page
    # a note written when passing a case up is not shown to the resident at all
    assert "13900001111" not in page and "王五" not in page
    # staff still read the numbers on the case page
    client.force_login(world.secretary_a)
    assert "13912345678" in client.get(reverse("cases:detail", args=[reported.pk])).content.decode()


@pytest.mark.django_db
def test_a_department_liaison_with_a_street_scope_sees_no_households(client, world, setup):
    """The admin gives every account staff create a scope; a department's liaison (no role) must still see
    only the cases dispatched to the department: no households, no visits, in the to-do or the grid pages."""
    from grids.models import Household
    from portal.models import StaffProfile

    StaffProfile.objects.create(user=setup.dept_user, scope=world.street)
    Household.objects.filter(pk=world.household_a.pk).update(category=Household.Category.EMPTY_NEST)
    client.force_login(world.street_staff)
    assert "逾期未走访的困难户" in client.get(reverse("inbox:todo")).content.decode()
    client.force_login(setup.dept_user)
    todo = client.get(reverse("inbox:todo")).content.decode()
    assert "逾期未走访的困难户" not in todo and "走访待跟进" not in todo
    assert client.get(reverse("grids:household_detail", args=[world.household_a.pk])).status_code == 403
    assert client.get(reverse("grids:grid_detail", args=[world.grid_a.code])).status_code == 403
    assert client.get(reverse("grids:visit_list")).status_code == 403
    # the grid worker still sees them
    client.force_login(world.gridworker_a)
    assert client.get(reverse("grids:household_detail", args=[world.household_a.pk])).status_code == 200


@pytest.mark.django_db
def test_the_dispatch_form_warns_of_a_responder_nobody_would_be_told_of(client, world, setup, reported):
    from cases.models import Department

    Department.objects.create(street=world.street, name="城管执法中队")  # added without a liaison
    services.case_pass_up(case=reported, by=world.gridworker_a)
    services.case_pass_up(case=reported, by=world.secretary_a)
    client.force_login(world.street_staff)
    page = client.get(reverse("cases:detail", args=[reported.pk])).content.decode()
    assert "城管执法中队（没有联络员账号，收不到通知" in page
    assert "住建（" not in page and "供电公司刘家堡所（" not in page


@pytest.mark.django_db
def test_a_notification_names_the_place_once(world, setup):
    from grids.models import Grid
    from inbox.models import Notification

    Grid.objects.filter(pk=world.grid_a.pk).update(name="兰苑社区第1网格")
    world.grid_a.refresh_from_db()
    services.case_report_resident(
        grid=world.grid_a, category=setup.security, description="楼道里堆了很多纸箱", phone="13700003333"
    )
    note = Notification.objects.filter(recipient=world.secretary_a).latest("pk")
    text = str(note.params)
    assert "兰苑社区兰苑社区" not in text and "兰苑社区第1网格" in text


@pytest.mark.django_db
def test_whoever_a_case_comes_back_to_is_told_why(world, setup, reported):
    from cases.models import Case, CaseState
    from inbox.messages import render_body
    from inbox.models import Notification

    def last_to(user):
        return render_body(Notification.objects.filter(recipient=user).latest("pk"))

    services.case_pass_up(case=reported, by=world.gridworker_a, note="垃圾站满了，需要环卫所调车")
    assert "上报到社区：垃圾站满了，需要环卫所调车" in last_to(world.secretary_a)
    services.case_accept(case=reported, by=world.secretary_a)
    services.case_finish(case=reported, by=world.secretary_a, result="已清运")
    services.case_verify(case=reported, by=world.secretary_a)
    Case.objects.filter(pk=reported.pk).update(state=CaseState.VERIFIED)
    services.case_unresolved(case=reported, reason="门口还有一堆没运走")
    assert "没有解决：门口还有一堆没运走" in last_to(world.secretary_a)


@pytest.mark.django_db
def test_a_visit_already_turned_into_a_case_leads_to_the_case(client, world, setup):
    from django.utils import timezone

    from cases.models import Case
    from grids.models import Visit

    visit = Visit.objects.create(
        household=world.household_a,
        grid=world.grid_a,
        visitor=world.gridworker_a,
        visited_at=timezone.now(),
        method=Visit.Method.choices[0][0],
        findings="楼道灯坏了需要报修",
        follow_up_needed=True,
    )
    client.force_login(world.gridworker_a)
    url = reverse("cases:from_visit", args=[visit.pk])
    client.post(url, {"category": str(setup.env.pk)})
    case = Case.objects.get(visit=visit)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])


@pytest.mark.django_db
def test_the_liaison_picker_shows_the_login_beside_the_name(client, world, setup):
    from portal.models import User

    User.objects.filter(pk=setup.dept_user.pk).update(full_name="王城管")
    client.force_login(world.street_staff)
    page = client.get(reverse("admin:cases_department_change", args=[setup.department.pk])).content.decode()
    assert "王城管（zhujian）" in page


@pytest.mark.django_db
def test_the_rows_of_the_queue_and_of_a_responders_list_are_whole_tap_targets(client, world, setup, reported):
    from django.contrib.staticfiles import finders

    client.force_login(world.street_staff)
    assert 'class="case-row"' in client.get(reverse("cases:queue")).content.decode()
    from pathlib import Path

    css = Path(finders.find("css/wishes.css")).read_text(encoding="utf-8")
    assert ".list li > a.case-row { display: flex; align-items: center; min-height: 44px; }" in css
    assert "input[type=file] { min-height: 44px;" in css


@pytest.mark.django_db
def test_a_mistyped_tracking_code_gets_the_lookup_form_with_what_to_check(client, world, setup):
    response = client.get(reverse("cases:track", args=["ZZZZZZZZZZZZ"]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "没有找到查询码 ZZZZZZZZZZZZ 对应的事件" in page and 'name="code"' in page


@pytest.mark.django_db
def test_staff_print_each_grids_qr_code_for_the_residents_form(client, world, setup):
    client.force_login(world.street_staff)
    assert world.community_a.name in client.get(reverse("cases:qr_index")).content.decode()
    page = client.get(reverse("cases:qr_sheet", args=[world.community_a.code])).content.decode()
    assert f"/cases/new/?grid={world.grid_a.code}" in page and "<svg" in page
    assert client.get(reverse("cases:qr_sheet", args=[world.community_c.code])).status_code == 404
    client.force_login(world.gridworker_a)
    response = client.get(reverse("cases:qr_index"))
    assert response["Location"] == reverse("cases:qr_sheet", args=[world.grid_a.code])
    client.force_login(world.volunteer)
    assert client.get(reverse("cases:qr_index")).status_code == 403


@pytest.mark.django_db
def test_the_grid_worker_holding_a_case_may_show_the_number_to_call_back_and_it_is_logged(
    client, world, setup, reported
):
    from portal.models import PersonalDataLog

    client.force_login(world.gridworker_a)
    page = client.get(reverse("cases:detail", args=[reported.pk])).content.decode()
    assert "137****2222" in page and 'id="reveal-phone"' in page
    page = client.post(reverse("cases:reveal_phone", args=[reported.pk])).content.decode()
    assert 'href="tel:13700002222"' in page
    assert PersonalDataLog.objects.filter(actor=world.gridworker_a, fields="reporter_phone").count() == 1
    # once passed up, the case is no longer theirs to call about
    services.case_pass_up(case=reported, by=world.gridworker_a)
    assert client.post(reverse("cases:reveal_phone", args=[reported.pk])).status_code == 403


@pytest.mark.django_db
def test_the_tracking_page_tells_the_resident_what_happens_next(client, world, setup, reported):
    page = client.get(reverse("cases:track", args=[reported.code])).content.decode()
    assert "正在等待网格受理，最晚" in page
    services.case_accept(case=reported, by=world.gridworker_a)
    page = client.get(reverse("cases:track", args=[reported.code])).content.decode()
    assert "正在办理，最晚" in page
