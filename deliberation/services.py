"""Writes for deliberation: raise and vet topics, hold sessions, count one vote per household, follow resolutions."""

import datetime
import hashlib
import hmac
import secrets
import unicodedata

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.services.report import case_report_worker
from deliberation.models import Resolution, Session, Topic, Vote, VoteCode
from grids.models import Grid
from portal.access import require, staff_over
from portal.roles import Role, has_role
from portal.scoping import in_scope, scope_node
from wishes.models import CODE_ALPHABET
from wishes.services.common import with_unique_code

VOTE_CODE_LENGTH = 8


class TooManyTopics(ValidationError):
    """The phone number raised DELIBERATION_TOPICS_PER_PHONE topics in the last 24 hours."""


def _text(value, *, field, what, minimum, maximum):
    value = (value or "").strip()
    if len(value) < minimum:
        raise ValidationError(
            {field: _("请写清楚%(what)s（至少 %(n)s 个字）。") % {"what": what, "n": minimum}}
        )
    if len(value) > maximum:
        raise ValidationError({field: _("%(what)s最多 %(n)s 个字。") % {"what": what, "n": maximum}})
    return value


def _community_of(grid):
    if grid.kind == Grid.Kind.COMMUNITY:
        return grid
    if grid.kind == Grid.Kind.GRID:
        return grid.parent
    raise ValidationError({"grid": _("议题要落在社区或网格上。")})


def _new_topic(*, grid, title, description, source, now, **fields):
    community = _community_of(grid)
    title = _text(title, field="title", what=_("议题"), minimum=4, maximum=60)
    description = _text(description, field="description", what=_("具体情况"), minimum=10, maximum=1000)

    def make(code):
        return Topic.objects.create(
            code=code,
            community=community,
            grid=grid if grid.kind == Grid.Kind.GRID else None,
            title=title,
            description=description,
            source=source,
            created_at=now,
            **fields,
        )

    return with_unique_code(make)


@transaction.atomic
def topic_raise_resident(*, grid, title, description, phone, name=""):
    """A resident raises a matter from the grid's QR code; returns the topic with its tracking code."""
    now = timezone.now()
    since = now - datetime.timedelta(hours=24)
    limit = settings.DELIBERATION_TOPICS_PER_PHONE
    if Topic.objects.filter(resident_phone=phone, created_at__gte=since).count() >= limit:
        raise TooManyTopics(
            _("这个手机号 24 小时内已经提出了 %(n)s 个议题，请明天再提，或直接联系社区。") % {"n": limit}
        )
    return _new_topic(
        grid=grid,
        title=title,
        description=description,
        source=Topic.Source.RESIDENT,
        now=now,
        resident_phone=phone,
        resident_name=(name or "").strip()[:20],
    )


@transaction.atomic
def topic_raise(*, by, grid, title, description):
    """A grid worker or the community's staff raise a matter they found."""
    require(in_scope(by, grid), _("这个网格不在您的管辖范围内。"))
    source = Topic.Source.GRID_WORKER if has_role(by, Role.GRID_WORKER) else Topic.Source.STAFF
    return _new_topic(
        grid=grid, title=title, description=description, source=source, now=timezone.now(), raised_by=by
    )


@transaction.atomic
def topic_from_case(*, by, case):
    """A grid case that needs residents to decide together becomes a topic (the case stays as it is)."""
    require(staff_over(by, case.community), _("这件事不在您的管辖范围内。"))
    if Topic.objects.filter(case=case).exists():
        raise ValidationError(_("这件事已经转为议题。"))
    return _new_topic(
        grid=case.grid,
        title=f"{case.category.name}：{case.description[:40]}",
        description=case.description if len(case.description) >= 10 else f"{case.description}（{case.code}）",
        source=Topic.Source.CASE,
        now=timezone.now(),
        raised_by=by,
        case=case,
    )


def _lock_topic(topic):
    return Topic.objects.select_for_update().select_related("community").get(pk=topic.pk)


@transaction.atomic
def topic_vet(*, by, topic, accept, reason):
    """The community's party organisation accepts the matter (with its reason) or declines it."""
    topic = _lock_topic(topic)
    require(staff_over(by, topic.community), _("这个议题不在您的管辖范围内。"))
    if topic.status != Topic.Status.SUBMITTED:
        raise ValidationError(
            _("这个议题已经审核过（%(status)s）。") % {"status": topic.get_status_display()}
        )
    reason = _text(reason, field="vet_reason", what=_("审核意见"), minimum=2, maximum=200)
    topic.status = Topic.Status.ACCEPTED if accept else Topic.Status.DECLINED
    topic.vet_reason, topic.vetted_by, topic.vetted_at = reason, by, timezone.now()
    topic.save(update_fields=["status", "vet_reason", "vetted_by", "vetted_at"])
    return topic


