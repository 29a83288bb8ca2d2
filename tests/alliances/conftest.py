"""Alliances on top of the shared `world`: the street's alliance, community A's committee,
units with liaisons, and the same on the other street."""

import datetime
import io
from types import SimpleNamespace

import pytest
from PIL import Image

from alliances.models import Membership
from portal.demo import demo_users, make_context
from portal.roles import Role
from tests.alliances.report_world import march  # noqa: F401 (a fixture: a month of the street's alliance)
from tests.factories import AllianceFactory, CommunityFactory, MemberUnitFactory, StreetFactory, make_user


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


def join(alliance, unit, joined_on=datetime.date(2024, 1, 1), left_on=None):
    return Membership.objects.create(alliance=alliance, unit=unit, joined_on=joined_on, left_on=left_on)


@pytest.fixture
def aw(world):
    """alliance world: street S's alliance with units A (community A), B (community B) and
    S (the street itself); community A's committee with unit A; street T's alliance with unit C.
    Liaisons: liaison_a of A, liaison_b of B, liaison_c of C."""
    street_alliance = AllianceFactory(grid=world.street, name="刘家堡街道区域党建联盟")
    committee_a = AllianceFactory(grid=world.community_a, name="兰苑社区区域化党委委员会")
    other_alliance = AllianceFactory(grid=world.other_street, name="西一路街道区域党建联盟")
    unit_a = MemberUnitFactory(grid=world.community_a, name="兰苑小学", kind="school")
    unit_b = MemberUnitFactory(grid=world.community_b, name="金港医院", kind="hospital")
    unit_s = MemberUnitFactory(grid=world.street, name="街道供电所", kind="enterprise")
    unit_c = MemberUnitFactory(grid=world.community_c, name="民主超市", kind="merchant")
    join(street_alliance, unit_a, datetime.date(2024, 1, 10))
    join(street_alliance, unit_b, datetime.date(2024, 2, 1))
    join(street_alliance, unit_s, datetime.date(2024, 3, 1))
    join(committee_a, unit_a, datetime.date(2024, 1, 10))
    join(other_alliance, unit_c, datetime.date(2024, 1, 1))
    liaison_a = make_user(Role.UNIT_LIAISON, username="liaison_a")
    liaison_b = make_user(Role.UNIT_LIAISON, username="liaison_b")
    liaison_c = make_user(Role.UNIT_LIAISON, username="liaison_c")
    unit_a.liaisons.add(liaison_a)
    unit_b.liaisons.add(liaison_b)
    unit_c.liaisons.add(liaison_c)
    return SimpleNamespace(
        world=world,
        street_alliance=street_alliance,
        committee_a=committee_a,
        other_alliance=other_alliance,
        unit_a=unit_a,
        unit_b=unit_b,
        unit_s=unit_s,
        unit_c=unit_c,
        liaison_a=liaison_a,
        liaison_b=liaison_b,
        liaison_c=liaison_c,
        other_staff=make_user(Role.STREET_STAFF, world.other_street, username="street_t"),
    )


def image_bytes(fmt="JPEG", size=(800, 600), colour=(200, 30, 30), exif=None):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, colour)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


@pytest.fixture
def ctx(db):
    """A demo context for street S01: its twelve communities, the street login and unit1…unit30."""
    from django.contrib.auth.models import Group

    for role in Role:
        Group.objects.get_or_create(name=role)
    ctx = make_context(1, "street", "demo-pass")
    ctx.street = StreetFactory(name="刘家堡街道", code="S01")
    ctx.communities = [
        CommunityFactory(parent=ctx.street, name=f"社区{c:02d}社区", code=f"S01-C{c:02d}")
        for c in range(1, 13)
    ]
    ctx.street.refresh_from_db()
    demo_users(
        ctx, prefix="street", numbers=[""], role=Role.STREET_STAFF, scopes={"": ctx.street}, is_staff=True
    )
    demo_users(ctx, prefix="unit", numbers=range(1, 31), role=Role.UNIT_LIAISON)
    return ctx
