import datetime

import pytest
from django.utils import timezone

from cases.models import Case
from deliberation.models import Resolution, Topic, Vote
from tests.factories import HouseholdFactory, case_category_in
from tests.utils import sign_in


@pytest.mark.browser
def test_a_resident_topic_goes_through_vetting_a_vote_and_a_resolution_to_the_notice(world, phone_page):
    for name in ("community_a", "grid_a", "street"):
        getattr(world, name).refresh_from_db()
    case_category_in(world.street, "公共设施")
    HouseholdFactory(building=world.building_a, room="102")

    # A resident raises the matter from the grid's QR code.
    phone_page.goto(f"/deliberation/new/?grid={world.grid_a.code}")
    phone_page.fill("#id_title", "1号楼加装电梯")
    phone_page.fill("#id_description", "楼里老人多，上下楼困难，想和邻居们商量加装电梯。")
    phone_page.fill("#id_phone", "13912345678")
    phone_page.click("text=提交议题")
    phone_page.wait_for_load_state("networkidle")
    code = phone_page.locator("#topic-code").inner_text().strip()
    topic = Topic.objects.get(code=code)
    phone_page.shoot("deliberation-submitted")

    # The secretary sees it in the to-do and accepts it with a reason.
    page = phone_page
    sign_in(page, "secretary_a")
    page.goto("/todo/")
    page.click("text=1号楼加装电梯")
    page.wait_for_load_state("networkidle")
    page.check("input[name=decision][value=accept]")
    page.fill("#id_reason", "涉及全楼住户，纳入议事")
    page.click("text=提交审核")
    page.wait_for_load_state("networkidle")

    # A session with a vote, recorded in the admin, then one household's vote on the topic page.
    page.click("text=登记议事会")
    page.wait_for_load_state("networkidle")
    page.select_option("#id_kind", "council")
    page.fill("#id_held_at_0", timezone.localdate().isoformat())
    page.fill("#id_held_at_1", "19:30")
    page.fill("#id_place", "兰苑社区议事厅")
    page.fill("#id_representatives", "6")
    page.fill("#id_record", "居民代表和楼栋长讨论了加装电梯的费用分摊。")
    page.fill("#id_vote_question", "是否同意1号楼加装电梯")
    page.click("input[name=_save]")
    page.wait_for_load_state("networkidle")
    page.goto(f"/deliberation/topics/{topic.pk}/")
    page.fill("input[name=address]", "1-1-101")
    page.select_option("select[name=choice]", "yes")
    page.click("text=登记会上的一票")
    page.wait_for_load_state("networkidle")
    assert "已登记" in page.locator(".messages").inner_text()
    assert Vote.objects.count() == 1

    # A resolution owned by the grid worker, who hands it to the case flow.
    page.click("text=登记决议")
    page.wait_for_load_state("networkidle")
    page.fill("#id_text", "联系电梯公司上门测量")
    page.evaluate(
        "([id]) => { const s = document.querySelector('#id_owner'); const o = new Option('w', id, true, true); s.append(o); }",
        [str(world.gridworker_a.pk)],
    )
    page.fill("#id_due_date", (timezone.localdate() + datetime.timedelta(days=14)).isoformat())
    page.click("input[name=_save]")
    page.wait_for_load_state("networkidle")
    resolution = Resolution.objects.get()

    phone_page.context.clear_cookies()
    sign_in(phone_page, "gridworker_a")
    phone_page.goto("/deliberation/resolutions/")
    phone_page.click("text=需要部门或单位办理？转为网格事件")
    phone_page.select_option(f"#resolution-{resolution.pk} select[name=category]", label="公共设施")
    phone_page.click(f"#resolution-{resolution.pk} >> text=转为网格事件 >> nth=-1")
    phone_page.wait_for_load_state("networkidle")
    case = Case.objects.get()
    phone_page.fill(f"#resolution-{resolution.pk} input[name=progress]", "电梯公司已上门测量")
    phone_page.click(f"#resolution-{resolution.pk} >> text=更新进展")
    phone_page.wait_for_load_state("networkidle")

    # The notice shows the matter, the vote and the progress, and no personal data.
    phone_page.goto(f"/deliberation/notice/{world.community_a.code}/")
    notice = phone_page.locator("main").inner_text()
    assert "1号楼加装电梯" in notice and "同意 1 户" in notice and "电梯公司已上门测量" in notice
    assert case.code in notice and "13912345678" not in notice
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    phone_page.shoot("deliberation-notice")
