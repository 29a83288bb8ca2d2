"""Open311 GeoReport v2: services and requests in JSON and XML, filters and pages, no personal data,
POST with a scoped API key, revoked keys, rate limits and bad input (a clear error, nothing created)."""

import datetime
import json
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, CaseState
from cases.open311 import services
from cases.open311.models import ApiKey, ServiceRequest
from grids.models import Visit

PHONE = "13912345678"
ADDRESS = "兰苑小区7号楼2单元302室"


def _url(name, fmt="json", **kwargs):
    return reverse(f"open311:{name}", kwargs={"fmt": fmt, **kwargs})


def _json(response):
    return json.loads(response.content.decode())


def _xml(response):
    return ElementTree.fromstring(response.content)


@pytest.fixture
def key(world):
    issued, plain = services.api_key_issue(
        by=world.street_staff, name="12345 热线", owner=world.street_staff, scope=world.street
    )
    issued.plain = plain
    return issued


@pytest.fixture
def resident_case(world, setup):
    """A resident's case whose phone and address must never be published."""
    return case_services.case_report_resident(
        grid=world.grid_a,
        category=setup.env,
        description="小区北门的路灯坏了，联系我 139 1234 5678",
        phone=PHONE,
        address=ADDRESS,
        name="王小明",
        location=("36.123456", "103.654321"),
    )


def _post(client, key, fmt="json", REMOTE_ADDR="127.0.0.1", **overrides):
    data = {
        "api_key": key.plain if hasattr(key, "plain") else key,
        "service_code": "",
        "description": "北门的路灯坏了一个星期",
        "phone": "13800138000",
        "attribute[grid_code]": "",
        **overrides,
    }
    return client.post(_url("requests", fmt), data, REMOTE_ADDR=REMOTE_ADDR)


# --- services ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_services_list_the_streets_categories_in_json_and_xml(client, world, setup):
    rows = _json(client.get(_url("services")))
    env = next(row for row in rows if row["service_code"] == str(setup.env.pk))
    assert (
        env["service_name"] == "环境卫生" and env["type"] == "realtime" and env["group"] == world.street.name
    )
    assert env["metadata"] is True
    only_s = _json(client.get(_url("services"), {"jurisdiction_id": world.street.code}))
    assert {row["service_code"] for row in only_s} == {str(setup.env.pk), str(setup.security.pk)}
    root = _xml(client.get(_url("services", "xml")))
    assert root.tag == "services"
    assert {el.findtext("service_code") for el in root.findall("service")} >= {str(setup.env.pk)}
    assert root.find("service").findtext("metadata") == "true"


@pytest.mark.django_db
def test_a_service_definition_offers_the_streets_grids(client, world, setup):
    data = _json(client.get(_url("service", code=setup.env.pk)))
    attribute = data["attributes"][0]
    assert attribute["code"] == "grid_code" and attribute["datatype"] == "singlevaluelist"
    assert {value["key"] for value in attribute["values"]} >= {world.grid_a.code, world.grid_b.code}
    assert world.grid_c.code not in {value["key"] for value in attribute["values"]}
    root = _xml(client.get(_url("service", "xml", code=setup.env.pk)))
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key") is not None
    missing = client.get(_url("service", code="999999"))
    assert missing.status_code == 404 and "没有这个编码的服务" in _json(missing)[0]["description"]


# --- requests: reading ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_is_published_without_personal_data(client, world, setup, resident_case):
    rows = _json(client.get(_url("requests")))
    assert len(rows) == 1
    row = rows[0]
    public_id = ServiceRequest.objects.get(case=resident_case).public_id
    assert row["service_request_id"] == public_id
    assert public_id not in (resident_case.code, str(resident_case.pk))
    assert row["status"] == "open" and row["status_notes"] == "等待网格受理"
    assert row["service_code"] == str(setup.env.pk) and row["service_name"] == "环境卫生"
    assert row["address"].endswith(world.grid_a.name) and row["address_id"] == world.grid_a.code
    assert row["lat"] == 36.123 and row["long"] == 103.654
    assert "139****5678" in row["description"]
    for fmt in ("json", "xml"):
        for url in (_url("requests", fmt), _url("request", fmt, request_id=public_id)):
            body = client.get(url).content.decode()
            for secret in (PHONE, "139 1234 5678", ADDRESS, "7号楼", "王小明", resident_case.code):
                assert secret not in body, (url, secret)
    one = _json(client.get(_url("request", request_id=public_id)))
    assert one == [row]
    element = _xml(client.get(_url("request", "xml", request_id=public_id)))
    assert element.tag == "service_requests"
    assert element.find("request").findtext("service_request_id") == public_id
    assert element.find("request").findtext("status") == "open"


