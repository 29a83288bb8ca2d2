"""我的待办, role by role: what each person owes next, linked to where it is done."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliances.models import JointMeeting, Membership, Project
from grids.models import Household, Visit
from inbox.board import todo_count, todo_for
from tests.factories import (
    ActivityFactory,
    AllianceFactory,
    HouseholdFactory,
    JointMeetingFactory,
    MeetingProblemFactory,
    NeedFactory,
    ProjectFactory,
    ProjectUpdateFactory,
    TeamMembershipFactory,
    VisitFactory,
    VolunteerFactory,
    WishFactory,
    monthly_report_in,
    record_for,
)
from volunteers import services as volunteer_services
from wishes import services
from wishes.models import Wish


def _sections(user):
    return {s.key: s for s in todo_for(user).sections}


def _urls(section):
    return [item.url for item in section.items]


def _past_activity(team, community, days_ago):
    starts = timezone.now() - datetime.timedelta(days=days_ago)
    return ActivityFactory(
        team=team, community=community, starts_at=starts, signup_opens_at=starts - datetime.timedelta(days=7)
    )


def _published(grid, days, **extra):
    return WishFactory(
        grid=grid,
        status=Wish.Status.PUBLISHED,
        wanted_by=timezone.localdate() + datetime.timedelta(days=days),
        **extra,
    )


# --- secretary ----------------------------------------------------------------------------------


@pytest.fixture
def community_work(world, people):
    """Something of each kind in community A, and the same in community B (which A's secretary never sees)."""
    made = {}
    for key, grid, building in (("a", world.grid_a, world.building_a), ("b", world.grid_b, world.building_b)):
        made[f"submitted_{key}"] = WishFactory(grid=grid)
        made[f"soon_{key}"] = _published(grid, 2)
        made[f"far_{key}"] = _published(grid, 30)  # not due: not owed yet
        made[f"overdue_{key}"] = _published(grid, -3, overdue_at=timezone.now())
        made[f"household_{key}"] = HouseholdFactory(building=building, category=Household.Category.SOLITARY)
        made[f"visit_{key}"] = VisitFactory(
            household__building=building, follow_up_needed=True, visitor=world.gridworker_a
        )
        VisitFactory(household__building=building, follow_up_needed=True, follow_up_done_at=timezone.now())
    return made


def test_a_secretary_sees_reviews_due_wishes_follow_ups_overdue_households_and_hours(
    world, people, community_work
):
    activity = _past_activity(people.team, world.community_a, 2)
    record_for(activity, people.volunteer)
    sections = _sections(world.secretary_a)
    made = community_work
    assert _urls(sections["wishes_review"]) == [f"/wishes/review/{made['submitted_a'].pk}/"]
    assert _urls(sections["wishes_unclaimed"]) == [
        f"/wishes/review/{made['overdue_a'].pk}/",
        f"/wishes/review/{made['soon_a'].pk}/",
    ]
    assert _urls(sections["follow_ups"]) == [f"/grids/visits/{made['visit_a'].pk}/"]
    # two unvisited vulnerable households: the world's own household is "一般户"
    assert _urls(sections["overdue_households"]) == [f"/grids/households/{made['household_a'].pk}/"]
    assert _urls(sections["hours_to_verify"]) == [f"/volunteers/organise/{activity.pk}/"]
    assert sections["wishes_review"].url == "/wishes/review/"
    assert todo_count(world.secretary_a) == todo_for(world.secretary_a).total == 6


def test_a_wish_returned_by_its_resident_is_first_for_the_secretary_until_followed_up(
    world, people, published
):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="完成")
    services.wish_report_not_done(wish=published, claim=claim, reason="水龙头还在滴水")
    board = todo_for(world.secretary_a)
    first = board.sections[0]
    assert first.key == "wishes_returned" and "水龙头还在滴水" in first.items[0].label
    services.wish_issue_settle(wish=published, by=world.secretary_a, note="已电话联系，周六再去")
    assert "wishes_returned" not in _sections(world.secretary_a)


# --- grid worker ----------------------------------------------------------------------------------


def test_a_grid_worker_sees_own_follow_ups_and_the_grids_overdue_households(world, people, community_work):
    VisitFactory(household__building=world.building_a, follow_up_needed=True)  # someone else's visit
    sections = _sections(world.gridworker_a)
    assert set(sections) == {"follow_ups", "overdue_households"}
    assert _urls(sections["follow_ups"]) == [f"/grids/visits/{community_work['visit_a'].pk}/"]
    assert _urls(sections["overdue_households"]) == [f"/grids/households/{community_work['household_a'].pk}/"]
    # done: gone from the list
    Visit.objects.filter(pk=community_work["visit_a"].pk).update(follow_up_done_at=timezone.now())
    Household.objects.filter(pk=community_work["household_a"].pk).update(last_visited_at=timezone.now())
    assert todo_count(world.gridworker_a) == 0


