import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from care import services
from care.models import Pairing
from grids.models import Grid, Household
from portal.models import User
from portal.roles import Role
from tests.factories import BuildingFactory, HouseholdFactory, VolunteerFactory, make_user
from tests.utils import requires_postgresql


@requires_postgresql
@pytest.mark.postgres
def test_the_same_partner_is_paired_once_however_many_staff_press_save_at_once(transactional_db):
    household = HouseholdFactory(building=BuildingFactory(), category=Household.Category.SOLITARY)
    community = household.grid.parent
    secretary = make_user(Role.COMMUNITY_SECRETARY, community, username="secretary_cc")
    member = VolunteerFactory(community=community, is_party_member=True, user=make_user(username="member_cc"))
    outcomes, barrier = [], threading.Barrier(8)

    def pair():
        try:
            barrier.wait()
            services.pairing_create(
                actor=User.objects.get(pk=secretary.pk),
                household=household,
                partner_kind="party_member",
                volunteer=member,
            )
            outcomes.append("paired")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=pair) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("paired") == 1
    assert set(outcomes) - {"paired"} == {"这位结对人已经与这户结对。"}
    assert Pairing.objects.count() == 1


@requires_postgresql
@pytest.mark.postgres
def test_a_posts_places_hold_however_many_members_claim_at_once(transactional_db):
    from care.models import Post, PostClaim

    building = BuildingFactory()
    community = Grid.objects.get(pk=building.grid.parent_id)
    post = Post.objects.create(
        community=community, kind=Post.Kind.HELP, title="帮扶岗", duties="看望", place="1号楼", capacity=3
    )
    members = [
        VolunteerFactory(community=community, is_party_member=True, user=make_user(username=f"claim_{i}"))
        for i in range(8)
    ]
    outcomes, barrier = [], threading.Barrier(8)

    def claim(member):
        try:
            barrier.wait()
            services.post_claim(post=post, volunteer=member)
            outcomes.append("claimed")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("claimed") == 3
    assert set(outcomes) - {"claimed"} == {"名额已满。"}
    post.refresh_from_db()
    assert post.claimed_count == 3 == PostClaim.objects.filter(post=post, left_at__isnull=True).count()
