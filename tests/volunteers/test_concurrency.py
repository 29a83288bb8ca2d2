"""Capacity under real concurrency: PostgreSQL, one connection per thread."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.factories import (
    ActivityFactory,
    CommunityFactory,
    StreetFactory,
    VolunteerFactory,
    VolunteerTeamFactory,
)
from tests.utils import requires_postgresql
from volunteers.models import Activity, SignUp
from volunteers.services import signup_create

pytestmark = [requires_postgresql, pytest.mark.postgres]


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_sign_ups_for_ten_places_give_exactly_ten():
    community = CommunityFactory(parent=StreetFactory())
    activity = ActivityFactory(team=VolunteerTeamFactory(community=community), capacity=10)
    volunteers = [VolunteerFactory(community=community) for _ in range(50)]
    start = threading.Barrier(len(volunteers))
    outcomes = []

    def sign_up(volunteer):
        try:
            start.wait()
            signup_create(activity=activity, volunteer=volunteer)
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(v,)) for v in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("ok") == 10
    assert outcomes.count("名额已满。") == 40
    assert SignUp.objects.filter(activity=activity, status=SignUp.Status.ACTIVE).count() == 10
    assert Activity.objects.get(pk=activity.pk).signed_up_count == 10
