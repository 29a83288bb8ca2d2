import pytest

from points.models import PointsEntry
from tests.utils import sign_in
from tests.volunteers.conftest import running
from volunteers.models import ServiceRecord, SignUp


def _sign_out(page):
    # Signing out lives on 我的, not in the phone's top bar.
    page.goto("/me/")
    page.click("#sign-out button")
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_volunteer_signs_up_and_the_leader_checks_them_in_on_a_phone(crew, phone_page):
    page = phone_page
    sign_in(page, "member")
    page.goto("/volunteers/")
    page.shoot("volunteers-activity-list")
    page.click("#activities a.row")
    page.shoot("volunteers-activity-detail")
    page.click("#signup")
    page.wait_for_load_state("networkidle")
    assert "报名成功" in page.locator(".messages").inner_text()
    page.shoot("volunteers-signed-up")
    assert SignUp.objects.get().volunteer == crew.member

    running(crew.activity)
    _sign_out(page)
    sign_in(page, "leader")
    page.goto("/volunteers/organise/")
    page.click(f"a[href='/volunteers/organise/{crew.activity.pk}/']")
    page.shoot("volunteers-attendance-before")
    page.click(f"#v{crew.member.pk} button[value=check_in]")
    page.wait_for_load_state("networkidle")
    assert "已更新" in page.locator(".messages").inner_text()
    assert page.locator(f"#v{crew.member.pk}").get_attribute("data-state") == "on_site"
    page.click("#check-out-all")
    page.wait_for_load_state("networkidle")
    # Checked out seconds after checking in: the leader enters the hours actually served.
    page.fill(f"#v{crew.member.pk} input[name=hours]", "2.5")
    page.select_option(f"#v{crew.member.pk} select[name=evaluation]", "excellent")
    page.shoot("volunteers-attendance-checked-out")
    page.click(f"#v{crew.member.pk} form.hours button")
    page.wait_for_load_state("networkidle")
    assert "已保存" in page.locator(".messages").inner_text()
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#verify")
    page.wait_for_load_state("networkidle")
    assert "已核验 1 条记录" in page.locator(".messages").inner_text()
    page.shoot("volunteers-attendance-verified")

    record = ServiceRecord.objects.get()
    assert record.is_verified and record.verified_by.username == "leader" and str(record.hours) == "2.5"
    assert PointsEntry.objects.filter(source_id=record.pk, rule__code="activity_hour").exists()
    page.goto(f"/volunteers/organise/{crew.activity.pk}/qr/")
    page.shoot("volunteers-checkin-qr")
