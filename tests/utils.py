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


SCREENSHOTS = settings.BASE_DIR / "test-output" / "screenshots"


def browser_args():
    # Headless on a closed network: no sandbox (runs as root in CI), no
    # background requests that the network would refuse.
    return [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]


def sign_in(page, username, password="pass-12345"):
    """Sign a Playwright page in through the login form."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def migrate_to(targets):
    """Migrate the test database to `targets` ((app, migration) pairs); the state's apps there."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets).apps


def latest_migrations():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    return MigrationExecutor(connection).loader.graph.leaf_nodes()
