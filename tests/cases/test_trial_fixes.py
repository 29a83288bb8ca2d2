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
def test_the_tracking_page_never_shows_a_number_staff_wrote_in_a_note_or_result(client, world, setup, reported):
    services.case_pass_up(case=reported, by=world.gridworker_a, note="楼上住户王五 13900001111 不配合")
    services.case_accept(case=reported, by=world.secretary_a)
    services.case_finish(case=reported, by=world.secretary_a, result="已清运，联系了物业张经理13912345678")
    services.case_verify(case=reported, by=world.secretary_a, note="")
    page = client.get(reverse("cases:track", args=[reported.code])).content.decode()
    assert "13912345678" not in page and "139****5678" in page
    assert "13900001111" not in page and "139****1111" in page
    # staff still read the numbers on the case page
    client.force_login(world.secretary_a)
    assert "13912345678" in client.get(reverse("cases:detail", args=[reported.pk])).content.decode()