@pytest.mark.django_db
def test_a_visits_case_publishes_the_category_not_the_household(client, world, setup):
    household = world.household_a
    household.phone = "13511112222"
    household.save()
    visit = Visit.objects.create(
        household=household,
        grid=world.grid_a,
        visitor=world.gridworker_a,
        visited_at=timezone.now(),
        method=Visit.Method.IN_PERSON,
        findings="独居老人家里漏水，老人说电话 13511112222",
        follow_up_needed=True,
    )
    case = case_services.case_from_visit(by=world.gridworker_a, visit=visit, category=setup.env)
    body = client.get(_url("requests")).content.decode()
    assert "漏水" not in body and "13511112222" not in body and household.head_name not in body
    assert case.address and case.address not in body


@pytest.mark.django_db
def test_states_map_to_open_and_closed_with_notes(client, world, setup, resident_case):
    case_services.case_accept(by=world.gridworker_a, case=resident_case)
    row = _json(client.get(_url("requests")))[0]
    assert row["status"] == "open" and row["status_notes"] == "网格正在办理"
    Case.objects.filter(pk=resident_case.pk).update(state=CaseState.CLOSED)
    row = _json(client.get(_url("requests")))[0]
    assert row["status"] == "closed" and row["status_notes"] == "已办结" and row["expected_datetime"] is None
    assert [r["status"] for r in _json(client.get(_url("requests"), {"status": "closed"}))] == ["closed"]
    assert _json(client.get(_url("requests"), {"status": "open"})) == []
    Case.objects.filter(pk=resident_case.pk).update(state=CaseState.TO_WISH)
    assert _json(client.get(_url("requests"))) == []


