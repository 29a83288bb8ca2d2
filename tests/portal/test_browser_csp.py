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
    # data-autosubmit reloads the page; wait for that navigation itself, which on a
    # busy machine may start after the page was already idle.
    with page.expect_navigation():
        page.select_option("#f-street", str(world.other_street.pk))
    assert f"street={world.other_street.pk}" in page.url
    page.goto("/wishes/new/")
    with page.expect_navigation():
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
