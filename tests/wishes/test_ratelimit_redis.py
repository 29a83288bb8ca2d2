"""The public form's per-address ceiling, counted in the shared Redis cache."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from tests.utils import requires_redis
from wishes.models import Wish


def _form(world, n):
    return {
        "name": "王秀英",
        "phone": f"1370000{n:04d}",
        "community": world.community_a.pk,
        "category": "other",
        "text": f"第{n}个心愿：{'春夏秋冬'[n % 4]}天想学{'书法绘画剪纸太极'[n % 4 * 2 : n % 4 * 2 + 2]}",
        "wanted_by": (timezone.localdate() + datetime.timedelta(days=20)).isoformat(),
        "confirm_new": "on",
    }


@requires_redis
@pytest.mark.redis
def test_one_address_saves_at_most_its_ceiling_and_the_refused_text_stays(client, world, settings):
    assert "Redis" in settings.CACHES["default"]["BACKEND"]
    settings.WISH_SUBMITS_PER_HOUR = 5
    cache.clear()
    for n in range(5):
        assert client.post("/wishes/new/", _form(world, n), REMOTE_ADDR="203.0.113.7").status_code == 302
    refused = client.post("/wishes/new/", _form(world, 5), REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "这次没有提交成功" in html and _form(world, 5)["text"] in html
    assert Wish.objects.count() == 5
    # another address is not affected
    assert client.post("/wishes/new/", _form(world, 6), REMOTE_ADDR="203.0.113.8").status_code == 302


@requires_redis
@pytest.mark.redis
def test_the_trusted_header_decides_the_address_and_forged_forwarding_does_not(client, world, settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    settings.WISH_SUBMITS_PER_HOUR = 5
    cache.clear()
    for n in range(5):
        response = client.post(
            "/wishes/new/", _form(world, n), HTTP_X_REAL_IP="198.51.100.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        )
        assert response.status_code == 302
    forged = client.post(
        "/wishes/new/", _form(world, 5), HTTP_X_REAL_IP="198.51.100.1", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert forged.status_code == 429


@requires_redis
@pytest.mark.redis
def test_mistakes_do_not_use_up_the_limit(client, world):
    cache.clear()
    for _ in range(8):
        bad = {**_form(world, 0), "phone": "123"}
        assert client.post("/wishes/new/", bad, REMOTE_ADDR="203.0.113.9").status_code == 400
    assert client.post("/wishes/new/", _form(world, 1), REMOTE_ADDR="203.0.113.9").status_code == 302
