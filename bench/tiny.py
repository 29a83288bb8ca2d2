"""The tiny world every benchmark's --tiny mode runs on.

A benchmark's tiny mode builds a few rows (one street, a login per role, a
little of everything) and runs its measurement once, in seconds: the test
suite does so in CI (tests/bench/), so a schema change that breaks a benchmark
fails the build. Its numbers mean nothing.

`standalone(run)` gives a script's --tiny a throwaway in-memory SQLite
database, migrated, as the test suite would.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build_tiny():
    """One street with a little of everything each role's to-do reads; returns [(label, user)]."""
    import datetime

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from alliances.models import Alliance, Membership, MemberUnit, Project
    from grids import services as grids
    from grids.models import Building, GridAssignment, Household, Visit
    from portal.models import User
    from portal.roles import Role, sync_roles
    from portal.services import user_grant_role
    from volunteers import services as volunteers
    from volunteers.models import Activity, Volunteer, VolunteerTeam
    from wishes import services as wishes

    sync_roles()
    now = timezone.now()
    street = grids.grid_create(name="微型街道", code="TINY", kind="street")
    community = grids.grid_create(name="微型社区", code="TINY-C1", kind="community", parent=street)
    grid = grids.grid_create(name="微型网格", code="TINY-C1-G1", kind="grid", parent=community)

    def login(username, role, scope=None):
        user = User.objects.create_user(username=username, password="bench-only-password", full_name=username)
        Group.objects.get_or_create(name=role.value)
        user_grant_role(user=user, role=role, scope=scope)
        return user

    street_staff = login("tiny_street", Role.STREET_STAFF, street)
    secretary = login("tiny_secretary", Role.COMMUNITY_SECRETARY, community)
    worker = login("tiny_gridworker", Role.GRID_WORKER, grid)
    volunteer_user = login("tiny_volunteer", Role.VOLUNTEER)
    liaison = login("tiny_unit", Role.UNIT_LIAISON)
    GridAssignment.objects.create(person=worker, role=GridAssignment.Role.GRID_WORKER, grid=grid)

    building = Building.objects.create(grid=grid, name="1号楼")
    household = Household.objects.create(
        building=building, unit="1", room="101", head_name="住户", category="solitary"
    )
    Visit.objects.create(
        household=household,
        grid=grid,
        visitor=worker,
        method="phone",
        findings="需要帮助",
        follow_up_needed=True,
    )
    volunteer = Volunteer.objects.create(
        user=volunteer_user, name="志愿者", community=community, phone="13900000000"
    )
    team = VolunteerTeam.objects.create(name="微型服务队", community=community, leader=volunteer)
    activity = Activity.objects.create(
        title="微型活动",
        team=team,
        community=community,
        place="驿站",
        category="elderly",
        content="服务",
        starts_at=now + datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=1, hours=2),
        capacity=5,
        signup_opens_at=now - datetime.timedelta(days=1),
        signup_closes_at=now + datetime.timedelta(days=1),
    )
    volunteers.signup_create(activity=activity, volunteer=volunteer)
    unit = MemberUnit.objects.create(name="微型单位", kind="enterprise", grid=street)
    unit.liaisons.add(liaison)
    alliance = Alliance.objects.create(name="微型联盟", grid=street)
    Membership.objects.create(alliance=alliance, unit=unit, joined_on=datetime.date(2024, 1, 1))
    Project.objects.create(title="微型项目", alliance=alliance, community=community, lead_unit=unit)
    wanted = timezone.localdate() + datetime.timedelta(days=2)
    for n in range(2):
        wish = wishes.wish_submit(
            name="居民",
            phone=f"1370000000{n}",
            grid=grid,
            category="daily",
            text=f"微型心愿第{n}个",
            wanted_by=wanted,
        )
    wishes.wish_publish(
        wish=wish, by=secretary, public_text="微型心愿公开", category="daily", slots=1, priority=0
    )
    wishes.wish_claim(wish=wish, user=volunteer_user, claimant=volunteer)
    return [
        ("street staff", street_staff),
        ("secretary", secretary),
        ("grid worker", worker),
        ("volunteer", volunteer_user),
        ("unit liaison", liaison),
    ]


def superuser():
    """The benchmarks' superuser (every street), created on first use."""
    from portal.models import User

    root, _created = User.objects.get_or_create(
        username="bench_root", defaults={"is_superuser": True, "is_staff": True, "full_name": "基准超级用户"}
    )
    return root


def standalone(run):
    """Run `run()` on a fresh in-memory SQLite database, migrated (a script's --tiny)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["DATABASE_URL"] = "sqlite:///:memory:"
    os.environ.pop("REDIS_URL", None)
    os.environ["PORTAL_IGNORE_DOTENV"] = "1"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    run()
