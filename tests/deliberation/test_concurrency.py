import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from deliberation import services
from deliberation.models import Session, Topic, Vote
from grids.models import Grid
from portal.models import User
from portal.roles import Role
from tests.factories import BuildingFactory, HouseholdFactory, make_user, topic_in
from tests.utils import requires_postgresql


def _race(n, act):
    outcomes, barrier = [], threading.Barrier(n)

    def run(i):
        try:
            barrier.wait()
            act(i)
            outcomes.append("voted")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _session(transactional_db):
    building = BuildingFactory()
    community = Grid.objects.get(pk=building.grid.parent_id)
    household = HouseholdFactory(building=building, room="301")
    secretary = make_user(Role.COMMUNITY_SECRETARY, community, username="secretary_vote")
    topic = topic_in(community, status=Topic.Status.ACCEPTED)
    session = Session.objects.create(
        topic=topic,
        community=community,
        kind=Session.Kind.COUNCIL,
        held_at=timezone.now(),
        place="议事厅",
        record="讨论加装电梯",
        vote_question="是否同意加装电梯",
        vote_open=True,
    )
    return session, household, secretary


@requires_postgresql
@pytest.mark.postgres
def test_a_household_votes_once_however_many_ballots_arrive_at_once(transactional_db):
    session, household, secretary = _session(transactional_db)
    code = services.vote_codes_issue(
        by=User.objects.get(pk=secretary.pk), session=session, households=[household]
    )[0][1]

    def ballot(i):
        if i % 2:
            services.vote_with_code(code=code, choice="no")
        else:
            services.vote_record(
                by=User.objects.get(pk=secretary.pk), session=session, household=household, choice="yes"
            )

    outcomes = _race(8, ballot)
    assert outcomes.count("voted") == 1
    assert all("一票" in o or "已经用过" in o for o in outcomes if o != "voted")
    assert Vote.objects.filter(session=session, household=household).count() == 1
