"""A year of cases simulated from report to where each stands now, written with bulk_create."""

import datetime

from django.db import connection

from alliances.models import MemberUnit
from cases.demo.data import (
    CASES_PER_YEAR,
    CATEGORIES,
    COMMENTS,
    DAYS,
    HOUR,
    MINUTE,
    RESPONDERS,
    RESULTS,
    RETURN_REASONS,
    TEXTS,
    UNRESOLVED,
)
from cases.models import (
    Case,
    CaseEvent,
    CaseState,
    Department,
    Dispatch,
    DispatchState,
    Level,
    Source,
)
from portal.demo import mobile, person_name
from portal.models import StaffProfile
from wishes.models import CODE_ALPHABET, CODE_LENGTH

_EVENT_COLUMNS = (
    "case_id",
    "dispatch_id",
    "action",
    "actor_id",
    "from_state",
    "to_state",
    "level",
    "note",
    "public",
    "at",
)


def _insert_events(events):
    """The event log in one executemany: a street's ~31,000 rows, several times faster than bulk_create
    (whose SQL compiler dominates for so many small rows). The same columns and values it would write."""
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (
            e.case.pk,
            e.dispatch.pk if e.dispatch is not None else None,
            e.action,
            e.actor_id,
            e.from_state,
            e.to_state,
            e.level,
            e.note,
            e.public,
            adapt(e.at),
        )
        for e in events
    ]
    table = connection.ops.quote_name(CaseEvent._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _EVENT_COLUMNS)
    marks = ", ".join(["%s"] * len(_EVENT_COLUMNS))
    with connection.cursor() as cursor:
        for first in range(0, len(rows), 5000):
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows[first : first + 5000]
            )


