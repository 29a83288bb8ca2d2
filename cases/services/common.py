"""What the case services share: the lock, the check against the transition table, the event log, clocks and photos."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import transitions
from cases.models import Case, CaseEvent, CasePhoto, Dispatch, Level
from cases.worktime import add_working_hours


class CaseRefused(ValidationError):
    """An action the case's state (or a faster colleague) does not allow, told in words people read."""


def lock_case(case):
    """The case row, locked for the rest of the transaction (lock, re-check, change, record)."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("grid", "community", "street", "category")
        .get(pk=case.pk)
    )


def lock_dispatch(dispatch):
    """A dispatch and its case, the case locked first (every path locks case before dispatch)."""
    case = lock_case(dispatch.case)
    found = (
        Dispatch.objects.select_for_update(of=("self",))
        .select_related("department", "unit")
        .get(pk=dispatch.pk)
    )
    return case, found


def _refusal(row, action, state_label):
    """ "已被张三于 06-01 10:20 受理，现在是“办理中”": who got there first, when the state says no."""
    events = CaseEvent.objects.select_related("actor")
    if isinstance(row, Dispatch):
        last = events.filter(dispatch=row).order_by("-at", "-pk").first()
    else:
        last = events.filter(case=row).order_by("-at", "-pk").first()
    label = transitions.ACTIONS[action].label
    if last is not None and last.action not in ("report", "from_wish"):
        who = (last.actor.get_full_name() or last.actor.get_username()) if last.actor else _("系统")
        return CaseRefused(
            _("已被%(who)s于 %(when)s %(did)s处理，现在是“%(state)s”，不能再%(action)s。")
            % {
                "who": who,
                "when": timezone.localtime(last.at).strftime("%m-%d %H:%M"),
                "did": last.action_label,
                "state": state_label,
                "action": label,
            }
        )
    return CaseRefused(
        _("这件事现在是“%(state)s”，不能%(action)s。") % {"state": state_label, "action": label}
    )


def check(row, action):
    """Refuse unless the transition table allows `action` from the row's state."""
    if not transitions.allowed(action, row.state):
        raise _refusal(row, action, row.get_state_display())


def record(case, action, *, at, actor=None, dispatch=None, from_state="", note="", public=True):
    actor = actor if actor is not None and actor.is_authenticated else None
    event = CaseEvent.objects.create(
        case=case,
        dispatch=dispatch,
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=(dispatch.state if dispatch is not None else case.state),
        level=case.level,
        note=(note or "")[:300],
        public=public,
        at=at,
    )
    return event


def start_sign_clock(case, now):
    """The case waits at a (new) level: the time to accept it starts now."""
    case.sign_due_at = add_working_hours(now, case.category.sign_hours)
    case.finish_due_at = None
    case.near_reminded_at = None
    case.holder = None


def start_finish_clock(case, now, hours=None):
    case.finish_due_at = add_working_hours(now, hours if hours is not None else case.category.finish_hours)
    case.near_reminded_at = None


def first_level(category, grid):
    """Where a new case waits first: the category's level, but never below the node it was filed on."""
    level = category.first_level
    if grid.kind == "community" and level == Level.GRID:
        return Level.COMMUNITY
    return level


def save_photos(case, photos, *, stage, by=None, dispatch=None, now=None):
    """Store photos that passed portal.photos (ContentFiles of re-encoded JPEGs).

    Services call it last, after every check, so a refused action writes no file.
    """
    now = now or timezone.now()
    for content in photos:
        by = by if by is not None and by.is_authenticated else None
        photo = CasePhoto(case=case, dispatch=dispatch, stage=stage, uploaded_by=by, uploaded_at=now)
        photo.image.save("photo.jpg", content, save=False)
        photo.save()


def text(value, *, minimum, maximum, field, what):
    """A person's text, stripped and within its limits, or a ValidationError naming the field."""
    value = (value or "").strip()
    if len(value) < minimum:
        raise ValidationError({field: _("%(what)s至少 %(n)s 个字。") % {"what": what, "n": minimum}})
    if len(value) > maximum:
        raise ValidationError({field: _("%(what)s最多 %(n)s 个字。") % {"what": what, "n": maximum}})
    return value


def handled_result(result, photos):
    """A handler's result text and photos within their limits (a grid's own finish, a responder's)."""
    result = text(result, minimum=2, maximum=1000, field="result", what=_("办理结果"))
    if len(photos) > Case.MAX_PHOTOS:
        raise CaseRefused(_("最多上传 %(n)s 张照片。") % {"n": Case.MAX_PHOTOS})
    return result