@pytest.mark.django_db
def test_requests_filter_by_ids_service_dates_and_street(client, world, setup):
    now = timezone.now()
    made = []
    for index, (grid, category) in enumerate(
        [(world.grid_a, setup.env), (world.grid_b, setup.security), (world.grid_c, setup.other_category)]
    ):
        case = case_services.case_report_resident(
            grid=grid, category=category, description=f"第{index}件事情需要处理", phone=f"1390000000{index}"
        )
        Case.objects.filter(pk=case.pk).update(reported_at=now - datetime.timedelta(days=10 * index))
        made.append(case)
    ids = [row["service_request_id"] for row in _json(client.get(_url("requests")))]
    assert len(ids) == 3
    picked = _json(client.get(_url("requests"), {"service_request_id": f"{ids[0]},{ids[2]},NOPE"}))
    assert [row["service_request_id"] for row in picked] == [ids[0], ids[2]]
    by_service = _json(client.get(_url("requests"), {"service_code": setup.security.pk}))
    assert [row["service_code"] for row in by_service] == [str(setup.security.pk)]
    start = (now - datetime.timedelta(days=15)).isoformat()
    recent = _json(client.get(_url("requests"), {"start_date": start}))
    assert len(recent) == 2
    end = (now - datetime.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    older = _json(client.get(_url("requests"), {"end_date": end}))
    assert len(older) == 2
    in_s = _json(client.get(_url("requests"), {"jurisdiction_id": world.street.code}))
    assert len(in_s) == 2
    old = Case.objects.get(pk=made[0].pk)
    Case.objects.filter(pk=old.pk).update(reported_at=now - datetime.timedelta(days=100))
    assert len(_json(client.get(_url("requests")))) == 2  # the default window is 90 days


@pytest.mark.django_db
def test_requests_come_in_pages_with_a_link_to_the_next(client, world, setup):
    for index in range(5):
        case_services.case_report_resident(
            grid=world.grid_a,
            category=setup.env,
            description=f"第{index}件事情需要处理",
            phone=f"1390000001{index}",
        )
    first = client.get(_url("requests"), {"page_size": 2})
    assert len(_json(first)) == 2 and 'rel="next"' in first["Link"] and "page=2" in first["Link"]
    third = client.get(_url("requests"), {"page_size": 2, "page": 3})
    assert len(_json(third)) == 1 and not third.has_header("Link")
    seen = {
        row["service_request_id"]
        for page in (1, 2, 3)
        for row in _json(client.get(_url("requests"), {"page_size": 2, "page": page}))
    }
    assert len(seen) == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, message",
    [
        ({"start_date": "yesterday"}, "start_date：不是有效的时间"),
        ({"end_date": "2026-13-45T00:00:00Z"}, "end_date：不是有效的时间"),
        ({"start_date": "0001-01-01T00:00:00+23:59"}, "start_date：不是有效的时间"),
        ({"start_date": "2026-05-01", "end_date": "2026-04-01"}, "start_date 必须早于 end_date"),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "最长 90 天"),
        ({"status": "pending"}, "status：只能是 open 或 closed"),
        ({"page": "0"}, "page："),
        ({"page_size": "5000"}, "page_size："),
        ({"service_code": "999999"}, "service_code：没有编码为"),
    ],
)
def test_bad_filters_get_a_clear_error_in_both_formats(client, world, setup, params, message):
    response = client.get(_url("requests"), params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert message in " ".join(row["description"] for row in _json(response))
    assert _json(response)[0]["code"] == 400
    xml = client.get(_url("requests", "xml"), params)
    root = _xml(xml)
    assert xml.status_code == 400 and root.tag == "errors"
    assert root.find("error").findtext("code") == "400" and message in ElementTree.tostring(root, "unicode")


@pytest.mark.django_db
def test_unknown_things_are_the_standards_404(client, world, setup):
    for url in (
        _url("request", request_id="ABCDEFGHJKLM"),
        _url("request", request_id="x\x00y"),
        reverse("open311:services", kwargs={"fmt": "json"}) + "?jurisdiction_id=NOWHERE",
        "/open311/v2/nothing.json",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert _json(response)[0]["code"] == 404
    assert _xml(client.get("/open311/v2/nothing.xml")).tag == "errors"
    assert client.delete(_url("requests")).status_code == 405


# --- requests: filing ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_key_files_a_residents_case_in_its_scope(client, world, setup, key):
    response = _post(
        client,
        key,
        service_code=setup.env.pk,
        **{"attribute[grid_code]": world.grid_a.code},
        lat="36.1",
        long="103.8",
        first_name="小明",
        last_name="王",
        media_url="https://example.com/x.jpg",
    )
    assert response.status_code == 201, response.content
    created = _json(response)[0]
    case = Case.objects.get()
    assert (
        case.grid == world.grid_a and case.reporter_phone == "13800138000" and case.reporter_name == "王小明"
    )
    assert case.source == "resident" and case.state == CaseState.REPORTED
    request = ServiceRequest.objects.get(case=case)
    assert created["service_request_id"] == request.public_id and request.api_key == key
    assert case.code in created["service_notice"] and "照片链接未保存" in created["service_notice"]
    key.refresh_from_db()
    assert key.last_used_at is not None
    listed = _json(client.get(_url("request", request_id=request.public_id)))
    assert listed[0]["service_request_id"] == request.public_id


@pytest.mark.django_db
def test_the_grid_comes_from_the_address_or_a_community_key(client, world, setup, key):
    response = _post(client, key, service_code=setup.env.pk, address_string=f"{world.grid_b.name}东门")
    assert response.status_code == 201 and Case.objects.get().grid == world.grid_b
    community_key, plain = services.api_key_issue(
        by=world.street_staff, name="社区小程序", owner=world.secretary_a, scope=world.community_a
    )
    response = _post(client, plain, service_code=setup.env.pk, lat="36.1", long="103.8", phone="13800138001")
    assert response.status_code == 201
    assert Case.objects.order_by("-pk").first().grid == world.community_a
    xml = _post(
        client, key, "xml", service_code=setup.env.pk, address_id=world.grid_a.code, phone="13800138002"
    )
    root = _xml(xml)
    assert xml.status_code == 201 and root.tag == "service_requests"
    assert root.find("request/service_request_id").text


@pytest.mark.django_db
def test_another_streets_grid_is_refused(client, world, setup, key):
    response = _post(client, key, service_code=setup.env.pk, **{"attribute[grid_code]": world.grid_c.code})
    assert response.status_code == 403 and "不在这个接口密钥的范围" in _json(response)[0]["description"]
    community_key, plain = services.api_key_issue(
        by=world.street_staff, name="社区小程序", owner=world.secretary_a, scope=world.community_a
    )
    response = _post(client, plain, service_code=setup.env.pk, address_id=world.grid_b.code)
    assert response.status_code == 403
    other = _post(client, key, service_code=setup.other_category.pk, address_id=world.grid_a.code)
    assert other.status_code == 400 and "service_code" in _json(other)[0]["description"]
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_missing_wrong_or_revoked_key_is_refused(client, world, setup, key):
    grid = {"attribute[grid_code]": world.grid_a.code, "service_code": setup.env.pk}
    assert _post(client, "", **grid).status_code == 403
    assert _post(client, "o311_" + "x" * 40, **grid).status_code == 403
    services.api_key_revoke(by=world.street_staff, key=key)
    response = _post(client, key, **grid)
    assert response.status_code == 403 and "api_key 无效或已被撤销" in _json(response)[0]["description"]
    xml = _post(client, key, "xml", **grid)
    assert _xml(xml).find("error/code").text == "403"
    assert not Case.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"service_code": "999999"}, "service_code"),
        ({"service_code": "abc"}, "service_code"),
        ({"description": "灯坏"}, "问题描述至少 5 个字"),
        ({"description": "很" * 501}, "问题描述最多 500 个字"),
        ({"lat": "north", "long": "103.8"}, "lat 不是数字"),
        ({"lat": "91", "long": "103.8"}, "lat 必须在"),
        ({"lat": "36.1", "long": "NaN"}, "long 必须在"),
        ({"lat": "36.1"}, "lat 和 long 要一起填写"),
        ({"phone": "12345"}, "手机号"),
        ({"phone": ""}, "phone："),
        ({"attribute[grid_code]": "", "address_string": "不知道哪里"}, "无法确定事件所在的网格"),
        ({"attribute[grid_code]": ""}, "请提供位置"),
        ({"attribute[grid_code]": "NOPE"}, "网格编码“NOPE”不存在"),
        ({"address_string": "很" * 101}, "address_string："),
        ({"jurisdiction_id": "NOWHERE"}, "jurisdiction_id"),
    ],
)
def test_bad_posts_get_a_clear_error_and_create_nothing(client, world, setup, key, overrides, message):
    data = {"service_code": setup.env.pk, "attribute[grid_code]": world.grid_a.code, **overrides}
    response = _post(client, key, **data)
    assert response.status_code in (400, 404), response.content
    assert message in " ".join(row["description"] for row in _json(response))
    assert not Case.objects.exists() and not ServiceRequest.objects.exists()


