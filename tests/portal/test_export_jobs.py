"""Large admin exports run as background jobs: same scope, masking and log as a download in the page."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal import jobs
from portal.models import Job, PersonalDataLog

FIELDS = {f"householdresource_{name}": "on" for name in ("grid_code", "room", "head_name", "phone")}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


def _export(client, callbacks, query="", data=None):
    url = reverse("admin:grids_household_export") + query
    with callbacks(execute=True):
        response = client.post(url, {"format": "0", "resource": "0", **FIELDS, **(data or {})})
    return response


def _rows(client, job):
    response = client.get(reverse("portal:job_file", args=[job.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_a_small_export_still_comes_back_at_once(login, world, django_capture_on_commit_callbacks):
    response = _export(login(world.secretary_a), django_capture_on_commit_callbacks)
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert not Job.objects.exists()


def test_a_large_export_runs_as_a_job_of_the_users_scope(
    login, world, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 0
    world.household_a.phone = "13812348000"
    world.household_a.save()
    client = login(world.secretary_a)
    response = _export(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    job = Job.objects.get()
    assert (job.status, job.owner, job.scope) == ("done", world.secretary_a, world.community_a)
    # Unmasked content: others over the node need the personal-data permission to open it.
    assert job.view_perm == "portal.view_personal_data"
    rows = _rows(client, job)
    assert len(rows) == 2  # the header and community A's one household
    assert "13812348000" in rows[1]  # a secretary sees phone numbers, and the export is logged
    assert PersonalDataLog.objects.filter(actor=world.secretary_a).exists()
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and ".xlsx" in page
    assert 'href="/admin/grids/household/"' in page  # back to the list


def test_the_list_filters_travel_with_the_job(login, world, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_INLINE_MAX_ROWS = 0
    client = login(world.street_staff)
    _export(
        client,
        django_capture_on_commit_callbacks,
        query=f"?q={world.household_b.head_name}&grid={world.grid_b.pk}",
    )
    job = Job.objects.get()
    assert job.status == "done", job.message
    rows = _rows(client, job)
    assert len(rows) == 2


@pytest.mark.parametrize("who", ["secretary_b", "gridworker_a", "volunteer"])
def test_only_the_starter_or_staff_over_the_scope_may_download(
    login, world, settings, django_capture_on_commit_callbacks, who
):
    settings.EXPORT_INLINE_MAX_ROWS = 0
    _export(login(world.secretary_a), django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert login(getattr(world, who)).get(reverse("portal:job_file", args=[job.pk])).status_code == 404
    assert login(world.street_staff).get(reverse("portal:job_file", args=[job.pk])).status_code == 200


def test_an_owner_who_lost_the_right_to_export_gets_a_failed_job(login, world, settings):
    from portal.exports import ADMIN_EXPORT

    job = Job.objects.create(
        kind=ADMIN_EXPORT,
        title="导出",
        owner=world.volunteer,
        params={"model": "grids.Household", "query": "", "form": [["format", "0"]], "path": "/admin/"},
    )
    assert jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "权限" in job.message and not job.result


def test_housekeeping_queues_stuck_jobs_again_and_drops_old_ones(world, settings):
    from portal.exports import ADMIN_EXPORT

    settings.EXPORT_INLINE_MAX_ROWS = 0
    long_ago = timezone.now() - datetime.timedelta(days=30)
    params = {
        "model": "grids.Household",
        "query": "",
        "form": [["format", "0"], ["resource", "0"], *[[k, v] for k, v in FIELDS.items()]],
        "path": "/admin/",
    }
    stuck = Job.objects.create(
        kind=ADMIN_EXPORT,
        title="卡住的",
        owner=world.secretary_a,
        params=params,
        status="running",
        started_at=long_ago,
        created_at=long_ago,
        attempts=1,
    )
    hopeless = Job.objects.create(
        kind=ADMIN_EXPORT,
        title="一再失败",
        owner=world.secretary_a,
        params=params,
        status="running",
        started_at=long_ago,
        created_at=long_ago,
        attempts=3,
    )
    old = Job.objects.create(
        kind=ADMIN_EXPORT,
        title="旧的",
        owner=world.secretary_a,
        params=params,
        status="done",
        created_at=long_ago,
        finished_at=long_ago,
    )
    result = jobs.jobs_tidy()
    assert result == {"revived": 1, "failed": 1, "removed": 1}
    stuck.refresh_from_db()
    hopeless.refresh_from_db()
    assert stuck.status == "done" and stuck.attempts == 2  # queued again and run (eager)
    assert hopeless.status == "failed"
    assert not Job.objects.filter(pk=old.pk).exists()