@transaction.atomic
def session_hold(*, by, topic, kind, held_at, place, record, vote_question="", **attendance):
    """Record a session on an accepted topic; with a question, it opens a vote of one ballot per household."""
    topic = _lock_topic(topic)
    require(staff_over(by, topic.community), _("这个议题不在您的管辖范围内。"))
    if topic.status not in (Topic.Status.ACCEPTED, Topic.Status.RESOLVED):
        raise ValidationError(_("议题受理后才能召开议事会。"))
    now = timezone.now()
    if held_at is None or held_at > now + datetime.timedelta(days=1):
        raise ValidationError({"held_at": _("请登记已经召开的议事会：时间不能晚于明天。")})
    if held_at < now - datetime.timedelta(days=365 * 5):
        raise ValidationError({"held_at": _("议事会的时间不能早于五年前。")})
    session = Session(
        topic=topic,
        community=topic.community,
        kind=kind,
        held_at=held_at,
        place=(place or "").strip(),
        record=_text(record, field="record", what=_("会议纪要"), minimum=10, maximum=5000),
        vote_question=(vote_question or "").strip(),
        vote_open=bool((vote_question or "").strip()),
        created_by=by,
        **attendance,
    )
    session.full_clean(exclude=["topic", "community"])
    session.save()
    return session


@transaction.atomic
def session_close_vote(*, by, session):
    session = Session.objects.select_for_update().get(pk=session.pk)
    require(staff_over(by, session.community), _("这次议事会不在您的管辖范围内。"))
    session.vote_open = False
    session.save(update_fields=["vote_open"])
    return session


def _cast(session, household, choice, via, by=None):
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": _("请选择同意、反对或弃权。")})
    try:
        with transaction.atomic():
            return Vote.objects.create(
                session=session, household=household, choice=choice, via=via, recorded_by=by
            )
    except IntegrityError:
        raise ValidationError(
            _("%(household)s 已经投过票，每户只能投一票。") % {"household": household.address_label}
        ) from None


def _open_session(session):
    session = Session.objects.select_for_update().get(pk=session.pk)
    if not session.vote_question:
        raise ValidationError(_("这次议事会没有表决事项。"))
    if not session.vote_open:
        raise ValidationError(_("这次表决已经结束。"))
    return session


@transaction.atomic
def vote_record(*, by, session, household, choice):
    """Staff record a household's ballot cast at the session (a show of hands, a paper slip)."""
    session = _open_session(session)
    require(staff_over(by, session.community), _("这次议事会不在您的管辖范围内。"))
    if household.grid.parent_id != session.community_id:
        raise ValidationError({"household": _("这户不在本社区，不能参加这次表决。")})
    return _cast(session, household, choice, Vote.Via.SESSION, by)


def _digest(code):
    return hmac.new(settings.SECRET_KEY.encode(), f"vote:{code}".encode(), hashlib.sha256).hexdigest()


def normalise_vote_code(value):
    """What a household typed: full-width letters and digits (an input method's) folded, case and dashes ignored."""
    value = unicodedata.normalize("NFKC", value or "").upper()
    return "".join(ch for ch in value if ch.isascii() and ch.isalnum())[: VOTE_CODE_LENGTH + 4]


@transaction.atomic
def vote_codes_issue(*, by, session, households):
    """One-time codes for households to vote away from the session: [(household, code)], shown once.

    Only a keyed hash of each code is kept. A household that already has a code
    (or has voted) gets none.
    """
    session = _open_session(session)
    require(staff_over(by, session.community), _("这次议事会不在您的管辖范围内。"))
    have = set(VoteCode.objects.filter(session=session).values_list("household_id", flat=True))
    have |= set(Vote.objects.filter(session=session).values_list("household_id", flat=True))
    issued = []
    for household in households:
        if household.pk in have or household.grid.parent_id != session.community_id:
            continue
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(VOTE_CODE_LENGTH))
        VoteCode.objects.create(session=session, household=household, digest=_digest(code))
        issued.append((household, code))
    return issued


@transaction.atomic
def vote_with_code(*, code, choice):
    """A household votes with its one-time code; the code works once, and the household votes once."""
    ticket = (
        VoteCode.objects.select_for_update()
        .select_related("household__building", "session")
        .filter(digest=_digest(normalise_vote_code(code)))
        .first()
    )
    if ticket is None:
        raise ValidationError({"code": _("投票码不对，请核对后重新输入（不区分大小写）。")})
    if ticket.used_at is not None:
        raise ValidationError({"code": _("这个投票码已经用过，每户只能投一票。")})
    session = _open_session(ticket.session)
    vote = _cast(session, ticket.household, choice, Vote.Via.CODE)
    ticket.used_at = vote.cast_at
    ticket.save(update_fields=["used_at"])
    return vote