@pytest.mark.django_db
def test_posts_are_rate_limited_per_key(client, world, setup, key, settings):
    settings.OPEN311_POSTS_PER_KEY_PER_HOUR = 2
    grid = {"attribute[grid_code]": world.grid_a.code, "service_code": setup.env.pk}
    assert _post(client, key, phone="13800138011", **grid).status_code == 201
    assert _post(client, key, phone="13800138012", REMOTE_ADDR="10.0.0.2", **grid).status_code == 201
    # From a third address, still the same key.
    limited = client.post(
        _url("requests"),
        {"api_key": key.plain, "phone": "13800138013", "description": "路灯坏了一个星期", **grid},
        REMOTE_ADDR="10.0.0.3",
    )
    assert limited.status_code == 429 and "请求太频繁" in _json(limited)[0]["description"]
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_posts_are_rate_limited_per_address(client, world, setup, key, settings):
    settings.OPEN311_POSTS_PER_HOUR = 2
    grid = {"attribute[grid_code]": world.grid_a.code, "service_code": setup.env.pk}
    assert _post(client, key, phone="13800138011", **grid).status_code == 201
    assert _post(client, "o311_" + "x" * 40, **grid).status_code == 403  # wrong keys count too
    limited = _post(client, key, "xml", phone="13800138013", **grid)
    assert limited.status_code == 429 and _xml(limited).find("error/code").text == "429"
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_reads_are_rate_limited_per_address(client, world, setup, settings):
    settings.OPEN311_READS_PER_HOUR = 2
    assert client.get(_url("services")).status_code == 200
    assert client.get(_url("requests")).status_code == 200
    limited = client.get(_url("requests", "xml"))
    assert limited.status_code == 429 and _xml(limited).find("error/code").text == "429"


