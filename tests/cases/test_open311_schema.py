"""The Open311 API against its OpenAPI description: the served file is the repository's, every path in it
is a URL of the portal, and schemathesis finds no answer that breaks it (in-process, through WSGI)."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from cases import services as case_services
from cases.open311 import services
from cases.open311.views import OPENAPI
from portal.wsgi import application

schema = schemathesis.openapi.from_path(OPENAPI)
schema.app = application

SPEC = json.loads(OPENAPI.read_text())


@pytest.mark.django_db
def test_the_description_is_served_at_a_stable_url(client):
    response = client.get("/open311/v2/openapi.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert json.loads(b"".join(response.streaming_content)) == SPEC


@pytest.mark.parametrize("path", sorted(SPEC["paths"]))
def test_every_described_path_is_a_url_of_the_api(path):
    url = path.replace("{service_code}", "12").replace("{service_request_id}", "ABCDEFGHJKLM")
    try:
        match = resolve(url)
    except Resolver404:  # pragma: no cover - the failure itself
        pytest.fail(f"{path} is not a URL")
    assert match.namespace == "open311" and match.url_name != "not_found"
    for method in SPEC["paths"][path]:
        assert method in ("get", "post")


def test_every_url_of_the_api_is_described():
    from cases.open311.urls import urlpatterns

    names = {pattern.name for pattern in urlpatterns} - {"not_found", "openapi"}
    described = {
        resolve(path.replace("{service_code}", "1").replace("{service_request_id}", "X")).url_name
        for path in SPEC["paths"]
    }
    assert names == described


@pytest.fixture
def _one_connection():
    """Requests go straight to the WSGI app, which would close the test's connection after each one
    (inside the test's transaction on PostgreSQL); Django's own test client switches that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def published(world, setup, settings, _one_connection):
    """A case to find, a key to use, and limits the generated requests do not reach."""
    settings.OPEN311_READS_PER_HOUR = 100_000
    settings.OPEN311_POSTS_PER_HOUR = 100_000
    case_services.case_report_resident(
        grid=world.grid_a, category=setup.env, description="小区北门的路灯坏了", phone="13900001111"
    )
    _key, plain = services.api_key_issue(
        by=world.street_staff, name="测试应用", owner=world.street_staff, scope=world.street
    )
    return plain


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_description(case, published):
    # Schema-valid posts carry a real key, so they reach the form and the services behind it.
    if case.method == "POST" and isinstance(case.body, dict) and not case.meta.generation.mode.is_negative:
        case.body["api_key"] = published
    # Rules across parameters (start_date before end_date, at most 90 days apart) are not in the
    # schema's words, so a schema-valid request may still be refused with a 400 that says why.
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])
