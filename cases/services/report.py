"""How cases come in: a resident's QR report, a grid worker's, a visit's follow-up, a wish; and a case that becomes a wish."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import access, events
from cases.models import Case, CasePhoto, CaseState, Source
from cases.services.common import (
    check,
    first_level,
    lock_case,
    record,
    save_photos,
    start_sign_clock,
    text,
)
from grids.models import Grid, Visit
from portal.access import require, staff_over
from wishes import services as wish_services
from wishes.models import Wish
from wishes.services.common import with_unique_code


class TooManyCases(ValidationError):
    """The phone number reported CASES_SUBMITS_PER_PHONE cases in the last 24 hours."""


def _check_category(category, grid):
    street = grid.get_root()
    if category is None or not category.active or category.street_id != street.pk:
        raise ValidationError({"category": _("请从列表中选择事件类别。")})


def _check_photos(photos):
    if len(photos) > Case.MAX_PHOTOS:
        raise ValidationError({"photos": _("最多上传 %(n)s 张照片。") % {"n": Case.MAX_PHOTOS}})


def _create(
    *,
    grid,
    category,
    source,
    description,
    address,
    reporter_name,
    reporter_phone,
    by,
    now,
    code=None,
    **links,
):
    if grid.kind not in (Grid.Kind.GRID, Grid.Kind.COMMUNITY):
        raise ValidationError({"grid": _("事件要落在社区或网格上。")})
    _check_category(category, grid)
    description = text(description, minimum=5, maximum=500, field="description", what=_("问题描述"))
    community = grid.community

    def make(new_code):
        case = Case(
            code=code or new_code,
            grid=grid,
            community=community,
            street_id=community.parent_id,
            category=category,
            source=source,
            description=description,
            address=(address or "").strip()[:100],
            reporter_name=(reporter_name or "").strip()[:20],
            reporter_phone=reporter_phone or "",
            reported_by=by if by is not None and by.is_authenticated else None,
            reported_at=now,
            state=CaseState.REPORTED,
            level=first_level(category, grid),
            **links,
        )
        start_sign_clock(case, now)
        case.full_clean(exclude=["code", "community", "street", "holder"])
        case.save()
        return case

    return with_unique_code(make)


@transaction.atomic
def case_report_resident(
    *, grid, category, description, phone, address="", name="", location=None, photos=()
):
    """A resident's report from a grid's QR code; returns the case with its tracking code."""
    now = timezone.now()
    _check_photos(photos)
    since = now - datetime.timedelta(hours=24)
    if (
        Case.objects.filter(reporter_phone=phone, reported_at__gte=since).count()
        >= settings.CASES_SUBMITS_PER_PHONE
    ):
        raise TooManyCases(
            _("这个手机号 24 小时内已经反映了 %(n)s 件事，请明天再提交，或直接打电话给社区。")
            % {"n": settings.CASES_SUBMITS_PER_PHONE}
        )
    latitude, longitude = location or (None, None)
    case = _create(
        grid=grid,
        category=category,
        source=Source.RESIDENT,
        description=description,
        address=address,
        reporter_name=name,
        reporter_phone=phone,
        by=None,
        now=now,
        latitude=latitude,
        longitude=longitude,
    )
    event = record(case, "report", at=now)
    save_photos(case, photos, stage=CasePhoto.Stage.REPORT, now=now)
    events.case_reported.send(sender=Case, case=case, event=event)
    return case


@transaction.atomic
def case_report_worker(
    *, by, grid, category, description, address="", phone="", name="", photos=(), household=None
):
    """A grid worker (or staff) reports what they found on the spot."""
    require(access.may_report(by, grid), _("这个网格不在您的管辖范围内。"))
    _check_photos(photos)
    if household is not None and household.grid_id != grid.pk:
        raise ValidationError({"household": _("住户不在这个网格内。")})
    now = timezone.now()
    case = _create(
        grid=grid,
        category=category,
        source=Source.GRID_WORKER,
        description=description,
        address=address,
        reporter_name=name,
        reporter_phone=phone,
        by=by,
        now=now,
        household=household,
    )
    event = record(case, "report", at=now, actor=by)
    save_photos(case, photos, stage=CasePhoto.Stage.REPORT, by=by, now=now)
    events.case_reported.send(sender=Case, case=case, event=event)
    return case


@transaction.atomic
def case_from_visit(*, by, visit, category):
    """One tap on a visit's follow-up: a case with the visit and household linked; the follow-up is handed over."""
    visit = Visit.objects.select_for_update().select_related("household", "grid").get(pk=visit.pk)
    require(access.may_report(by, visit.grid), _("这条走访记录不在您的管辖范围内。"))
    if not visit.follow_up_pending:
        raise ValidationError(_("这次走访没有待跟进的事项。"))
    if Case.objects.filter(visit=visit).exists():
        raise ValidationError(_("这条走访的跟进已经转为事件了。"))
    now = timezone.now()
    description = (visit.findings or "").strip()
    if len(description) < 5:
        description = _("走访发现需要跟进：%(text)s") % {"text": description}
    case = _create(
        grid=visit.grid,
        category=category,
        source=Source.VISIT,
        description=description[:500],
        address=visit.household.address_label,
        reporter_name=visit.household.head_name,
        reporter_phone=visit.household.phone,
        by=by,
        now=now,
        visit=visit,
        household=visit.household,
    )
    event = record(case, "report", at=now, actor=by, note=_("由入户走访转为事件"))
    events.case_reported.send(sender=Case, case=case, event=event)
    return case


