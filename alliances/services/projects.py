"""The third list, projects (项目清单): created from a match, their status, progress updates and points."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances import access, events
from alliances.models import (
    Alliance,
    Membership,
    Need,
    Project,
    ProjectPhoto,
    ProjectStatusChange,
    ProjectUpdate,
    Resource,
)
from alliances.photos import MAX_PHOTOS
from alliances.services.lists import _need_transition, decline_waiting_offers
from points.services import points_award
from portal.access import require, staff_over


def _project_record(project, from_status, actor, note="", at=None):
    ProjectStatusChange.objects.create(
        project=project,
        from_status=from_status,
        to_status=project.status,
        changed_at=at or timezone.now(),
        changed_by=actor,
        note=note[:200],
    )


@transaction.atomic
def project_create(*, project, actor, note):
    """Start a project built by the admin's form, with its first status row.

    Partner units (many-to-many) are set by the caller once the project is saved.
    """
    require(staff_over(actor, project.community, "alliances.add_project"))
    project.created_by = actor
    project.full_clean()
    project.save()
    _project_record(project, "", actor, note)
    return project


def alliance_for_match(need, unit, on=None):
    """The alliance a matched project runs under: the community's committee if the unit
    is a member of it, otherwise the street's alliance; None if it is in neither."""
    on = on or timezone.localdate()
    community = need.community
    candidates = Alliance.objects.filter(grid__in=[community.pk, community.parent_id]).select_related("grid")
    member_of = {
        m.alliance_id: m
        for m in Membership.objects.filter(alliance__in=candidates, unit=unit)
        if m.is_member_on(on)
    }
    ordered = sorted(candidates, key=lambda a: a.grid.level, reverse=True)  # community first
    return next((a for a in ordered if a.pk in member_of), None)


@transaction.atomic
def project_create_from_match(
    *,
    need,
    resource,
    actor,
    title="",
    start_on=None,
    end_on=None,
    budget=0,
    partner_units=(),
    description="",
):
    """Turn a suggested match into a project in one step; the need becomes matched."""
    need = Need.objects.select_for_update(of=("self",)).select_related("community__parent").get(pk=need.pk)
    require(staff_over(actor, need.community, "alliances.add_project"))
    if need.status != Need.Status.OPEN:
        raise ValidationError(
            _("该需求当前为“%(status)s”，只有待匹配的需求可以立项。") % {"status": need.get_status_display()}
        )
    resource = Resource.objects.select_related("unit__grid").get(pk=resource.pk)
    if not resource.is_active:
        raise ValidationError(_("该资源已撤回，不能用于立项。"))
    require(
        staff_over(actor, resource.unit.grid, "alliances.view_resource"),
        _("该资源不在您的管辖范围内。"),
    )
    return _project_from_match(
        need=need,
        unit=resource.unit,
        resource=resource,
        actor=actor,
        title=title,
        start_on=start_on,
        end_on=end_on,
        budget=budget,
        partner_units=partner_units,
        description=description,
    )


def _project_from_match(
    *, need, unit, resource, actor, title, start_on, end_on, budget, partner_units, description, offer=None
):
    """The project of a matched need (a locked, open need): led by `unit`, under the community's
    committee or the street's alliance; the need becomes matched and the unit's liaisons are told.
    Units' offers still waiting on the need are declined: it is taken."""
    alliance = alliance_for_match(need, unit)
    if alliance is None:
        raise ValidationError(_("“%(unit)s”不是本社区或本街道联盟的现任成员单位。") % {"unit": unit})
    project = Project(
        title=(title or need.title)[:100],
        description=description or need.description,
        alliance=alliance,
        community=need.community,
        need=need,
        resource=resource,
        lead_unit=unit,
        budget=budget or 0,
        start_on=start_on,
        end_on=end_on,
        created_by=actor,
    )
    project.full_clean()
    project.save()
    partners = [u for u in partner_units if u.pk != unit.pk]
    if partners:
        project.partner_units.set(partners)
    _project_record(project, "", actor, _("由需求“%(need)s”匹配立项") % {"need": need.title})
    _need_transition(need, Need.Status.MATCHED, actor, _("立项：%(project)s") % {"project": project.title})
    events.project_matched.send(sender=Project, project=project, need=need, offer=offer)
    decline_waiting_offers(need, actor, _("需求已匹配给其他单位。"), exclude=offer)
    return project


