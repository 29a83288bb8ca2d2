"""Large imports run as background jobs: upload → preview job → confirm job, once, for the uploader."""

import pytest
from django.urls import reverse

from grids.models import Household
from portal import jobs
from portal.import_jobs import IMPORT_CONFIRM, IMPORT_PREVIEW
from portal.models import Job
from tests.grids.test_imports import CSV, HOUSEHOLD_HEADERS, _csv


@pytest.fixture(autouse=True)
def _private_media_and_threshold(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    settings.IMPORT_INLINE_MAX_ROWS = 3  # anything over three rows goes through the jobs


def _rows(world, count=5, phone="13900001111"):
    code, h = world.grid_a.code, world.household_a
    rows = [[code, "1号楼", "2", str(600 + n), f"住户{n}", "", "", "一般户", ""] for n in range(count)]
    rows.append([code, "1号楼", h.unit, h.room, "", phone, "", "孤寡", ""])  # update: phone and category
    return rows


def _upload(client, callbacks, rows):
    with callbacks(execute=True):
        return client.post(
            reverse("admin:grids_household_import"),
            {"import_file": _csv(HOUSEHOLD_HEADERS, rows), "format": CSV, "resource": "0"},
        )


def _confirm(client, callbacks, preview):
    with callbacks(execute=True):
        return client.post(reverse("admin:grids_household_import_job_confirm", args=[preview.pk]))


def test_a_large_import_goes_through_a_preview_job_and_a_confirm_job(
    login, world, django_capture_on_commit_callbacks
):
    client = login(world.secretary_a)
    before = Household.objects.count()
    response = _upload(client, django_capture_on_commit_callbacks, _rows(world))
    preview = Job.objects.get(kind=IMPORT_PREVIEW)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{preview.pk}/"
    assert (preview.status, preview.owner, preview.scope) == ("done", world.secretary_a, world.community_a)
    assert Household.objects.count() == before  # a preview saves nothing

    # The job page links to the preview, rebuilt from what the job recorded; a reload shows the same.
    for _ in range(2):
        page = client.get(f"/jobs/{preview.pk}/").content.decode()
        assert "查看结果" in page and preview.result_url in page
    response = client.get(preview.result_url)
    changes = response.context["changes"]
    assert changes.counts == {"new": 5, "update": 1, "unchanged": 0, "error": 0}
    page = response.content.decode()
    assert "住户0" in page and "13812348000" in page and "13900001111" in page and "确认导入" in page
    download = client.get(response.context["changes_url"])
    assert download.status_code == 200

    response = _confirm(client, django_capture_on_commit_callbacks, preview)
    confirm = Job.objects.get(kind=IMPORT_CONFIRM)
    assert response["Location"] == f"/jobs/{confirm.pk}/" and confirm.status == "done"
    assert Household.objects.count() == before + 5
    world.household_a.refresh_from_db()
    assert (world.household_a.phone, world.household_a.category) == ("13900001111", "solitary")
    result = client.get(confirm.result_url).content.decode()
    assert "导入完成" in result and "新增 5 行，更新 1 行" in result
    assert reverse("admin:grids_household_changelist") in result

    # Confirming again (a double click, a reload of the form) returns the same job.
    response = _confirm(client, django_capture_on_commit_callbacks, preview)
    assert response["Location"] == f"/jobs/{confirm.pk}/"
    assert Job.objects.filter(kind=IMPORT_CONFIRM).count() == 1
    assert Household.objects.count() == before + 5


def test_a_redelivered_confirm_imports_nothing_twice(login, world, django_capture_on_commit_callbacks):
    client = login(world.secretary_a)
    before = Household.objects.count()
    _upload(client, django_capture_on_commit_callbacks, _rows(world))
    _confirm(client, django_capture_on_commit_callbacks, Job.objects.get(kind=IMPORT_PREVIEW))
    confirm = Job.objects.get(kind=IMPORT_CONFIRM)
    assert Household.objects.count() == before + 5
    # The task delivered again once the job is finished: nothing runs.
    assert jobs.job_run(confirm.pk) is False
    # The worker died after the import committed but before the job was marked done: run again.
    Job.objects.filter(pk=confirm.pk).update(status=Job.Status.RUNNING)
    assert jobs.job_run(confirm.pk) is True
    confirm.refresh_from_db()
    assert confirm.status == "done" and confirm.attempts == 2
    assert Household.objects.count() == before + 5


def test_another_user_gets_404_and_staff_over_the_scope_may_look(
    login, world, client, django_capture_on_commit_callbacks
):
    _upload(login(world.secretary_a), django_capture_on_commit_callbacks, _rows(world))
    preview = Job.objects.get(kind=IMPORT_PREVIEW)
    other = login(world.secretary_b)
    assert other.get(f"/jobs/{preview.pk}/").status_code == 404
    assert other.get(preview.result_url).status_code == 404
    assert (
        other.post(reverse("admin:grids_household_import_job_confirm", args=[preview.pk])).status_code == 404
    )
    assert not Job.objects.filter(kind=IMPORT_CONFIRM).exists()
    street = login(world.street_staff)
    assert street.get(preview.result_url).status_code == 200


def test_a_bad_row_shows_in_the_preview_and_nothing_can_be_confirmed(
    login, world, django_capture_on_commit_callbacks
):
    client = login(world.secretary_a)
    rows = _rows(world)
    rows[1][7] = "红色"
    _upload(client, django_capture_on_commit_callbacks, rows)
    preview = Job.objects.get(kind=IMPORT_PREVIEW)
    response = client.get(preview.result_url)
    assert [(n, c, cell) for n, c, cell, _r in response.context["changes"].errors] == [
        (2, "彩虹分类", "红色")
    ]
    page = response.content.decode()
    assert "部分行未通过校验" in page and "彩虹分类“红色”无效" in page and "确认导入" not in page
    response = _confirm(client, django_capture_on_commit_callbacks, preview)
    assert response.status_code == 404 and not Job.objects.filter(kind=IMPORT_CONFIRM).exists()


def test_a_small_file_keeps_the_inline_preview(login, world, django_capture_on_commit_callbacks):
    response = _upload(login(world.secretary_a), django_capture_on_commit_callbacks, _rows(world, count=1))
    assert response.status_code == 200 and response.context["changes"].counts["new"] == 1
    assert not Job.objects.exists()


def test_a_file_over_a_limit_is_refused_before_anything_is_queued(
    login, world, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_ROWS = 4
    response = _upload(login(world.secretary_a), django_capture_on_commit_callbacks, _rows(world))
    assert response.status_code == 200
    assert "文件超过 4 行，请分成几个文件导入。" in response.content.decode()
    assert not Job.objects.exists()


def test_the_kept_upload_goes_with_its_preview_job(login, world, django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    _upload(login(world.secretary_a), django_capture_on_commit_callbacks, _rows(world))
    preview = Job.objects.get(kind=IMPORT_PREVIEW)
    storage = preview.result.storage
    assert storage.exists(preview.params["upload"])
    jobs.jobs_tidy(now=timezone.now() + datetime.timedelta(days=30))
    assert not Job.objects.exists() and not storage.exists(preview.params["upload"])


def test_the_job_page_follows_rows_done_out_of_the_total(login, world, django_capture_on_commit_callbacks):
    from portal.jobs import _KINDS

    seen = []
    preview = _KINDS[IMPORT_PREVIEW]

    def recording(job, progress):
        def progress_and_record(percent, message=""):
            seen.append((int(percent), str(message)))
            progress(percent, message)

        return preview(job, progress_and_record)

    _KINDS[IMPORT_PREVIEW] = recording
    try:
        _upload(login(world.secretary_a), django_capture_on_commit_callbacks, _rows(world, count=149))
    finally:
        _KINDS[IMPORT_PREVIEW] = preview
    assert tuple(m for _p, m in seen[1:]) == (
        "已处理 50 / 150 行",
        "已处理 100 / 150 行",
        "已处理 150 / 150 行",
    )
    assert [p for p, _m in seen] == sorted(p for p, _m in seen)
    assert Job.objects.get(kind=IMPORT_PREVIEW).params["changes"]["counts"]["new"] == 149


def test_a_crash_during_the_import_leaves_nothing_half_written(
    login, world, monkeypatch, django_capture_on_commit_callbacks
):
    from django.contrib import admin

    client = login(world.secretary_a)
    before = Household.objects.count()
    _upload(client, django_capture_on_commit_callbacks, _rows(world))
    preview = Job.objects.get(kind=IMPORT_PREVIEW)
    model_admin = admin.site._registry[Household]

    def crash(*args, **kwargs):
        raise RuntimeError("worker lost")

    # The rows are written, then the run dies before it commits.
    monkeypatch.setattr(model_admin, "generate_log_entries", crash)
    _confirm(client, django_capture_on_commit_callbacks, preview)
    failed = Job.objects.get(kind=IMPORT_CONFIRM)
    assert failed.status == "failed" and "生成失败" in failed.message
    assert Household.objects.count() == before
    world.household_a.refresh_from_db()
    assert world.household_a.phone == "13812348000"

    monkeypatch.undo()
    response = _confirm(client, django_capture_on_commit_callbacks, preview)  # asked again: a new run
    confirm = Job.objects.filter(kind=IMPORT_CONFIRM).exclude(pk=failed.pk).get()
    assert response["Location"] == f"/jobs/{confirm.pk}/" and confirm.status == "done"
    assert Household.objects.count() == before + 5
