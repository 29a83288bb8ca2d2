"""In a real browser the Content-Security-Policy blocks nothing the portal itself uses."""

import pytest

from tests.utils import sign_in


def _watch(page):
    violations = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    return violations


@pytest.mark.browser
def test_public_pages_and_their_scripts_work_under_the_policy(world, desktop_page):
    page = desktop_page
    violations = _watch(page)
    page.goto("/wishes/")
    page.select_option("#f-street", str(world.other_street.pk))  # data-autosubmit reloads the wall
    page.wait_for_load_state("networkidle")
    assert f"street={world.other_street.pk}" in page.url
    page.goto("/wishes/new/")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert violations == []


@pytest.mark.browser
def test_staff_pages_work_under_the_policy(world, desktop_page):
    page = desktop_page
    violations = _watch(page)
    sign_in(page, world.street_staff.username)
    page.goto("/dashboard/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#chart-rainbow svg").count() == 1  # the charts drew
    page.goto("/admin/grids/household/export/")
    page.wait_for_load_state("networkidle")
    assert violations == []
