"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) under /open311/v2/, in JSON and XML.

Each view checks the rate limits, reads its parameters through a form, asks a
selector or calls one service, and answers in the format the URL names; every
refusal is the standard's error list, with the description in Chinese.
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from cases import services as case_services
from cases.open311 import present, selectors, services
from cases.open311.forms import NewRequestForm, RequestsQuery, messages_of
from portal.net import ratelimit_key

OPENAPI = Path(__file__).with_name("openapi.json")


def _reads_rate(group, request):
    return f"{settings.OPEN311_READS_PER_HOUR}/h"


def _posts_rate(group, request):
    return f"{settings.OPEN311_POSTS_PER_HOUR}/h"


def _key_posts_rate(group, request):
    return f"{settings.OPEN311_POSTS_PER_KEY_PER_HOUR}/h"


def _too_many(fmt):
    return present.error(fmt, 429, _("请求太频繁了，请稍后再试。"))


def _address_limited(request):
    return is_ratelimited(
        request, group="open311.reads", key=ratelimit_key, rate=_reads_rate, method=ALL, increment=True
    )


def _street(fmt, code):
    """(street, None) for a jurisdiction_id, (None, None) without one, (None, error answer) for an unknown one."""
    if not code:
        return None, None
    street = selectors.street_by_code(code)
    if street is None:
        return None, present.error(fmt, 404, _("jurisdiction_id 不是本平台的街道编码。"))
    return street, None


def _not_allowed(fmt, allowed):
    response = present.error(fmt, 405, _("这个地址不支持 %(method)s 请求。") % {"method": "/".join(allowed)})
    response["Allow"] = ", ".join(allowed)
    return response


# Every view is csrf_exempt: the API uses no cookies (POST carries its api_key), and an
# unsupported method must get the standard's 405, not the CSRF page.

# --- services ---------------------------------------------------------------------------------------


@csrf_exempt
@never_cache
def services_list(request, fmt):
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(fmt, ["GET"])
    if _address_limited(request):
        return _too_many(fmt)
    street, refusal = _street(fmt, request.GET.get("jurisdiction_id", "")[:40])
    if refusal:
        return refusal
    rows = [present.service_row(category) for category in selectors.services_of(street)]
    return present.respond(fmt, rows, root="services", item="service")


@csrf_exempt
@never_cache
def service_definition(request, fmt, code):
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(fmt, ["GET"])
    if _address_limited(request):
        return _too_many(fmt)
    street, refusal = _street(fmt, request.GET.get("jurisdiction_id", "")[:40])
    if refusal:
        return refusal
    category = selectors.service_by_code(code, street)
    if category is None:
        return present.error(fmt, 404, _("没有这个编码的服务。"))
    grids = selectors.grids_in(category.street)
    return present.respond(fmt, present.definition_row(category, grids), root="", item="")


# --- requests ---------------------------------------------------------------------------------------


