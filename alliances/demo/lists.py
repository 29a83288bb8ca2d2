"""The three lists of the demo: resources, needs, and 57 projects with their dated histories and updates."""

import datetime
from decimal import Decimal

from django.utils import timezone

from alliances import services
from alliances.demo.data import (
    NEEDS_BY_KIND,
    NEEDS_PER_COMMUNITY,
    PROJECT_MONTHS,
    PROJECTS,
    RESOURCES_BY_UNIT_KIND,
    UPDATE_TEXTS,
    R,
)
from alliances.models import (
    Membership,
    MemberUnit,
    Need,
    NeedStatusChange,
    Project,
    ProjectStatusChange,
    ProjectUpdate,
    Resource,
)


def resources(ctx, units, today):
    rng = ctx.rng_for("resources")
    resources = []
    for unit in units:
        offers = RESOURCES_BY_UNIT_KIND[unit.kind]
        community = unit.grid if unit.grid_id != ctx.street.pk else None
        for kind, title, quantity, measure in offers[: rng.randint(2, len(offers))]:
            limited = rng.random() < 0.25
            resources.append(
                Resource(
                    unit=unit,
                    kind=kind,
                    title=title,
                    quantity=quantity,
                    quantity_unit=measure,
                    # Money and skills serve the whole street; places and people their community.
                    community=None if kind in (R.FUNDS, R.SKILLS) else community,
                    available_from=today - datetime.timedelta(days=rng.randint(200, 400)),
                    available_until=today + datetime.timedelta(days=rng.randint(20, 90)) if limited else None,
                    description=f"{unit.name}提供的{title}，需提前一周与联络员预约。",
                )
            )
    Resource.objects.bulk_create(resources)
    ctx.count("resources", len(resources))
    return resources


def needs(ctx, today, staff):
    rng = ctx.rng_for("needs")
    needs = []
    for community in ctx.communities:
        titles = [(kind, title) for kind, names in NEEDS_BY_KIND.items() for title in names]
        for kind, title in rng.sample(titles, NEEDS_PER_COMMUNITY):
            raised = today - datetime.timedelta(days=rng.randint(3, 30 * PROJECT_MONTHS + 20))
            needs.append(
                Need(
                    community=community,
                    title=title,
                    kind=kind,
                    quantity=rng.choice([None, 1, 2, 5, 10]),
                    priority=Need.Priority.HOT if rng.random() < 0.25 else Need.Priority.GENERAL,
                    raised_on=raised,
                    wanted_by=raised + datetime.timedelta(days=rng.randint(30, 150)),
                    raised_by=staff,
                    description=f"{community.name}居民反映：{title}。",
                )
            )
    Need.objects.bulk_create(needs)
    NeedStatusChange.objects.bulk_create(
        [
            NeedStatusChange(
                need=need,
                from_status="",
                to_status=Need.Status.OPEN,
                changed_at=at(need.raised_on, 9),
                changed_by=staff,
                note="登记需求",
            )
            for need in needs
        ]
    )
    ctx.count("needs", len(needs))
    return needs


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))


def projects(ctx, needs, resources, street_alliance, committees, staff, now):
    """57 projects matched from the oldest needs, over the last 8 months, with their histories."""
    rng = ctx.rng_for("projects")
    today = now.date()
    earliest = today - datetime.timedelta(days=30 * PROJECT_MONTHS)
    committee_of = {c.grid_id: c for c in committees}
    committee_members = {
        (m.alliance_id, m.unit_id)
        for m in Membership.objects.filter(alliance__in=committees).only("alliance", "unit")
    }
    liaison_of = {
        row.memberunit_id: row.user_id
        for row in MemberUnit.liaisons.through.objects.filter(memberunit__in={r.unit_id for r in resources})
    }
    members = [r.unit for r in resources]
    candidates = sorted(
        (n for n in needs if n.raised_on >= earliest - datetime.timedelta(days=20)), key=lambda n: n.raised_on
    )
    chosen = rng.sample(candidates, min(PROJECTS, len(candidates)))
    chosen.sort(key=lambda n: n.raised_on)
    projects, plans = [], []
    for i, need in enumerate(chosen):
        same_kind = [r for r in resources if r.kind == need.kind]
        local = [r for r in same_kind if r.community_id in (need.community_id, None)]
        resource = rng.choice(local or same_kind)
        committee = committee_of[need.community_id]
        alliance = committee if (committee.pk, resource.unit_id) in committee_members else street_alliance
        created = max(at(need.raised_on, 10) + datetime.timedelta(days=rng.randint(2, 20)), at(earliest, 10))
        created = min(created, now - datetime.timedelta(days=2))
        age = (now - created).days
        duration = rng.randint(35, 110)
        if i in (7, 31):
            status = Project.Status.CANCELLED
        elif age > duration + 5:
            status = Project.Status.COMPLETED
        elif age > 12:  # the first update comes within 11 days of the creation
            status = Project.Status.IN_PROGRESS
        else:
            status = Project.Status.PLANNED
        start = (created + datetime.timedelta(days=rng.randint(1, 6))).date()
        completed = (
            created + datetime.timedelta(days=duration, hours=rng.randint(0, 6))
            if status == "completed"
            else None
        )
        project = Project(
            title=need.title,
            description=f"{resource.unit.name}以“{resource.title}”对接{need.community.name}的需求：{need.title}。",
            alliance=alliance,
            community_id=need.community_id,
            need=need,
            resource=resource,
            lead_unit=resource.unit,
            budget=Decimal(rng.randrange(2000, 60000, 500)),
            start_on=start,
            end_on=start + datetime.timedelta(days=duration),
            status=status,
            completed_at=completed,
            created_by=staff,
            created_at=created,
        )
        projects.append(project)
        plans.append((need, project, created, duration, liaison_of.get(resource.unit_id)))
    Project.objects.bulk_create(projects)
    partners = []
    for project in projects:
        others = [u for u in rng.sample(members, 4) if u.pk != project.lead_unit_id]
        for unit in others[: rng.randint(0, 2)]:
            partners.append(Project.partner_units.through(project_id=project.pk, memberunit_id=unit.pk))
    Project.partner_units.through.objects.bulk_create(partners, ignore_conflicts=True)
    _project_histories(ctx, rng, plans, staff, now)
    for project in projects:
        if project.status == Project.Status.COMPLETED:
            services.award_project_points(project)
    ctx.count("projects", len(projects))


