"""The report's PDF and its build as background jobs: progress, reload, re-runs, who sees the result."""

import pytest
from django.urls import reverse

from portal import jobs
from portal.models import Job
from reports import services
from reports.models import MonthlyReport
from tests.alliances.report_world import MARCH, at


@pytest.fixture
def built(march):
    return services.report_build(
        alliance=march.alliance, month=MARCH, via=MonthlyReport.BuiltVia.COMMAND, now=at(4, 1, 2)
    )


PDF_JOB = "/reports/monthly/{pk}/2026-03/pdf/"


def _start(client, alliance, callbacks):
    with callbacks(execute=True):
        response = client.post(PDF_JOB.format(pk=alliance.pk))
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    return Job.objects.get(pk=response["Location"].split("/")[2]), response["Location"]


def test_the_pdf_job_goes_from_queued_to_done_with_a_download(
    login, march, built, django_capture_on_commit_callbacks
):
    client = login(march.aw.world.street_staff)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(PDF_JOB.format(pk=march.alliance.pk))
    job = Job.objects.get()
    assert (job.status, job.progress, job.owner) == ("queued", 0, march.aw.world.street_staff)
    page = client.get(response["Location"]).content.decode()
    assert "排队中" in page and 'role="progressbar"' in page and 'id="job-result" hidden' in page
    state = client.get(reverse("portal:job_status", args=[job.pk])).json()
    assert (state["status"], state["finished"]) == ("queued", False)

    for callback in queued:  # the commit: the task runs (eager)
        callback()
    job.refresh_from_db()
    assert (job.status, job.progress, job.attempts) == ("done", 100, 1)
    assert job.result_name.endswith(".pdf") and job.result.name.startswith("jobs/")
    state = client.get(reverse("portal:job_status", args=[job.pk])).json()
    assert state["status"] == "done" and state["url"] == reverse("portal:job_file", args=[job.pk])
    # A reload shows the result; the file is the PDF.
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and reverse("portal:job_file", args=[job.pk]) in page
    assert f'href="/reports/monthly/{march.alliance.pk}/2026-03/"' in page  # back to the report
    download = client.get(reverse("portal:job_file", args=[job.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]


def test_asking_again_for_the_same_revision_reuses_the_job(
    login, march, built, django_capture_on_commit_callbacks
):
    client = login(march.aw.world.street_staff)
    first, location = _start(client, march.alliance, django_capture_on_commit_callbacks)
    again, location_again = _start(client, march.alliance, django_capture_on_commit_callbacks)
    assert again.pk == first.pk and location_again == location and Job.objects.count() == 1
    # A new revision of the report is a new PDF, so a new job.
    services.report_build(
        alliance=march.alliance, month=MARCH, via=MonthlyReport.BuiltVia.COMMAND, now=at(4, 2, 2)
    )
    newer, _ = _start(client, march.alliance, django_capture_on_commit_callbacks)
    assert newer.pk != first.pk


def test_a_job_delivered_again_does_nothing_new(
    login, march, built, django_capture_on_commit_callbacks, settings
):
    client = login(march.aw.world.street_staff)
    job, _ = _start(client, march.alliance, django_capture_on_commit_callbacks)
    files = list((settings.PRIVATE_MEDIA_ROOT / "jobs").rglob("*"))
    assert not jobs.job_run(job.pk)  # finished: a redelivered task is ignored
    job.refresh_from_db()
    assert job.attempts == 1
    assert list((settings.PRIVATE_MEDIA_ROOT / "jobs").rglob("*")) == files


def test_a_worker_lost_mid_job_is_run_again_to_one_result(login, march, built, settings):
    """acks_late: the task comes back while the row still says running; the second run finishes it,
    writing the same file rather than a second one."""
    from reports.jobs import report_pdf_start

    job = report_pdf_start(report=built, user=march.aw.world.street_staff)
    Job.objects.filter(pk=job.pk).update(status="running", progress=30, attempts=1)
    path = settings.PRIVATE_MEDIA_ROOT / "jobs" / f"{job.created_at:%Y/%m}" / f"{job.pk}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"half a file")  # what the lost worker left behind
    assert jobs.job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert path.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("who", ["liaison_b", "other_staff", "volunteer"])
def test_only_the_starter_or_staff_over_the_node_see_the_result(
    login, march, built, django_capture_on_commit_callbacks, who
):
    job, location = _start(login(march.aw.liaison_a), march.alliance, django_capture_on_commit_callbacks)
    assert job.status == "done"
    outsider = login(getattr(march.aw, who, None) or getattr(march.aw.world, who))
    for url in (
        location,
        reverse("portal:job_status", args=[job.pk]),
        reverse("portal:job_file", args=[job.pk]),
    ):
        assert outsider.get(url).status_code == 404
    # Street staff over the alliance's street may open it; the secretary of one community may not.
    assert (
        login(march.aw.world.street_staff).get(reverse("portal:job_file", args=[job.pk])).status_code == 200
    )
    assert login(march.aw.world.secretary_a).get(location).status_code == 404


def test_a_tampered_job_id_answers_404(login, march):
    client = login(march.aw.world.street_staff)
    assert client.get("/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/jobs/not-a-uuid/").status_code == 404


def test_signed_out_visitors_go_to_sign_in(client, march, built):
    from reports.jobs import report_pdf_start

    job = report_pdf_start(report=built, user=march.aw.world.street_staff)
    response = client.get(reverse("portal:job_detail", args=[job.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_failing_job_says_so_in_chinese(
    login, march, built, monkeypatch, django_capture_on_commit_callbacks
):
    import portal.pdf

    def broken(*args, **kwargs):
        raise RuntimeError("pango fell over")

    monkeypatch.setattr(portal.pdf, "render_pdf", broken)
    client = login(march.aw.world.street_staff)
    job, location = _start(client, march.alliance, django_capture_on_commit_callbacks)
    assert job.status == "failed" and "生成失败" in job.message
    page = client.get(location).content.decode()
    assert "失败" in page and "pango" not in page
    assert client.get(reverse("portal:job_file", args=[job.pk])).status_code == 404
    # A failed job is not reused: asking again starts afresh.
    monkeypatch.undo()
    again, _ = _start(client, march.alliance, django_capture_on_commit_callbacks)
    assert again.pk != job.pk and again.status == "done"


def test_the_build_job_builds_once_even_if_delivered_twice(login, march):
    from reports.jobs import report_build_start

    job = report_build_start(alliance=march.alliance, month=MARCH, user=march.aw.world.street_staff)
    assert jobs.job_run(job.pk)
    Job.objects.filter(pk=job.pk).update(status="running")  # as if the worker died before finishing
    assert jobs.job_run(job.pk)
    report = MonthlyReport.objects.get(alliance=march.alliance, month=MARCH)
    assert report.revision == 1
    job.refresh_from_db()
    assert job.status == "done" and job.result_url == f"/reports/monthly/{march.alliance.pk}/2026-03/"


def test_a_liaison_cannot_start_a_build_job(login, march):
    response = login(march.aw.liaison_a).post(f"/reports/monthly/{march.alliance.pk}/2026-03/build/")
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_the_pdf_job_of_a_month_not_built_leads_to_its_page(login, march):
    response = login(march.aw.world.street_staff).post(PDF_JOB.format(pk=march.alliance.pk))
    assert (
        response.status_code == 302
        and response["Location"] == f"/reports/monthly/{march.alliance.pk}/2026-03/"
    )
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_with_eager_celery_the_job_is_done_before_the_answer(login, march):
    """The zero-setup default: no worker, the job runs inside the request once it commits."""
    client = login(march.aw.world.street_staff)
    response = client.post(f"/reports/monthly/{march.alliance.pk}/2026-03/build/")
    assert (
        response.status_code == 302
        and response["Location"] == f"/reports/monthly/{march.alliance.pk}/2026-03/"
    )
    assert "已生成 2026-03 的报告" in client.get(response["Location"]).content.decode()
    response = client.post(PDF_JOB.format(pk=march.alliance.pk))
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and "/file/" in page and 'id="job-result" hidden' not in page