# --- volunteer and team leader -------------------------------------------------------------------------


def test_a_volunteer_sees_claims_to_fulfil_returned_first_and_activities_with_check_in(world, people):
    soon = _published(world.grid_a, 3)
    returned = _published(world.grid_a, 20)
    first = services.wish_claim(wish=soon, user=people.volunteer_user, claimant=people.volunteer)
    second = services.wish_claim(wish=returned, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_fulfil(claim=second, user=people.volunteer_user, note="完成")
    services.wish_report_not_done(wish=returned, claim=second, reason="还差一个灯泡")
    now = timezone.now()
    starting = ActivityFactory(
        team=people.team, community=world.community_a, starts_at=now + datetime.timedelta(minutes=30)
    )
    tomorrow = ActivityFactory(
        team=people.team, community=world.community_a, starts_at=now + datetime.timedelta(days=1)
    )
    far = ActivityFactory(
        team=people.team, community=world.community_a, starts_at=now + datetime.timedelta(days=20)
    )
    for activity in (starting, tomorrow, far):
        volunteer_services.signup_create(activity=activity, volunteer=people.volunteer)
    ActivityFactory(team=people.team, community=world.community_a)  # not signed up

    sections = _sections(people.volunteer_user)
    assert set(sections) == {"claims", "activities"}
    assert _urls(sections["claims"]) == [f"/wishes/claims/{second.pk}/", f"/wishes/claims/{first.pk}/"]
    assert "还差一个灯泡" in sections["claims"].items[0].detail and sections["claims"].items[0].late
    assert _urls(sections["activities"]) == [
        f"/volunteers/activities/{starting.pk}/",
        f"/volunteers/activities/{tomorrow.pk}/",
    ]
    checkin, later = sections["activities"].items
    assert "签到" in checkin.detail and checkin.late and not later.detail


def test_a_team_leader_also_sees_hours_to_verify_and_applications(world, people):
    ended = _past_activity(people.team, world.community_a, 1)
    record_for(ended, people.volunteer)
    own_only = _past_activity(people.team, world.community_a, 2)
    record_for(own_only, people.leader)  # nobody verifies their own hours
    applicant = TeamMembershipFactory(
        team=people.team, status="pending", volunteer=VolunteerFactory(community=world.community_a)
    )
    sections = _sections(people.leader_user)
    assert _urls(sections["hours_to_verify"]) == [f"/volunteers/organise/{ended.pk}/"]
    assert sections["applications"].items[0].label.startswith(applicant.volunteer.name)


# --- unit liaison ------------------------------------------------------------------------------------


def test_a_unit_liaison_sees_matched_projects_updates_covenant_meetings_problems_and_claims(
    world, people, published
):
    alliance = AllianceFactory(grid=world.street)
    membership = Membership.objects.create(
        alliance=alliance, unit=people.unit, joined_on=datetime.date(2024, 1, 1)
    )
    other = AllianceFactory(grid=world.other_street)
    to_start = ProjectFactory(
        community=world.community_a,
        alliance=alliance,
        lead_unit=people.unit,
        need=NeedFactory(community=world.community_a),
    )
    running = ProjectFactory(
        community=world.community_a,
        alliance=alliance,
        lead_unit=people.unit,
        status=Project.Status.IN_PROGRESS,
    )
    updated = ProjectFactory(
        community=world.community_a,
        alliance=alliance,
        lead_unit=people.unit,
        status=Project.Status.IN_PROGRESS,
    )
    ProjectUpdateFactory(project=updated, unit=people.unit, posted_at=timezone.now())
    meeting = JointMeetingFactory(alliance=alliance, held_at=timezone.now() + datetime.timedelta(days=3))
    JointMeetingFactory(alliance=alliance, held_at=timezone.now() + datetime.timedelta(days=40))
    JointMeetingFactory(alliance=other, held_at=timezone.now() + datetime.timedelta(days=3))
    problem = MeetingProblemFactory(meeting=meeting, owner_unit=people.unit)
    claim = services.wish_claim(wish=published, user=people.liaison, claimant=people.unit)

    sections = _sections(people.liaison)
    assert _urls(sections["projects_to_start"]) == [f"/alliances/projects/{to_start.pk}/"]
    assert _urls(sections["project_updates"]) == [f"/alliances/projects/{running.pk}/updates/new/"]
    assert _urls(sections["covenants"]) == [f"/alliances/{alliance.pk}/#covenant"]
    assert _urls(sections["meetings"]) == [f"/alliances/meetings/{meeting.pk}/"]
    assert _urls(sections["problems"]) == [f"/alliances/meetings/{meeting.pk}/#problem-{problem.pk}"]
    assert _urls(sections["claims"]) == [f"/wishes/claims/{claim.pk}/"]
    membership.covenant_signed_on = timezone.localdate()
    membership.save()
    assert "covenants" not in _sections(people.liaison)


# --- street staff ---------------------------------------------------------------------------------------


def test_street_staff_see_what_is_overdue_anywhere_in_the_street_and_reports_to_build(
    world, people, community_work
):
    today = timezone.localdate()
    street_alliance = AllianceFactory(grid=world.street)
    committee = AllianceFactory(grid=world.community_b)
    AllianceFactory(grid=world.other_street)  # another street's
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    monthly_report_in(street_alliance, month=last_month)
    late_project = ProjectFactory(
        community=world.community_b,
        alliance=committee,
        status=Project.Status.IN_PROGRESS,
        end_on=today - datetime.timedelta(days=1),
    )
    late_need = NeedFactory(community=world.community_a, wanted_by=today - datetime.timedelta(days=5))
    NeedFactory(community=world.community_a, wanted_by=today + datetime.timedelta(days=5))
    problem = MeetingProblemFactory(
        meeting=JointMeetingFactory(alliance=committee), due_on=today - datetime.timedelta(days=2)
    )

    sections = _sections(world.street_staff)
    assert sections["wishes_review"].count == 2  # both communities of the street
    assert sections["wishes_unclaimed"].count == 4
    assert sections["overdue_households"].count == 2
    assert _urls(sections["overdue_projects"]) == [f"/alliances/projects/{late_project.pk}/"]
    assert _urls(sections["overdue_needs"]) == [f"/alliances/needs/{late_need.pk}/"]
    assert sections["overdue_problems"].items[0].url.endswith(f"#problem-{problem.pk}")
    assert _urls(sections["reports_missing"]) == [f"/reports/monthly/{committee.pk}/{last_month:%Y-%m}/"]
    # a secretary sees her own community's overdue items, and builds no street reports
    assert "reports_missing" not in _sections(world.secretary_b)
    assert _urls(_sections(world.secretary_b)["overdue_projects"]) == [
        f"/alliances/projects/{late_project.pk}/"
    ]
    assert "overdue_projects" not in _sections(world.secretary_a)


def test_someone_with_nothing_to_do_gets_an_empty_list(world):
    assert todo_for(world.unscoped_staff).sections == []
    assert todo_count(world.volunteer) == 0


# --- the cost --------------------------------------------------------------------------------------------


def _queries(function):
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


@pytest.mark.parametrize("who", ["secretary_a", "street_staff", "gridworker_a", "volunteer", "liaison"])
def test_the_to_do_costs_the_same_queries_whatever_the_amount_of_work(world, people, who):
    # Every section has something from the first round on: a section with nothing skips its rows query.
    from portal.models import User

    user_of = {"volunteer": people.volunteer_user, "liaison": people.liaison}
    alliance = AllianceFactory(grid=world.street)
    Membership.objects.create(alliance=alliance, unit=people.unit, joined_on=datetime.date(2024, 1, 1))

    claims = []

    def add_work():
        WishFactory(grid=world.grid_a)
        wish = _published(world.grid_a, 2)
        _published(world.grid_a, -2, overdue_at=timezone.now())
        HouseholdFactory(building=world.building_a, category=Household.Category.POOR)
        VisitFactory(household__building=world.building_a, follow_up_needed=True, visitor=world.gridworker_a)
        ProjectFactory(community=world.community_a, alliance=alliance, lead_unit=people.unit)
        JointMeeting.objects.create(
            alliance=alliance,
            title="会",
            held_at=timezone.now() + datetime.timedelta(days=2),
            chair_unit=people.unit,
            agenda="议程",
        )
        if len(claims) < 2:  # a unit holds at most WISH_MAX_OPEN_CLAIMS
            claims.append(services.wish_claim(wish=wish, user=people.liaison, claimant=people.unit))

    def measure():
        user = User.objects.get(pk=(user_of.get(who) or getattr(world, who)).pk)  # nothing cached
        return _queries(lambda: todo_for(user))

    add_work()
    few = measure()
    for _ in range(4):
        add_work()
    assert measure() == few