def _project_transition(project, to_status, actor, note="", at=None):
    allowed = {
        Project.Status.PLANNED: {Project.Status.IN_PROGRESS, Project.Status.CANCELLED},
        Project.Status.IN_PROGRESS: {Project.Status.COMPLETED, Project.Status.CANCELLED},
        Project.Status.COMPLETED: set(),
        Project.Status.CANCELLED: set(),
    }
    if to_status not in allowed[project.status]:
        raise ValidationError(
            _("项目当前为“%(now)s”，不能改为“%(to)s”。")
            % {"now": project.get_status_display(), "to": Project.Status(to_status).label}
        )
    at = at or timezone.now()
    previous = project.status
    project.status = to_status
    fields = ["status"]
    if to_status == Project.Status.COMPLETED:
        project.completed_at, project.progress_percent = at, 100
        fields += ["completed_at", "progress_percent"]
    project.save(update_fields=fields)
    _project_record(project, previous, actor, note, at)
    if to_status == Project.Status.COMPLETED:
        award_project_points(project)
    _project_need_follows(project, actor, at)
    return project


def _project_need_follows(project, actor, at):
    """A completed project closes its need; a cancelled one sends it back to matching."""
    if project.need_id is None:
        return
    need = Need.objects.select_for_update(of=("self",)).get(pk=project.need_id)
    if project.status == Project.Status.COMPLETED and need.status == Need.Status.MATCHED:
        _need_transition(need, Need.Status.CLOSED, actor, _("项目完成：%(p)s") % {"p": project.title}, at)
    elif project.status == Project.Status.CANCELLED and need.status == Need.Status.MATCHED:
        still_active = need.projects.filter(status__in=Project.ACTIVE).exclude(pk=project.pk).exists()
        if not still_active:
            _need_transition(need, Need.Status.OPEN, actor, _("项目取消：%(p)s") % {"p": project.title}, at)


@transaction.atomic
def project_set_status(*, project, to_status, actor, note=""):
    """Start, complete (验收) or cancel a project; staff only. Completion earns the lead unit points."""
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("community", "lead_unit__grid")
        .get(pk=project.pk)
    )
    require(access.can_manage_project(actor, project))
    if to_status == Project.Status.CANCELLED and not (note or "").strip():
        raise ValidationError(_("取消项目请写明原因。"))
    return _project_transition(project, to_status, actor, note)


def award_project_points(project):
    """Points for the lead unit of a completed project; a second call earns nothing."""
    if project.status != Project.Status.COMPLETED:
        return None
    return points_award(
        rule_code="project_completed",
        subject=project.lead_unit,
        source=project,
        occurred_at=project.completed_at,
    )


@transaction.atomic
def project_post_update(*, project, actor, text, progress_percent=None, photos=(), posted_at=None):
    """A dated progress update with optional photos (already checked by alliances.photos).

    Liaisons of the lead and partner units post; only the lead unit's liaison
    (or staff) states the progress in percent. The first update of a project in
    preparation marks it as started.
    """
    project = (
        Project.objects.select_for_update(of=("self",))
        .select_related("community", "lead_unit")
        .get(pk=project.pk)
    )
    require(access.can_post_update(actor, project), _("只有参与该项目的单位联络员可以发布进展。"))
    if project.is_finished:
        raise ValidationError(
            _("项目已%(status)s，不能再发布进展。") % {"status": project.get_status_display()}
        )
    if progress_percent is not None:
        if not access.can_set_progress(actor, project):
            raise PermissionDenied(_("进度百分比由牵头单位填写。"))
        if not 0 <= progress_percent <= 100:
            raise ValidationError(_("进度应在 0 到 100 之间。"))
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(_("每次最多上传 4 张照片。"))
    posted_at = posted_at or timezone.now()
    update = ProjectUpdate(
        project=project,
        unit=access.posting_unit(actor, project),
        posted_by=actor,
        posted_at=posted_at,
        text=text,
        progress_percent=progress_percent,
    )
    update.full_clean()
    update.save()
    for content, width, height in photos:
        photo = ProjectPhoto(update=update, width=width, height=height)
        photo.image.save("photo.jpg", content, save=False)
        photo.save()
    if project.status == Project.Status.PLANNED:
        _project_transition(project, Project.Status.IN_PROGRESS, actor, _("发布首条进展"), posted_at)
    if progress_percent is not None and progress_percent != project.progress_percent:
        project.progress_percent = progress_percent
        project.save(update_fields=["progress_percent"])
    return update