@pytest.mark.django_db
def test_one_phone_reports_at_most_the_daily_limit(client, world, setup, key, settings):
    settings.CASES_SUBMITS_PER_PHONE = 1
    grid = {"attribute[grid_code]": world.grid_a.code, "service_code": setup.env.pk}
    assert _post(client, key, **grid).status_code == 201
    again = _post(client, key, **grid)
    assert again.status_code == 429 and "24 小时内" in _json(again)[0]["description"]
    assert Case.objects.count() == 1


# --- keys in the admin --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_street_staff_issue_a_key_shown_once_and_revoke_it(login, world):
    client = login(world.street_staff)
    response = client.post(
        reverse("admin:open311_apikey_add"),
        {"name": "12345 热线", "owner": world.street_staff.pk, "scope": world.street.pk},
    )
    assert response.status_code == 200
    key = ApiKey.objects.get()
    page = response.content.decode()
    plain = page.split('id="api-key"')[1].split(">")[1].split("<")[0]
    assert plain.startswith("o311_") and key.matches(plain) and plain not in key.key_hash
    assert plain not in client.get(reverse("admin:open311_apikey_change", args=[key.pk])).content.decode()
    assert services.api_key_authenticate(plain) == key
    client.post(
        reverse("admin:open311_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    key.refresh_from_db()
    assert not key.active and key.revoked_at is not None
    assert services.api_key_authenticate(plain) is None


@pytest.mark.django_db
def test_a_secretary_cannot_issue_keys_nor_staff_outside_their_street(login, world):
    assert login(world.secretary_a).get(reverse("admin:open311_apikey_add")).status_code == 403
    with pytest.raises(Exception, match="管辖范围"):
        services.api_key_issue(
            by=world.street_staff, name="x", owner=world.street_staff, scope=world.other_street
        )


@pytest.mark.django_db
def test_a_page_costs_the_same_queries_however_long(client, world, setup, django_assert_max_num_queries):
    def report(count, start):
        for index in range(start, start + count):
            case_services.case_report_resident(
                grid=world.grid_a,
                category=setup.env,
                description=f"第{index}件事情需要处理",
                phone=f"139000020{index:02d}",
            )

    report(2, 0)
    client.get(_url("requests"))  # the ids of cases filed around the services are given once
    with django_assert_max_num_queries(4) as few:
        assert len(_json(client.get(_url("requests")))) == 2
    report(12, 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_json(client.get(_url("requests")))) == 14


@pytest.mark.django_db
def test_errors_are_in_chinese_unless_the_client_asks_for_english(client, world, setup):
    chinese = _json(client.get(_url("requests"), {"status": "pending"}))[0]["description"]
    english = _json(client.get(_url("requests"), {"status": "pending"}, HTTP_ACCEPT_LANGUAGE="en"))[0]
    assert "只能是 open 或 closed" in chinese and "Must be open or closed" in english["description"]


@pytest.mark.django_db
def test_xml_answers_stay_readable_whatever_was_typed(client, world, setup):
    case_services.case_report_resident(
        grid=world.grid_a, category=setup.env, description="路灯坏了\x07<b>&请修</b>", phone="13900003333"
    )
    root = _xml(client.get(_url("requests", "xml")))
    assert root.find("request/description").text == "路灯坏了<b>&请修</b>"
