"""Skip markers for tests that need real services, and small helpers."""

import os

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"

requires_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): SQLite serialises every write",
)

requires_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs a real Redis (REDIS_URL=redis://…)")

requires_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason="needs Debian's chromium at /usr/bin/chromium (installed by scripts/system-deps)",
)


def result_pks(response):
    """Primary keys listed on an admin changelist response."""
    return {obj.pk for obj in response.context["cl"].result_list}
