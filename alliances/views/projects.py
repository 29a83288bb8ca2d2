"""Pages of the projects list (项目清单): the list, a project with its progress, updates with photos, status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliances import access, selectors, services
from alliances.forms import (
    ProjectStatusForm,
    ProjectUpdateForm,
)
from alliances.models import (
    Project,
)
from alliances.views.common import PAGE_SIZE, _error_text, staff_or_liaison_required


@staff_or_liaison_required
def project_list(request):
    projects = selectors.projects_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Project.Status.values:
        projects = projects.filter(status=status)
    page = Paginator(projects.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "alliances/project_list.html",
        {"page": page, "status": status, "statuses": Project.Status.choices},
    )


def _project_context(request, project, **extra):
    user = request.user
    updates, history = selectors.project_timeline(project)
    can_post = access.can_post_update(user, project) and not project.is_finished
    context = {
        "project": project,
        "partners": project.partner_units.all(),
        "updates": updates,
        "history": history,
        "can_post": can_post,
        "can_manage": access.can_manage_project(user, project),
        "update_form": ProjectUpdateForm(can_set_progress=access.can_set_progress(user, project))
        if can_post
        else None,
        "status_form": ProjectStatusForm(current=project.status),
    }
    context.update(extra)
    return context


@login_required
def project_detail(request, pk):
    project = selectors.get_project_for_user_or_404(request.user, pk)
    return render(request, "alliances/project_detail.html", _project_context(request, project))


@login_required
def project_update_new(request, pk):
    """Phone-first: a liaison posts what happened, with photos."""
    project = selectors.get_project_for_user_or_404(request.user, pk)
    if not access.can_post_update(request.user, project):
        raise PermissionDenied
    can_set_progress = access.can_set_progress(request.user, project)
    if request.method != "POST":
        form = ProjectUpdateForm(can_set_progress=can_set_progress)
        return render(request, "alliances/project_update_form.html", {"project": project, "form": form})
    form = ProjectUpdateForm(request.POST, request.FILES, can_set_progress=can_set_progress)
    if form.is_valid():
        try:
            services.project_post_update(
                project=project,
                actor=request.user,
                text=form.cleaned_data["text"],
                progress_percent=form.cleaned_data.get("progress_percent"),
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("已发布进展。"))
            return redirect("alliances:project_detail", pk=project.pk)
    return render(
        request, "alliances/project_update_form.html", {"project": project, "form": form}, status=400
    )


@require_POST
@login_required
def project_status(request, pk):
    project = selectors.get_project_for_user_or_404(request.user, pk)
    if not access.can_manage_project(request.user, project):
        raise PermissionDenied
    form = ProjectStatusForm(request.POST, current=project.status)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("alliances:project_detail", pk=project.pk)
    try:
        services.project_set_status(
            project=project,
            to_status=form.cleaned_data["to_status"],
            actor=request.user,
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("项目状态已更新。"))
    return redirect("alliances:project_detail", pk=project.pk)


@login_required
def photo(request, pk):
    """A progress photo, for those who may see its project; never by its file path."""
    item = selectors.get_photo_for_user_or_404(request.user, pk)
    try:
        handle = item.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="photo-{item.pk}.jpg"'
    return response