@transaction.atomic
def case_from_wish(*, by, wish, category):
    """A wish that is really a problem for the grid becomes a case, keeping the resident's tracking code."""
    wish = Wish.objects.select_for_update(of=("self",)).select_related("grid").get(pk=wish.pk)
    require(staff_over(by, wish.grid, "wishes.review_wish"), _("这个心愿不在您的管辖范围内。"))
    unclaimed = wish.status == Wish.Status.SUBMITTED or (
        wish.status == Wish.Status.PUBLISHED and not wish.claimed_count
    )
    if not unclaimed:
        raise ValidationError(_("只有待审核或尚无人认领的心愿可以转为事件。"))
    now = timezone.now()
    keep = None if Case.objects.filter(code=wish.code).exists() else wish.code
    case = _create(
        grid=wish.grid,
        category=category,
        source=Source.WISH,
        description=wish.text,
        address=wish.address,
        reporter_name=wish.name,
        reporter_phone=wish.phone,
        by=by,
        now=now,
        code=keep,
        wish=wish,
        household=wish.household,
    )
    event = record(case, "from_wish", at=now, actor=by, note=_("由微心愿转入，查询码不变"))
    reason = _("已转为网格事件办理，请用同一查询码在“事件查询”查看进展。")
    if wish.status == Wish.Status.SUBMITTED:
        wish_services.wish_reject(wish=wish, by=by, reason=reason)
    else:
        wish_services.wish_close(wish=wish, by=by, reason=reason)
    events.case_reported.send(sender=Case, case=case, event=event)
    return case


@transaction.atomic
def case_to_wish(*, by, case, wanted_by=None):
    """A case that is really a personal need becomes a micro-wish; the history stays, the code is kept."""
    case = lock_case(case)
    check(case, "to_wish")
    require(access.may_handle(by, case), _("这件事不在您的管辖范围内。"))
    if not case.reporter_phone:
        raise ValidationError(_("没有居民的手机号，不能转为微心愿（心愿需要联系居民）。"))
    wanted_by = wanted_by or timezone.localdate() + datetime.timedelta(days=30)
    wish = wish_services.wish_submit(
        name=case.reporter_name or _("居民"),
        phone=case.reporter_phone,
        grid=case.grid,
        category=Wish.Category.OTHER,
        text=case.description[:300],
        wanted_by=wanted_by,
        address=(case.household.address_label if case.household_id else "")[:40],
        submitted_by=by,
        limit_phone=False,
    )
    if not Wish.objects.filter(code=case.code).exists():
        Wish.objects.filter(pk=wish.pk).update(code=case.code)
        wish.code = case.code
    now = timezone.now()
    before = case.state
    case.state = CaseState.TO_WISH
    case.wish = wish
    case.closed_at = now
    case.save(update_fields=["state", "wish", "closed_at"])
    record(
        case, "to_wish", at=now, actor=by, from_state=before, note=_("转为微心愿，由志愿者、服务队或单位认领")
    )
    return wish
