"""The resident's form (from a grid's QR code): similar shared needs, filing or following, the limits, the code given."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from grids.models import Grid
from portal import pagecache
from portal.middleware import private
from portal.qr import qr_data_uri
from wishes import selectors, services
from wishes.forms import (
    FollowForm,
    WishForm,
)
from wishes.views.common import (
    FORM_CACHE_SECONDS,
    SESSION_NEW_CODE,
    address_limit_reached,
    count_saved,
    form_posts_rate,
    int_param,
    submit_exempt,
)


def _preselected(request):
    """(community, grid) from ?grid=CODE on a QR poster, or (None, None); from the cached place lists."""
    code = (request.GET.get("grid") or "").strip().upper()[:20]
    if not code:
        return None, None
    node = selectors.qr_place(code)
    if node is None:
        messages.warning(request, _("二维码中的网格编码无效，请直接选择您所在的社区。"))
        return None, None
    if node.kind == Grid.Kind.GRID:
        return node.parent, node
    return node, None


@ratelimit(
    key="portal.net.ratelimit_key",
    rate=form_posts_rate,
    method="POST",
    block=False,
    group="wishes.new.posts",
)
def wish_new(request):
    if request.method != "POST":
        return pagecache.serve(
            request,
            lambda: _blank_form_page(request),
            seconds=FORM_CACHE_SECONDS,
            parts=_form_params(request),
        )
    form = WishForm(request.POST)
    if getattr(request, "limited", False) or address_limit_reached(request):
        return _refused(request, form, _("这个网络今天提交的心愿太多了，请稍后再试。"))
    if not form.is_valid():
        return _form_page(request, form, status=400)
    follow = FollowForm(request.POST)
    if follow.is_valid():
        return _follow(request, form, follow.cleaned_data["follow"])
    data = form.cleaned_data
    if not data["confirm_new"]:
        similar = selectors.similar_shared_wishes(grid=form.place, text=data["text"])
        if similar:
            return _form_page(request, form, similar=similar)
    return _save(request, form)


def _refused(request, form, reason):
    """The form again, as typed, with why it was not saved and the community's phone (429)."""
    form.is_valid()  # errors of the fields, if any, show as well; the text stays
    return _form_page(request, form, status=429, refusal=reason)


def _form_params(request):
    """The blank form's inputs, normalised: a QR code that names a place, a street that exists."""
    code = (request.GET.get("grid") or "").strip().upper()[:20]
    if code and selectors.qr_place(code) is None:
        code = "!"  # a bad code: the page warns (and is not kept, a message is waiting)
    street = selectors.place_choices(street=int_param(request, "street"))["street"]
    return (code, street or 0)


def _blank_form_page(request):
    community, grid_node = _preselected(request)
    initial = {
        "community": community.pk if community else None,
        "grid": grid_node.code if grid_node else "",
    }
    return _form_page(
        request, WishForm(initial=initial), community_pk=initial["community"], grid_node=grid_node
    )


def _form_page(request, form, *, similar=(), status=200, community_pk=None, grid_node=None, refusal=""):
    street = int_param(request, "street")
    community = None
    if form.is_bound:
        value = str(form.data.get("community", ""))
        community_pk = int(value) if value.isdigit() else None
        place = form.place
        grid_node = place if place is not None and place.kind == Grid.Kind.GRID else None
        community = place.community if place is not None else None
    return render(
        request,
        "wishes/wish_new.html",
        {
            "form": form,
            "similar": similar,
            "grid_node": grid_node,
            "refusal": refusal,
            "contact_place": community,
            **selectors.place_choices(street=street, community=community_pk),
        },
        status=status,
    )


def street_communities(request, pk):
    """The communities of one street, for the form's picker (public, cacheable)."""
    response = JsonResponse({"communities": selectors.street_communities(pk)})
    response["Cache-Control"] = "public, max-age=300"
    return response


def _save(request, form):
    data = form.cleaned_data
    try:
        wish = services.wish_submit(
            name=data["name"],
            phone=data["phone"],
            grid=form.place,
            category=data["category"],
            text=data["text"],
            wanted_by=data["wanted_by"],
            address=data["address"],
            contact_consent=data["contact_consent"],
            submitted_by=request.user,
            limit_phone=not submit_exempt(request),
        )
    except services.TooManyWishes as error:
        return _refused(request, form, " ".join(error.messages))
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _form_page(request, form, status=400)
    count_saved(request)
    request.session[SESSION_NEW_CODE] = wish.code
    return redirect("wishes:submitted")


def _follow(request, form, wish_pk):
    """Follow a shared need instead of filing: only one the form would have offered."""
    data = form.cleaned_data
    offered = {w.pk: w for w in selectors.similar_shared_wishes(grid=form.place, text=data["text"], limit=10)}
    wish = offered.get(wish_pk)
    if wish is None:
        form.add_error(None, _("这个心愿已经不能关注了，请提交您自己的心愿。"))
        return _form_page(request, form, status=400)
    try:
        follower = services.wish_follow(
            wish=wish, name=data["name"], phone=data["phone"], limit_phone=not submit_exempt(request)
        )
    except services.TooManyWishes as error:
        return _refused(request, form, " ".join(error.messages))
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _form_page(request, form, status=400)
    count_saved(request)
    request.session[SESSION_NEW_CODE] = follower.code
    return redirect("wishes:submitted")


@never_cache
@private
def wish_submitted(request):
    code = request.session.get(SESSION_NEW_CODE)
    if not code:
        return redirect("wishes:new")
    wish, follower = selectors.find_by_code(code)
    if wish is None:
        return redirect("wishes:new")
    link = request.build_absolute_uri(reverse("wishes:track", args=[code]))
    return render(
        request,
        "wishes/wish_submitted.html",
        {"code": code, "link": link, "qr": qr_data_uri(link, scale=6), "wish": wish, "follower": follower},
    )
