"""Two staff members generating the same alliance's schedule at once (PostgreSQL)."""

import datetime
import threading

import pytest
from django.db import connection

from alliances import services
from alliances.models import ChairTerm
from tests.utils import requires_postgresql


@requires_postgresql
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_generation_leaves_one_chair_per_month(aw):
    start = datetime.date(2026, 1, 1)
    barrier = threading.Barrier(2)
    errors = []

    def generate():
        try:
            barrier.wait()
            services.chair_schedule_generate(alliance=aw.street_alliance, start=start, months=6)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=generate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    months = list(ChairTerm.objects.filter(alliance=aw.street_alliance).values_list("month", flat=True))
    assert len(months) == len(set(months)) == 6


@requires_postgresql
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_liaisons_of_one_unit_offering_at_once_make_one_offer(aw):
    from django.core.exceptions import ValidationError

    from alliances.models import NeedOffer
    from portal.roles import Role
    from tests.factories import NeedFactory, make_user

    need = NeedFactory(community=aw.world.community_a)
    second = make_user(Role.UNIT_LIAISON, username="liaison_a2")
    aw.unit_a.liaisons.add(second)
    barrier = threading.Barrier(2)
    refused, errors = [], []

    def offer(user):
        try:
            barrier.wait()
            services.need_offer(need=need, unit=aw.unit_a, actor=user)
        except ValidationError as error:
            refused.append(error)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=offer, args=(user,)) for user in (aw.liaison_a, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(refused) == 1
    assert NeedOffer.objects.filter(need=need, unit=aw.unit_a, status="pending").count() == 1


@requires_postgresql
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_staff_confirming_two_offers_of_one_need_at_once_make_one_project(aw):
    from django.core.exceptions import ValidationError

    from alliances.models import NeedOffer, Project
    from tests.factories import NeedFactory

    need = NeedFactory(community=aw.world.community_a)
    offers = [
        services.need_offer(need=need, unit=aw.unit_a, actor=aw.liaison_a),
        services.need_offer(need=need, unit=aw.unit_b, actor=aw.liaison_b),
    ]
    barrier = threading.Barrier(2)
    refused, errors = [], []

    def confirm(offer):
        try:
            barrier.wait()
            services.need_offer_confirm(offer=offer, actor=aw.world.street_staff)
        except ValidationError as error:
            refused.append(error)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(offer,)) for offer in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(refused) == 1
    assert Project.objects.filter(need=need).count() == 1
    assert sorted(NeedOffer.objects.values_list("status", flat=True)) == ["confirmed", "declined"]