@csrf_exempt
@never_cache
def requests_view(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(fmt, ["GET", "POST"])
    if _address_limited(request):
        return _too_many(fmt)
    form = RequestsQuery(request.GET)
    if not form.is_valid():
        return present.error(fmt, 400, *messages_of(form))
    query = form.cleaned_data
    street, refusal = _street(fmt, query["jurisdiction_id"])
    if refusal:
        return refusal
    service_code = None
    if query["service_code"]:
        category = selectors.service_by_code(query["service_code"], street)
        if category is None:
            return present.error(
                fmt, 400, _("service_code：没有编码为“%(code)s”的服务。") % {"code": query["service_code"]}
            )
        service_code = category.pk
    found = selectors.public_requests(
        ids=query["service_request_id"],
        service_code=service_code,
        start=query["start_date"],
        end=query["end_date"],
        status=query["status"],
        street=street,
    )
    size, page = query["page_size"], query["page"]
    cases = list(found[(page - 1) * size : page * size + 1])
    more = len(cases) > size
    cases = cases[:size]
    ids = services.request_ids_ensure([case.pk for case in cases])
    rows = [present.request_row(case, ids[case.pk]) for case in cases]
    headers = {}
    if more:
        following = request.GET.copy()
        following["page"] = page + 1
        headers["Link"] = f'<{request.path}?{urlencode(following, doseq=True)}>; rel="next"'
    return present.respond(fmt, rows, root="service_requests", item="request", headers=headers)


@csrf_exempt
@never_cache
def request_detail(request, fmt, request_id):
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(fmt, ["GET"])
    if _address_limited(request):
        return _too_many(fmt)
    case = selectors.public_request(request_id.strip().upper()[:20])
    if case is None:
        return present.error(fmt, 404, _("没有这个编号的请求。"))
    public_id = services.request_ids_ensure([case.pk])[case.pk]
    return present.respond(
        fmt, [present.request_row(case, public_id)], root="service_requests", item="request"
    )


def _address_posts_limited(request):
    # Counted before the key is checked: guessing keys costs the guesser's address.
    return is_ratelimited(
        request, group="open311.posts", key=ratelimit_key, rate=_posts_rate, method="POST", increment=True
    )


def _key_posts_limited(request, key):
    return is_ratelimited(
        request,
        group="open311.posts.key",
        key=lambda group, request: f"key:{key.pk}",
        rate=_key_posts_rate,
        method="POST",
        increment=True,
    )


def _grid_for(key, form):
    """(grid, None) or (None, error answer): the grid the request names, inside the key's scope."""
    data = form.cleaned_data
    code = data.get("grid_code") or data.get("address_id")
    if code:
        grid = selectors.grid_by_code(code)
        if grid is None:
            return None, (400, _("网格编码“%(code)s”不存在。") % {"code": code})
        return grid, None
    grid = selectors.grid_named_in(key.scope, data.get("address_string"))
    if grid is not None:
        return grid, None
    if key.scope.kind == "community":
        return key.scope, None
    return None, (
        400,
        _(
            "无法确定事件所在的网格：网格没有边界数据，请用 attribute[grid_code] 填写网格编码，或在 address_string 中写明网格或社区名称。"
        ),
    )


def _create(request, fmt):
    if _address_posts_limited(request):
        return _too_many(fmt)
    key = services.api_key_authenticate(request.POST.get("api_key", ""))
    if key is None:
        return present.error(fmt, 403, _("api_key 无效或已被撤销，不能提交请求。"))
    if _key_posts_limited(request, key):
        return _too_many(fmt)
    form = NewRequestForm(request.POST)
    if not form.is_valid():
        return present.error(fmt, 400, *messages_of(form))
    data = form.cleaned_data
    street, refusal = _street(fmt, data["jurisdiction_id"])
    if refusal:
        return refusal
    if street is not None and street.pk != key.scope.get_root().pk:
        return present.error(fmt, 403, _("jurisdiction_id 不在这个接口密钥的范围内。"))
    grid, problem = _grid_for(key, form)
    if problem:
        return present.error(fmt, *problem)
    if not services.in_key_scope(key, grid):
        return present.error(fmt, 403, str(services.out_of_scope(key, grid).args[0]))
    category = selectors.service_by_code(data["service_code"], grid.get_root())
    if category is None:
        return present.error(
            fmt, 400, _("service_code：这个街道没有编码为“%(code)s”的服务。") % {"code": data["service_code"]}
        )
    try:
        case, public_id = services.service_request_create(
            key=key,
            grid=grid,
            category=category,
            description=data["description"],
            phone=data["phone"],
            name=form.reporter_name(),
            address=data["address_string"],
            location=form.location(),
        )
    except services.OutOfScope as refusal:
        return present.error(fmt, 403, str(refusal))
    except case_services.TooManyCases as refusal:
        return present.error(fmt, 429, *refusal.messages)
    except ValidationError as refusal:
        return present.error(fmt, 400, *_validation_messages(refusal))
    track = request.build_absolute_uri(reverse("cases:track", args=[case.code]))
    notice = _("已登记。请把查询码 %(code)s 告诉居民，凭它查看进展和评价：%(link)s") % {
        "code": case.code,
        "link": track,
    }
    if request.POST.get("media_url"):
        notice += _("（照片链接未保存：请让居民在查询页补充照片。）")
    row = {"service_request_id": public_id, "service_notice": notice, "account_id": None}
    return present.respond(fmt, [row], root="service_requests", item="request", status=201)


def _validation_messages(error):
    if hasattr(error, "error_dict"):
        return [
            _("%(field)s：%(message)s") % {"field": field, "message": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return error.messages


# --- the description and what is not here ---------------------------------------------------------------


@csrf_exempt
@never_cache
def openapi(request):
    return FileResponse(OPENAPI.open("rb"), content_type="application/json")


@csrf_exempt
def not_found(request, rest=""):
    fmt = "xml" if rest.endswith(".xml") else "json"
    return present.error(fmt, 404, _("没有这个接口，请查看 /open311/v2/openapi.json。"))