def _code(rng):
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Simulation:
    """Every case of the street from its report to now, as rows to bulk-create."""

    def __init__(self, ctx, categories, departments, units):
        self.ctx = ctx
        self.rng = ctx.rng_for("cases")
        self.now = ctx.now
        self.categories = categories
        self.departments = departments
        self.units = units
        self.liaisons = self._liaisons()
        profiles = StaffProfile.objects.filter(scope__tree_id=ctx.street.tree_id).values_list(
            "scope_id", "user_id"
        )
        self.staff_of = {}
        for scope_id, user_id in profiles.order_by("user_id"):
            self.staff_of.setdefault(scope_id, user_id)
        self.parent = {g.pk: g.parent_id for g in ctx.grids}
        self.cases, self.dispatches, self.events = [], [], []
        self.merged = []  # (case index, earlier case index)

    def _liaisons(self):
        found = {}
        through = Department.liaisons.through
        for dept_id, user_id in (
            through.objects.filter(department__in=self.departments.values())
            .order_by("pk")
            .values_list("department_id", "user_id")
        ):
            found.setdefault(("d", dept_id), user_id)
        unit_through = MemberUnit.liaisons.through
        for unit_id, user_id in (
            unit_through.objects.filter(memberunit__in=self.units)
            .order_by("pk")
            .values_list("memberunit_id", "user_id")
        ):
            found.setdefault(("u", unit_id), user_id)
        return found

    # --- the whole street ---------------------------------------------------------------

    def run(self):
        rng = self.rng
        names = [name for name, *_rest in CATEGORIES]
        weights = [share for *_rest, share in CATEGORIES]
        count = CASES_PER_YEAR * DAYS // 365
        starts = sorted(
            self.now - datetime.timedelta(seconds=rng.randrange(DAYS * 86400)) for _ in range(count)
        )
        for reported_at in starts:
            reported_at = self._daytime(reported_at)
            if reported_at >= self.now:
                reported_at = self.now - 10 * MINUTE
            self._case(self.categories[rng.choices(names, weights)[0]], reported_at)
        Case.objects.bulk_create(self.cases, batch_size=2000)
        for index, earlier in self.merged:
            self.cases[index].merged_into_id = self.cases[earlier].pk
        Case.objects.bulk_update([self.cases[i] for i, _e in self.merged], ["merged_into"], batch_size=2000)
        for dispatch in self.dispatches:
            dispatch.case_id = dispatch.case.pk
        Dispatch.objects.bulk_create(self.dispatches, batch_size=2000)
        _insert_events(self.events)
        self.ctx.count("cases", len(self.cases))
        self.ctx.count("case dispatches", len(self.dispatches))
        self.ctx.count("case events", len(self.events))

    def _daytime(self, moment):
        """Most cases are reported between 7 and 21 o'clock."""
        hour = moment.hour
        if 7 <= hour < 21 or self.rng.random() < 0.1:
            return moment
        return moment.replace(hour=self.rng.randint(8, 19))

    # --- one case -----------------------------------------------------------------------

    def _case(self, category, reported_at):
        rng = self.rng
        grid = rng.choice(self.ctx.grids)
        on_community = rng.random() < 0.05
        node_id = self.parent[grid.pk] if on_community else grid.pk
        roll = rng.random()
        source = Source.RESIDENT if roll < 0.5 else Source.GRID_WORKER if roll < 0.9 else Source.STAFF
        resident = source == Source.RESIDENT
        level = category.first_level
        if on_community and level == Level.GRID:
            level = Level.COMMUNITY
        case = Case(
            code=_code(rng),
            grid_id=node_id,
            community_id=self.parent[grid.pk],
            street_id=self.ctx.street.pk,
            category=category,
            source=source,
            description=rng.choice(TEXTS[category.name]),
            address=f"{rng.randint(1, 30)}号楼附近" if rng.random() < 0.7 else "",
            reporter_name=person_name(rng) if resident else "",
            reporter_phone=mobile(rng) if resident else "",
            reported_at=reported_at,
            state=CaseState.REPORTED,
            level=level,
        )
        self.cases.append(case)
        self._event(case, "report", reported_at, None, "", note="" if resident else case.description[:40])
        self._sign_clock(case, reported_at)
        self._live(case, reported_at, resident)

    def _live(self, case, t, resident):
        """Take the case on from `t`, step by step, until it ends or a step would fall after now."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.03:
            self._end_early(case, t, "decline", CaseState.DECLINED)
            return
        if roll < 0.04:
            self._end_early(case, t, "to_wish", CaseState.TO_WISH)
            return
        if roll < 0.06 and len(self.cases) > 20:
            self._merge(case, t)
            return
        # Where it is handled: its first level, a level up, or the street dispatches it.
        path = rng.random()
        target = case.level
        if path < 0.3 or case.category.name in ("治安隐患",) and path < 0.7:
            target = Level.STREET
        elif path < 0.45 and case.level == Level.GRID:
            target = Level.COMMUNITY
        while True:
            t = self._wait_to_accept(case, t, target)
            if t is None:
                return
            t = self._dispatch(case, t) if case.level == Level.STREET else self._handle(case, t)
            if t is None:
                return
            t = self._verify(case, t, resident)
            if t is None:
                return
            if not resident or case.state != CaseState.VERIFIED:
                return
            t = self._resident(case, t)
            if t is None:
                return
            # Reopened: handled again where it was (the second time at the community).
            target = case.level

    # --- steps ----------------------------------------------------------------------------

    def _due(self, t, hours):
        return t + 3 * float(hours) * HOUR

    def _sign_clock(self, case, t):
        case.sign_due_at = self._due(t, case.category.sign_hours)
        case.finish_due_at = None

    def _actor(self, case, level):
        node = {Level.GRID: case.grid_id, Level.COMMUNITY: case.community_id, Level.STREET: case.street_id}[
            level
        ]
        return (
            self.staff_of.get(node)
            or self.staff_of.get(case.community_id)
            or self.staff_of.get(case.street_id)
        )

    def _event(self, case, action, at, actor, before, *, dispatch=None, note="", public=True):
        self.events.append(
            CaseEvent(
                case=case,
                dispatch=dispatch,
                action=action,
                actor_id=actor,
                from_state=before,
                to_state=dispatch.state if dispatch is not None else case.state,
                level=case.level,
                note=note[:300],
                public=public,
                at=at,
            )
        )

    def _after(self, t, hours_low, hours_high):
        """A moment some hours after `t`, or None when it would be after now."""
        later = t + self.rng.uniform(hours_low, hours_high) * HOUR
        return later if later < self.now else None

    def _mark_sign_late(self, case):
        if case.sign_due_at < self.now:
            case.sign_overdue_at = case.sign_due_at + 5 * MINUTE

    def _end_early(self, case, t, action, state):
        at = self._after(t, 0.5, 20)
        if at is None:
            self._mark_sign_late(case)
            return
        before = case.state
        case.state = state
        case.closed_at = at
        if state == CaseState.DECLINED:
            case.decline_reason = "不属于网格事件受理范围，已告知居民向相关部门反映"
            note = case.decline_reason
        else:
            note = "属于个人困难，转为微心愿"
        case.sign_due_at = None
        self._event(case, action, at, self._actor(case, case.level), before, note=note)

    def _merge(self, case, t):
        at = self._after(t, 0.5, 8)
        if at is None:
            self._mark_sign_late(case)
            return
        before = case.state
        case.state = CaseState.MERGED
        case.sign_due_at = None
        self.merged.append((len(self.cases) - 1, len(self.cases) - 1 - self.rng.randint(1, 20)))
        self._event(case, "merge", at, self._actor(case, Level.STREET), before, note="与已受理的事件重复")

    def _wait_to_accept(self, case, t, target):
        """Passed up until it reaches `target`, then accepted there (or dispatched by the street)."""
        order = [Level.GRID, Level.COMMUNITY, Level.STREET]
        while order.index(case.level) < order.index(target):
            late = self.rng.random() < 0.06
            if late:
                at = case.sign_due_at + 5 * MINUTE
                if at >= self.now:
                    return None
                case.sign_overdue_at = case.sign_overdue_at or at
                case.level = Level.above(case.level)
                self._event(case, "overdue_sign", at, None, case.state, public=False)
            else:
                at = self._after(t, 0.2, 3 * float(case.category.sign_hours) * 0.8)
                if at is None:
                    self._mark_sign_late(case)
                    return None
                actor = self._actor(case, case.level)
                case.level = Level.above(case.level)
                self._event(case, "pass_up", at, actor, case.state, note="网格解决不了，上报上级")
            self._sign_clock(case, at)
            t = at
        if case.level == Level.STREET:
            return t
        late = self.rng.random() < 0.07
        window = 3 * float(case.category.sign_hours)
        at = self._after(t, window * 1.05, window * 1.6) if late else self._after(t, 0.1, window * 0.9)
        if at is None:
            self._mark_sign_late(case)
            return None
        if at > case.sign_due_at:
            case.sign_overdue_at = case.sign_overdue_at or case.sign_due_at + 5 * MINUTE
        before = case.state
        case.state = CaseState.HANDLING
        case.accepted_at = case.accepted_at or at
        case.holder_id = self._actor(case, case.level)
        case.finish_due_at = self._due(at, case.category.finish_hours)
        case.sign_due_at = case.sign_due_at
        self._event(case, "accept", at, case.holder_id, before)
        return at

    def _handle(self, case, t):
        """Handled at the grid or the community: the result, or late, or still at it."""
        window = 3 * float(case.category.finish_hours)
        late = self.rng.random() < 0.1
        at = self._after(t, window * 1.05, window * 1.8) if late else self._after(t, 1, window * 0.95)
        if at is None or at > case.finish_due_at:
            if case.finish_due_at < self.now:
                case.finish_overdue_at = case.finish_overdue_at or case.finish_due_at + 5 * MINUTE
                self._event(case, "overdue_finish", case.finish_overdue_at, None, case.state, public=False)
            if at is None:
                return None
        result = self.rng.choice(RESULTS)
        before = case.state
        case.state = CaseState.DONE
        case.done_at = at
        case.result = result
        self._event(case, "finish", at, case.holder_id, before, note=result)
        return at

    def _pick_responders(self, case):
        rng = self.rng
        names = RESPONDERS[case.category.name]
        picks = []
        for _ in range(2 if rng.random() < 0.15 else 1):
            if self.units and rng.random() < 0.3:
                picks.append(("u", rng.choice(self.units)))
            else:
                picks.append(("d", self.departments[rng.choice(names)]))
        seen, unique = set(), []
        for kind, who in picks:
            if (kind, who.pk) not in seen:
                seen.add((kind, who.pk))
                unique.append((kind, who))
        return unique

    def _dispatch(self, case, t):
        """The street blows the whistle; each responder signs, arrives and finishes, or returns it."""
        at = self._after(t, 0.2, 3 * float(case.category.sign_hours) * 0.9)
        if at is None:
            self._mark_sign_late(case)
            return None
        if at > case.sign_due_at:
            case.sign_overdue_at = case.sign_overdue_at or case.sign_due_at + 5 * MINUTE
        before = case.state
        case.state = CaseState.DISPATCHED
        case.level = Level.STREET
        case.accepted_at = case.accepted_at or at
        case.holder_id = None
        case.finish_due_at = self._due(at, case.category.sign_hours + case.category.finish_hours)
        street_staff = self._actor(case, Level.STREET)
        responders = self._pick_responders(case)
        made = [self._new_dispatch(case, kind, who, at, street_staff) for kind, who in responders]
        self._event(
            case,
            "dispatch",
            at,
            street_staff,
            before,
            note="派遣给" + "、".join(str(w) for _k, w in responders),
        )
        ends = [self._answer(case, dispatch) for dispatch in made]
        finished_at = [end for end in ends if end is not None]
        if len(finished_at) == len(ends):
            if any(d.state == DispatchState.DONE for d in made):
                at = max(finished_at)
                if at > case.finish_due_at:
                    case.finish_overdue_at = case.finish_overdue_at or case.finish_due_at + 5 * MINUTE
                    self._event(
                        case, "overdue_finish", case.finish_overdue_at, None, case.state, public=False
                    )
                case.state = CaseState.DONE
                case.done_at = at
                case.result = "\n".join(f"{d.department or d.unit}：{d.result}" for d in made if d.result)[
                    :1000
                ]
                self._event(case, "all_done", at, None, CaseState.DISPATCHED)
                return at
            # Every responder returned it: the street dispatches it again to another one.
            at = max(finished_at)
            case.state = CaseState.REPORTED
            self._sign_clock(case, at)
            self._event(case, "all_returned", at, None, CaseState.DISPATCHED, public=False)
            return self._dispatch(case, at)
        if case.finish_due_at < self.now:
            case.finish_overdue_at = case.finish_overdue_at or case.finish_due_at + 5 * MINUTE
            self._event(case, "overdue_finish", case.finish_overdue_at, None, case.state, public=False)
        return None

    def _new_dispatch(self, case, kind, who, at, by):
        dispatch = Dispatch(
            case=case,
            street_id=case.street_id,
            department=who if kind == "d" else None,
            unit=who if kind == "u" else None,
            dispatched_by_id=by,
            dispatched_at=at,
            sign_due_at=self._due(at, case.category.sign_hours),
            note="请尽快到现场处置" if self.rng.random() < 0.3 else "",
        )
        dispatch.liaison = self.liaisons.get((kind, who.pk))
        self.dispatches.append(dispatch)
        return dispatch

    def _answer(self, case, dispatch):
        """One responder's answer (报到): the time it finished or returned, or None while still at it."""
        rng = self.rng
        sign_window = 3 * float(case.category.sign_hours)
        late = rng.random() < 0.1
        at = (
            self._after(dispatch.dispatched_at, sign_window * 1.05, sign_window * 2)
            if late
            else self._after(dispatch.dispatched_at, 0.1, sign_window * 0.9)
        )
        if at is None or at > dispatch.sign_due_at:
            if dispatch.sign_due_at < self.now:
                dispatch.sign_overdue_at = dispatch.sign_due_at + 5 * MINUTE
                self._event(case, "dispatch_overdue_sign", dispatch.sign_overdue_at, None, dispatch.state,
                            dispatch=dispatch, public=False)  # fmt: skip
            if at is None:
                return None
        if rng.random() < 0.05:
            before = dispatch.state
            dispatch.state = DispatchState.RETURNED
            dispatch.returned_at = at
            dispatch.reason = rng.choice(RETURN_REASONS)
            self._event(case, "return", at, dispatch.liaison, before, dispatch=dispatch, note=dispatch.reason)
            return at
        before = dispatch.state
        dispatch.state = DispatchState.SIGNED
        dispatch.signed_at = at
        dispatch.signed_by_id = dispatch.liaison
        dispatch.finish_due_at = self._due(at, case.category.finish_hours)
        self._event(case, "sign", at, dispatch.liaison, before, dispatch=dispatch)
        arrived = self._after(at, 0.5, 6)
        if arrived is None:
            return None
        dispatch.state = DispatchState.ARRIVED
        dispatch.arrived_at = arrived
        self._event(case, "arrive", arrived, dispatch.liaison, DispatchState.SIGNED, dispatch=dispatch)
        window = 3 * float(case.category.finish_hours)
        late = rng.random() < 0.12
        done = self._after(at, window * 1.05, window * 1.7) if late else self._after(arrived, 1, window * 0.9)
        if done is None or done > dispatch.finish_due_at:
            if dispatch.finish_due_at < self.now:
                dispatch.finish_overdue_at = dispatch.finish_due_at + 5 * MINUTE
                self._event(case, "dispatch_overdue_finish", dispatch.finish_overdue_at, None, dispatch.state,
                            dispatch=dispatch, public=False)  # fmt: skip
            if done is None:
                return None
        dispatch.state = DispatchState.DONE
        dispatch.done_at = done
        dispatch.result = rng.choice(RESULTS)
        self._event(case, "complete", done, dispatch.liaison, DispatchState.ARRIVED, dispatch=dispatch,
                    note=dispatch.result)  # fmt: skip
        return done

    def _verify(self, case, t, resident):
        at = self._after(t, 2, 48)
        if at is None:
            return None
        before = case.state
        verifier = self.staff_of.get(case.community_id) or self._actor(case, Level.STREET)
        case.verified_at = at
        if resident:
            case.state = CaseState.VERIFIED
            self._event(case, "verify", at, verifier, before, note="已到现场核实")
        else:
            case.state = CaseState.CLOSED
            case.closed_at = at
            self._event(case, "close", at, verifier, before, note="已到现场核实")
        return at

    def _resident(self, case, t):
        """The resident rates it (most do), says 没有解决 (a few, once), or never answers."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.1:
            return None  # never rated: stays 待评价
        at = self._after(t, 1, 72)
        if at is None:
            return None
        before = case.state
        if roll < 0.14 and case.reopened_count == 0:
            case.reopened_count += 1
            case.state = CaseState.REPORTED
            case.verified_at = None
            case.done_at = None
            self._sign_clock(case, at)
            self._event(case, "unresolved", at, None, before, note=rng.choice(UNRESOLVED))
            return at
        case.state = CaseState.CLOSED
        case.rating = rng.choices((5, 4, 3, 2, 1), (62, 24, 8, 4, 2))[0]
        case.rating_comment = rng.choice(COMMENTS)
        case.closed_at = at
        self._event(case, "rate", at, None, before, note=f"评分 {case.rating} 星")
        return None