def _may_own(user, community):
    """Staff over the community, or someone whose scope lies inside it (its grid workers)."""
    if staff_over(user, community):
        return True
    node = scope_node(user)
    return bool(
        node is not None
        and user.is_active
        and node.tree_id == community.tree_id
        and community.lft <= node.lft
        and node.rght <= community.rght
    )


@transaction.atomic
def resolution_add(*, by, topic, text, owner, due_date, session=None):
    """A resolution of the topic with its owner and due date; the topic now has a resolution."""
    topic = _lock_topic(topic)
    require(staff_over(by, topic.community), _("这个议题不在您的管辖范围内。"))
    if topic.status not in (Topic.Status.ACCEPTED, Topic.Status.RESOLVED):
        raise ValidationError(_("议题受理后才能形成决议。"))
    if owner is None or not _may_own(owner, topic.community):
        raise ValidationError({"owner": _("负责人要选本社区的工作人员或网格员。")})
    if due_date is None or due_date < timezone.localdate():
        raise ValidationError({"due_date": _("完成期限不能早于今天。")})
    if due_date > timezone.localdate() + datetime.timedelta(days=365 * 3):
        raise ValidationError({"due_date": _("完成期限不能晚于三年以后。")})
    if session is not None and session.topic_id != topic.pk:
        raise ValidationError({"session": _("这次议事会讨论的不是这个议题。")})
    resolution = Resolution.objects.create(
        topic=topic,
        session=session,
        community=topic.community,
        text=_text(text, field="text", what=_("决议内容"), minimum=4, maximum=300),
        owner=owner,
        due_date=due_date,
        created_by=by,
    )
    topic.status = Topic.Status.RESOLVED
    topic.save(update_fields=["status"])
    return resolution


def _lock_resolution(resolution, by):
    resolution = (
        Resolution.objects.select_for_update(of=("self",))
        .select_related("community", "topic__grid")
        .get(pk=resolution.pk)
    )
    if resolution.owner_id != by.pk and not staff_over(by, resolution.community):
        raise PermissionDenied(_("只有负责人和本社区的工作人员可以更新这条决议。"))
    return resolution


@transaction.atomic
def resolution_progress(*, by, resolution, progress, done=False):
    """The owner (or staff) says how far it got; `done` marks it carried out, and the topic when all are."""
    resolution = _lock_resolution(resolution, by)
    if resolution.status == Resolution.Status.DONE:
        raise ValidationError(_("这条决议已经落实。"))
    now = timezone.now()
    resolution.progress = _text(progress, field="progress", what=_("进展"), minimum=2, maximum=300)
    resolution.progress_at = now
    if done:
        resolution.status, resolution.done_at = Resolution.Status.DONE, now
    resolution.save(update_fields=["progress", "progress_at", "status", "done_at"])
    topic = Topic.objects.select_for_update().get(pk=resolution.topic_id)
    if done and not topic.resolutions.filter(status=Resolution.Status.OPEN).exists():
        topic.status = Topic.Status.DONE
        topic.save(update_fields=["status"])
    return resolution


@transaction.atomic
def resolution_open_case(*, by, resolution, category):
    """Hand the resolution's work to the grid case flow (dispatch to departments and units)."""
    resolution = _lock_resolution(resolution, by)
    if resolution.case_id:
        raise ValidationError(_("这条决议已经转为网格事件 %(code)s。") % {"code": resolution.case.code})
    topic = resolution.topic
    case = case_report_worker(
        by=by,
        grid=topic.grid or resolution.community,
        category=category,
        description=_("议事决议：%(text)s（议题：%(topic)s）")
        % {"text": resolution.text, "topic": topic.title},
    )
    resolution.case = case
    resolution.save(update_fields=["case"])
    return case


@transaction.atomic
def session_update(*, by, session):
    """Corrections to a session's place, attendance and record; its topic, time and question stay."""
    stored = Session.objects.select_for_update().get(pk=session.pk)
    require(staff_over(by, stored.community), _("这次议事会不在您的管辖范围内。"))
    session.record = _text(session.record, field="record", what=_("会议纪要"), minimum=10, maximum=5000)
    session.full_clean(exclude=["topic", "community"])
    session.save(
        update_fields=[
            "place",
            "representatives",
            "building_leaders",
            "party_members",
            "unit_liaisons",
            "deputies",
            "record",
        ]
    )
    return session
