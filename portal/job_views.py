"""The page of a background job (portal.jobs): its progress, then its result.

Only who started the job, or staff over its node holding the permission its
result needs, may open it; anyone else gets the same 404 as for a job that
does not exist. The file is private media, served here after that check.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from portal.jobs import job_visible_to
from portal.models import Job


def _job_or_404(user, pk):
    job = Job.objects.select_related("scope").filter(pk=pk).first()
    if job is None or not job_visible_to(user, job):
        raise Http404
    return job


def job_state(job):
    """What the page and its polling script show."""
    state = {
        "status": job.status,
        "label": job.get_status_display(),
        "progress": job.progress,
        "message": job.message,
        "finished": job.is_finished,
    }
    if job.status == Job.Status.DONE:
        state["url"] = job.result_url or reverse("portal:job_file", args=[job.pk])
        state["name"] = job.result_name
    return state


@never_cache
@login_required
def job_detail(request, pk):
    job = _job_or_404(request.user, pk)
    back = job.params.get("back", "")
    back = back if back.startswith("/") and not back.startswith("//") else ""
    return render(request, "portal/job.html", {"job": job, "state": job_state(job), "back": back})


@never_cache
@login_required
def job_status(request, pk):
    return JsonResponse(job_state(_job_or_404(request.user, pk)))


@login_required
def job_file(request, pk):
    job = _job_or_404(request.user, pk)
    if job.status != Job.Status.DONE or not job.result:
        raise Http404
    try:
        handle = job.result.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=job.result_name or job.result.name)
    response["Cache-Control"] = "private, no-store"
    return response