def _project_histories(ctx, rng, plans, staff, now):
    changes, need_changes, updates = [], [], []
    need_updates = []
    for need, project, created, duration, liaison in plans:
        changes.append(
            _change(ProjectStatusChange, project=project, to="planned", at=created, by=staff, note="匹配立项")
        )
        need_changes.append(
            _change(
                NeedStatusChange,
                need=need,
                frm="open",
                to="matched",
                at=created,
                by=staff,
                note=f"立项：{project.title}",
            )
        )
        need.status, need.matched_at = Need.Status.MATCHED, created
        if project.status == Project.Status.PLANNED:
            need_updates.append(need)
            continue
        end = project.completed_at or now
        if project.status == Project.Status.CANCELLED:
            end = created + datetime.timedelta(days=rng.randint(15, 40))
        when = at(project.start_on, 10) + datetime.timedelta(
            days=rng.randint(1, 5), minutes=rng.randint(0, 300)
        )
        progress, first = 0, None
        while when < end and when < now:
            first = first or when
            share = (when - created) / datetime.timedelta(days=duration)
            progress = max(progress, min(95, int(share * 100) // 5 * 5 + 10))
            updates.append(
                ProjectUpdate(
                    project=project,
                    unit=project.lead_unit,
                    posted_by_id=liaison or staff.pk,
                    posted_at=when,
                    text=rng.choice(UPDATE_TEXTS).format(n=rng.randint(12, 160)),
                    progress_percent=progress,
                )
            )
            when += datetime.timedelta(days=rng.randint(12, 28), hours=rng.randint(0, 8))
        first = first or created + datetime.timedelta(days=1)
        changes.append(
            _change(
                ProjectStatusChange,
                project=project,
                frm="planned",
                to="in_progress",
                at=first,
                by=staff,
                note="发布首条进展",
            )
        )
        if project.status == Project.Status.COMPLETED:
            updates.append(
                ProjectUpdate(
                    project=project,
                    unit=project.lead_unit,
                    posted_by_id=liaison or staff.pk,
                    posted_at=project.completed_at - datetime.timedelta(hours=2),
                    text="项目全部完成，已提交验收材料。",
                    progress_percent=100,
                )
            )
            changes.append(
                _change(
                    ProjectStatusChange,
                    project=project,
                    frm="in_progress",
                    to="completed",
                    at=project.completed_at,
                    by=staff,
                    note="验收合格",
                )
            )
            need_changes.append(
                _change(
                    NeedStatusChange,
                    need=need,
                    frm="matched",
                    to="closed",
                    at=project.completed_at,
                    by=staff,
                    note=f"项目完成：{project.title}",
                )
            )
            need.status, need.closed_at = Need.Status.CLOSED, project.completed_at
            need.close_reason = f"项目完成：{project.title}"
            project.progress_percent = 100
        elif project.status == Project.Status.CANCELLED:
            changes.append(
                _change(
                    ProjectStatusChange,
                    project=project,
                    frm="in_progress",
                    to="cancelled",
                    at=end,
                    by=staff,
                    note="场地改建，项目暂停",
                )
            )
            need_changes.append(
                _change(
                    NeedStatusChange,
                    need=need,
                    frm="matched",
                    to="open",
                    at=end,
                    by=staff,
                    note=f"项目取消：{project.title}",
                )
            )
            need.status = Need.Status.OPEN
            project.progress_percent = progress
        else:
            project.progress_percent = progress
        need_updates.append(need)
    ProjectStatusChange.objects.bulk_create(changes)
    NeedStatusChange.objects.bulk_create(need_changes)
    ProjectUpdate.objects.bulk_create(updates, batch_size=1000)
    Need.objects.bulk_update(need_updates, ["status", "matched_at", "closed_at", "close_reason"])
    Project.objects.bulk_update([p for _n, p, *_ in plans], ["progress_percent"])
    ctx.count("project updates", len(updates))


def _change(model, *, to, at, by, note, frm="", **subject):
    return model(**subject, from_status=frm, to_status=to, changed_at=at, changed_by=by, note=note)
