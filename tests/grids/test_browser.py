import pytest

from grids.models import Visit
from tests.utils import sign_in


@pytest.mark.browser
def test_grid_worker_logs_a_visit_from_a_phone(world, phone_page):
    sign_in(phone_page, "gridworker_a")
    # A grid worker lands on the visit page after signing in.
    assert "/grids/visits/new/" in phone_page.url

    phone_page.fill("#id_q", "1-1-101")
    phone_page.click("form[role=search] button")
    phone_page.shoot("grids-visit-search")
    phone_page.click("#results a.row")

    phone_page.click("text=电话")
    phone_page.fill("#id_findings", "老人身体不错，厨房水管漏水需要维修。")
    phone_page.check("#id_follow_up_needed")
    phone_page.shoot("grids-visit-form")
    phone_page.click("text=保存走访")
    phone_page.wait_for_load_state("networkidle")

    assert phone_page.locator(".messages").inner_text().startswith("已记录")
    phone_page.shoot("grids-visit-saved")
    visit = Visit.objects.get()
    assert visit.household == world.household_a
    assert visit.visitor.username == "gridworker_a"
    assert visit.method == Visit.Method.PHONE
    assert visit.follow_up_needed
