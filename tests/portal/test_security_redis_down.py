"""With Redis unreachable the portal still works: the cache is for speed, never for correctness.

Redis is the cache and the Celery broker. Here both point at a closed port on
this machine, so the test runs everywhere (SQLite or PostgreSQL, with or
without a real Redis): pages answer, rate limits still count (per process),
writes that committed answer success, and the tasks they queue wait in the
outbox until the broker is back.
"""

import datetime
import socket

import pytest
from django.urls import reverse
from django.utils import timezone

from grids.models import Visit
from inbox.models import Delivery
from portal import cache as portal_cache
from portal import queue
from portal.celery import app
from portal.models import TaskOutbox
from reports import services as report_services
from reports.models import MonthlyReport
from tests.alliances.conftest import aw  # noqa: F401 (fixture)
from tests.alliances.report_world import MARCH, march  # noqa: F401 (fixture)
from tests.factories import VolunteerFactory, WishFactory
from wishes.models import Claim, Wish

pytestmark = pytest.mark.no_redis


def _closed_port_url():
    """A Redis URL on a local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def _reset_outage_memory():
    portal_cache._Outage.down_until = 0.0
    portal_cache._Outage.last_logged = 0.0
    queue._Broker.down_until = 0.0


def _use_broker(url, eager):
    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    app.conf.task_eager_propagates = True
    # Celery keeps its connection pools; new ones are made for the new URL.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_down(settings, tmp_path):
    url = _closed_port_url()
    down = {"BACKEND": "portal.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": "down"}
    settings.CACHES = {"default": down, "ratelimit": {**down, "OPTIONS": {"LOCAL_FALLBACK": True}}}
    settings.REDIS_URL = url
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    saved = app.conf.broker_url, app.conf.task_always_eager, app.conf.task_eager_propagates
    _reset_outage_memory()
    _use_broker(url, eager=False)
    yield url
    _use_broker(saved[0], eager=saved[1])
    app.conf.task_eager_propagates = saved[2]
    _reset_outage_memory()


def test_pages_work_without_redis(redis_down, client, login, world, march):  # noqa: F811
    report_services.report_build(
        alliance=march.aw.street_alliance, month=MARCH, via=MonthlyReport.BuiltVia.COMMAND
    )
    wish = WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED)
    for path in ("/", "/wishes/", "/wishes/?category=daily&page=2", "/wishes/new/", f"/wishes/{wish.pk}/"):
        assert client.get(path).status_code == 200, path
        assert client.get(path).status_code == 200, path  # a second time: no cache to hit either
    assert client.get(f"/wishes/track/{wish.code}/").status_code == 200
    assert client.get("/wishes/track/NOPE-NOPE-NOPE/").status_code == 404
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["redis"] == "unavailable"

    staff = login(world.street_staff)
    assert staff.get("/dashboard/").status_code == 200
    assert staff.get("/dashboard/numbers.xlsx").status_code == 200
    report = f"/reports/monthly/{march.aw.street_alliance.pk}/2026-03"
    assert staff.get(f"{report}/").status_code == 200
    pdf = staff.get(f"{report}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_committed_writes_answer_success_and_their_tasks_wait_in_the_outbox(
    redis_down, client, login, world, django_capture_on_commit_callbacks, settings
):
    settings.INBOX_QUIET_START = settings.INBOX_QUIET_END = 0  # SMS go out at once, whatever the hour
    form = {
        "name": "王秀英",
        "phone": "13700001111",
        "community": world.community_a.pk,
        "grid": "",
        "address": "",
        "category": "elderly",
        "text": "希望有人每周陪我去医院复查一次",
        "wanted_by": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        "website": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/wishes/new/", form, REMOTE_ADDR="203.0.113.5").status_code == 302
    wish = Wish.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        published = login(world.secretary_a).post(
            f"/wishes/review/{wish.pk}/publish/",
            {
                "public_text": "希望有人每周陪我去医院复查",
                "category": "elderly",
                "slots": "1",
                "priority": "0",
            },
        )
    assert published.status_code == 302
    wish.refresh_from_db()
    assert wish.status == Wish.Status.PUBLISHED
    # The resident's SMS: its delivery row is written with the change, and its send waits in the outbox.
    sms = Delivery.objects.get(notification__phone="13700001111", notification__kind="wish_published")
    pending = TaskOutbox.objects.pending().get()
    assert pending.task == "inbox.tasks.deliver" and pending.args == [sms.pk]

    with django_capture_on_commit_callbacks(execute=True):
        visit = login(world.gridworker_a).post(
            reverse("grids:visit_new"),
            {"household": world.household_a.pk, "method": "in_person", "findings": "一切正常"},
        )
    assert visit.status_code == 302
    assert Visit.objects.filter(household=world.household_a).exists()

    volunteer = VolunteerFactory(user=world.volunteer, community=world.community_a)
    with django_capture_on_commit_callbacks(execute=True):
        claimed = login(world.volunteer).post(
            f"/wishes/{wish.pk}/claim/", {"claimant": f"volunteer-{volunteer.pk}"}
        )
    assert claimed.status_code == 302
    assert Claim.objects.filter(wish=wish, volunteer=volunteer).exists()

    # The broker is back (here: in-process): the resident's two SMS (published, claimed) go out once.
    _use_broker("memory://", eager=True)
    sent, still = queue.resend_pending()
    assert (sent, still) == (2, 0), TaskOutbox.objects.values_list("last_error", flat=True)[:]
    resident = Delivery.objects.filter(notification__phone="13700001111")
    assert sorted(resident.values_list("status", flat=True)) == ["sent", "sent"]
    assert queue.resend_pending() == (0, 0)


def test_rate_limits_still_count_per_process(redis_down, client, world, settings):
    settings.WISH_SUBMITS_PER_HOUR = 2
    form = {
        "name": "王秀英",
        "phone": "13700001111",
        "community": world.community_a.pk,
        "category": "other",
        "wanted_by": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
        "confirm_new": "on",
    }
    answers = [
        client.post(
            "/wishes/new/", {**form, "text": f"第{n}个心愿：想学书法和绘画"}, REMOTE_ADDR="203.0.113.6"
        )
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [302, 302, 429]
    assert (
        client.post(
            "/wishes/new/", {**form, "text": "另一个地址的心愿：想学剪纸"}, REMOTE_ADDR="203.0.113.99"
        ).status_code
        == 302
    )
    settings.WISH_TRACK_MISSES_PER_HOUR = 2
    for _ in range(2):
        assert client.get("/wishes/track/NOPE-NOPE-NOPE/", REMOTE_ADDR="203.0.113.7").status_code == 404
    assert client.get("/wishes/track/NOPE-NOPE-NOPE/", REMOTE_ADDR="203.0.113.7").status_code == 429


def test_the_resend_command_reports_what_is_left(redis_down, capsys, db):
    from django.core.management import call_command

    TaskOutbox.objects.create(task="portal.tasks.housekeeping")
    call_command("resend_tasks")
    assert "0 task(s) queued again, 1 still waiting" in capsys.readouterr().out
    _use_broker("memory://", eager=True)
    call_command("resend_tasks")
    assert "1 task(s) queued again, 0 still waiting" in capsys.readouterr().out
