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
