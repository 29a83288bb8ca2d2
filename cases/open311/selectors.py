"""Public reads of the Open311 API: the street's categories as services and cases as requests, without personal data."""

import datetime
import re

from django.db.models import OuterRef, Q, Subquery

from cases.models import Case, CaseEvent, CaseState, Category
from cases.open311.models import ServiceRequest
from grids.models import Grid
from portal.scoping import Subtree

# Filed as a case, but a person's own need (帮忙买菜, 陪同就医): never published.
UNPUBLISHED = (CaseState.TO_WISH,)
DEFAULT_WINDOW = datetime.timedelta(days=90)
# What a grid code, a service code and a request id can look like: anything else finds nothing
# without reaching the database (PostgreSQL refuses a NUL in a string outright).
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
_SERVICE_CODE = re.compile(r"^[0-9]{1,18}$")
MAX_PAGE_SIZE = 1000


def street_by_code(code):
    code = (code or "").strip().upper()
    if not _CODE.match(code):
        return None
    return Grid.objects.filter(code=code, kind=Grid.Kind.STREET).first()


def services_of(street=None):
    """Active categories, each with its street (the Open311 group), in the street's order."""
    found = Category.objects.filter(active=True).select_related("street")
    if street is not None:
        found = found.filter(street=street)
    return found.order_by("street__code", "position", "name", "pk")


def service_by_code(code, street=None):
    """An active category by its service_code (its id), or None for anything else."""
    code = str(code or "").strip()
    if not _SERVICE_CODE.match(code):
        return None
    return services_of(street).filter(pk=int(code)).first()


def grids_in(node):
    """The community and grid nodes a key of `node` may file cases on, by code."""
    return Grid.objects.filter(
        kind__in=[Grid.Kind.GRID, Grid.Kind.COMMUNITY], **Subtree.of(node).lookups()
    ).order_by("code")


def grid_by_code(code):
    """A community or grid node by its QR code, wherever it is (the caller checks the key's scope)."""
    code = (code or "").strip().upper()
    if not _CODE.match(code):
        return None
    return Grid.objects.filter(code=code, kind__in=[Grid.Kind.GRID, Grid.Kind.COMMUNITY]).first()


def grid_named_in(node, text):
    """The grid (or else community) under `node` whose code is `text` or whose name `text` mentions.

    The longest name wins ("兰苑第1网格" over "兰苑社区" in "兰苑社区兰苑第1网格3号楼").
    """
    text = (text or "").strip()
    if not text:
        return None
    candidates = list(grids_in(node))
    for grid in candidates:
        if grid.code == text.upper():
            return grid
    named = [grid for grid in candidates if grid.name and grid.name in text]
    named.sort(key=lambda grid: (grid.kind != Grid.Kind.GRID, -len(grid.name)))
    return named[0] if named else None


def _last_change():
    return Subquery(CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at", "-pk").values("at")[:1])


def public_requests(*, ids=None, service_code=None, start=None, end=None, status=None, street=None):
    """Cases as Open311 requests, newest first.

    `ids` (public request ids) overrides every other filter, as the standard
    says. Otherwise the window is [start, end) on the time reported.
    """
    found = (
        Case.objects.exclude(state__in=UNPUBLISHED)
        .select_related("grid", "community", "street", "category")
        .annotate(updated_at=_last_change())
    )
    if ids is not None:
        return found.filter(open311__public_id__in=ids).order_by("-reported_at", "-pk")
    if street is not None:
        found = found.filter(street=street)
    if service_code is not None:
        found = found.filter(category_id=service_code)
    if start is not None:
        found = found.filter(reported_at__gte=start)
    if end is not None:
        found = found.filter(reported_at__lt=end)
    if status == "open":
        found = found.filter(state__in=Case.OPEN)
    elif status == "closed":
        found = found.exclude(Q(state__in=Case.OPEN))
    return found.order_by("-reported_at", "-pk")


def public_request(public_id):
    if not _CODE.match(public_id or ""):
        return None
    return public_requests(ids=[public_id]).first()


def request_of(case):
    return ServiceRequest.objects.filter(case=case).first()
