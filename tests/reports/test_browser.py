"""In a real browser: staff ask for a report's PDF, watch the job's progress, then get the download link."""

import pytest

from portal import jobs
from portal.models import Job
from reports import services
from reports.models import MonthlyReport
from tests.alliances.report_world import MARCH, at
from tests.utils import sign_in


@pytest.mark.browser
def test_staff_watch_the_pdf_job_progress_then_download_it_on_a_phone(phone_page, march, monkeypatch):
    _watch_the_pdf_job(phone_page, march, monkeypatch, "phone")


@pytest.mark.browser
def test_staff_watch_the_pdf_job_progress_then_download_it_on_a_desktop(desktop_page, march, monkeypatch):
    desktop_page.set_viewport_size({"width": 1280, "height": 800})
    _watch_the_pdf_job(desktop_page, march, monkeypatch, "desktop")


def _watch_the_pdf_job(page, march, monkeypatch, size):
    services.report_build(
        alliance=march.alliance, month=MARCH, via=MonthlyReport.BuiltVia.COMMAND, now=at(4, 1, 2)
    )
    # A worker that has not picked the task up yet: the job waits in the queue until the test runs it.
    queued = []
    monkeypatch.setattr(jobs, "enqueue_on_commit", lambda task, *args: queued.append(args))
    import reports.jobs

    real_pdf = reports.jobs.report_pdf_bytes

    def pdf_while_watched(report, *args, **kwargs):
        # The job said it is laying the PDF out: the open page shows it before the PDF is there.
        from playwright.sync_api import expect

        expect(page.locator("#job-percent")).to_have_text("30%")
        assert "正在排版" in page.locator("#job-message").inner_text()
        page.shoot(f"reports-job-{size}-progress")
        return real_pdf(report, *args, **kwargs)

    monkeypatch.setattr(reports.jobs, "report_pdf_bytes", pdf_while_watched)

    sign_in(page, "street")
    page.goto(f"/reports/monthly/{march.alliance.pk}/2026-03/")
    page.click("#pdf-job")
    page.wait_for_url("**/jobs/**")
    assert page.locator("#job-status").inner_text() == "排队中"
    assert page.locator("#job-result").is_hidden()
    page.shoot(f"reports-job-{size}-queued")

    job = Job.objects.get()
    assert queued == [(str(job.pk),)]
    assert jobs.job_run(job.pk)  # the worker takes it

    link = page.locator("#job-link")
    link.wait_for(state="visible")
    assert page.locator("#job-status").inner_text() == "已完成"
    assert page.locator("#job-percent").inner_text() == "100%"
    assert link.inner_text().startswith("下载 ") and link.inner_text().endswith(".pdf")
    page.wait_for_timeout(500)  # the bar's last step is animated
    page.shoot(f"reports-job-{size}-done")
    href = link.get_attribute("href")
    assert href == f"/jobs/{job.pk}/file/"
    download = page.request.get(href)
    assert download.ok and download.body().startswith(b"%PDF")

    page.reload()  # the state lives in the database: a reload shows the same result
    assert page.locator("#job-link").is_visible()
