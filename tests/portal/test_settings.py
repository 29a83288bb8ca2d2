"""Settings come from the environment; bad values stop the process with a clear message."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from portal import env

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7Qp2v9Lr4Tz8Kd1Wm6Ys3Bn0Hf5Jc7Ue2Ga9Xo4Rl8Pi1Vt6Ek3Nz0Qw5Ds2My",
    "ALLOWED_HOSTS": "portal.example.org",
}


def _manage(*args, **environment):
    """Run manage.py in a clean environment (no .env file is read: HOME and cwd are ours)."""
    clean = {key: value for key, value in os.environ.items() if key in {"PATH", "LANG", "HOME"}}
    clean.update(environment)
    clean["PORTAL_IGNORE_DOTENV"] = "1"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("raw, expected", [("1", True), ("yes", True), ("off", False), ("", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env.env_bool("FLAG", False) is expected


@pytest.mark.filterwarnings("ignore:Engine not recognized")
@pytest.mark.parametrize(
    "reader, raw",
    [
        (lambda: env.env_bool("X", False), "maybe"),
        (lambda: env.env_int("X", 1), "ten"),
        (lambda: env.env_int("X", 1, minimum=1), "0"),
        (lambda: env.env_database("X", "sqlite:///x"), "mysql://u@h/db"),
        (lambda: env.env_database("X", "sqlite:///x"), "nonsense"),
        (lambda: env.env_redis_url("X"), "localhost:6379"),
    ],
)
def test_env_readers_reject_bad_values_by_name(monkeypatch, reader, raw):
    monkeypatch.setenv("X", raw)
    with pytest.raises(ImproperlyConfigured, match="X"):
        reader()


def test_database_url_picks_postgresql(monkeypatch):
    monkeypatch.setenv("X", "postgres://user:pw@db.example:5433/portal")
    config = env.env_database("X", "sqlite:///x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "portal")


def test_production_needs_a_secret_key():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="portal.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_needs_allowed_hosts():
    result = _manage("check", DEBUG="0", SECRET_KEY=PRODUCTION["SECRET_KEY"])
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_a_misspelt_boolean_stops_the_start():
    result = _manage("check", **{**PRODUCTION, "SECURE_HTTPS": "yess"})
    assert result.returncode != 0
    assert "SECURE_HTTPS='yess' is not a boolean" in result.stderr


def test_production_settings_pass_the_deploy_checks():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout


def test_plain_http_on_a_private_network_passes_the_deploy_checks_too():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, SECURE_HTTPS="0")
    assert result.returncode == 0, result.stderr + result.stdout


def test_https_settings_follow_debug(monkeypatch):
    result = _manage("diffsettings", "--all", **PRODUCTION)
    assert "SECURE_SSL_REDIRECT = True" in result.stdout
    assert "SESSION_COOKIE_SECURE = True" in result.stdout
    assert "SECURE_HSTS_SECONDS = 31536000" in result.stdout
    plain = _manage("diffsettings", "--all", **PRODUCTION, SECURE_HTTPS="0")
    assert "SECURE_SSL_REDIRECT = False" in plain.stdout


def test_without_redis_tasks_run_in_process_and_with_it_they_go_to_the_broker():
    local = _manage("diffsettings", "--all", DEBUG="1")
    assert "CELERY_TASK_ALWAYS_EAGER = True" in local.stdout
    assert "LocMemCache" in local.stdout
    remote = _manage("diffsettings", "--all", DEBUG="1", REDIS_URL="redis://127.0.0.1:6379/9")
    assert "CELERY_TASK_ALWAYS_EAGER = False" in remote.stdout
    assert "CELERY_BROKER_URL = 'redis://127.0.0.1:6379/9'" in remote.stdout
    assert "portal.cache.RedisCache" in remote.stdout


def test_tasks_are_acknowledged_late_within_the_visibility_timeout(settings):
    assert settings.CELERY_TASK_ACKS_LATE
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert visibility > settings.CELERY_TASK_TIME_LIMIT


def test_every_variable_the_settings_read_is_in_env_example():
    source = (ROOT / "portal" / "settings.py").read_text()

    read = set(re.findall(r'env_\w+\("([A-Z_]+)"', source))
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert read - documented == set()


def test_docker_compose_has_the_services_and_parses():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "web", "worker", "beat"}
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["build"] == "."
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert (ROOT / "Dockerfile").read_text().startswith("# ")


def test_docker_compose_keeps_private_photos_in_a_writable_volume_and_outlasts_an_import():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name in ("web", "worker", "beat"):
        service = compose["services"][name]
        private_root = service["environment"]["PRIVATE_MEDIA_ROOT"]
        assert private_root != service["environment"]["MEDIA_ROOT"]
        assert f"private-media:{private_root}" in service["volumes"]
    assert "private-media" in compose["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "/app/private-media" in dockerfile and "chown portal /app/media /app/private-media" in dockerfile
    timeout = re.search(r"--timeout \$\{GUNICORN_TIMEOUT:-(\d+)\}", compose["services"]["web"]["command"])
    assert timeout and int(timeout.group(1)) >= 300
    assert "--timeout ${GUNICORN_TIMEOUT}" in dockerfile
