import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from grids.models import Grid
from grids.selectors import contacts_for, get_grid_for_user_or_404
from portal import pagecache
from portal.cache import cache_unavailable, rate_limit_cache
from portal.decorators import scope_required
from portal.middleware import private
from portal.models import PersonalDataLog
from portal.net import ratelimit_key
from portal.pdf import pdf_response, render_pdf
from portal.privacy import can_view_personal_data, personal_data_record
from portal.qr import qr_data_uri, qr_svg
from wishes import selectors, services
from wishes.forms import (
    ClaimForm,
    ConfirmForm,
    FollowForm,
    FulfilForm,
    NotDoneForm,
    PublishChoicesForm,
    ReasonForm,
    RecoveryCodeForm,
    RecoveryPhoneForm,
    TrackLookupForm,
    WishForm,
)
from wishes.models import Claim, Wish, normalise_code

REVIEW = "wishes.review_wish"
SESSION_NEW_CODE = "wishes_new_code"
MAX_WALL_PAGE = 500  # deeper pages are never useful and cost a long OFFSET
TRACK_CACHE_SECONDS = 300
WALL_CACHE_SECONDS = 10  # a card claimed meanwhile answers "名额已满" when someone tries
FORM_CACHE_SECONDS = 60  # the street and community lists are kept as long


# --- rate limits -------------------------------------------------------------------------


def _submit_rates():
    return (
        ("wishes.submit.hour", f"{settings.WISH_SUBMITS_PER_HOUR}/h"),
        ("wishes.submit.day", f"{settings.WISH_SUBMITS_PER_DAY}/d"),
    )


def _form_posts_rate(group, request):
    # Every post of the form in all, saved or not: well above the saved-wish ceiling.
    return f"{settings.WISH_SUBMITS_PER_HOUR * 4}/h"


def _submit_exempt(request):
    # Grid workers and staff file wishes for residents who have no phone of
    # their own; they are signed in and accountable.
    return request.user.is_authenticated and request.user.has_perm("wishes.add_wish")


def _address_limit_reached(request):
    """Whether the client address used up its saved wishes (per hour or per day)."""
    if _submit_exempt(request):
        return False
    for group, rate in _submit_rates():
        usage = get_usage(request, group=group, key=ratelimit_key, rate=rate, increment=False)
        if usage["count"] >= usage["limit"]:
            return True
    return False


def _count_saved(request):
    if _submit_exempt(request):
        return
    for group, rate in _submit_rates():
        get_usage(request, group=group, key=ratelimit_key, rate=rate, increment=True)


# Wrong tracking codes are counted per client address in fixed hourly windows;
# an address out of guesses gets 429 for every code, right ones included. A
# plain counter (not django-ratelimit) so the check rides along with the
# tracking page's own cache lookup in one round trip.


def _misses_key(request):
    window = int(time.time() // 3600)
    return f"wishes:track-misses:{ratelimit_key(None, request)}:{window}"


def _out_of_guesses(misses):
    return misses >= settings.WISH_TRACK_MISSES_PER_HOUR


def _check_track_limit(request):
    if _out_of_guesses(rate_limit_cache().get(_misses_key(request), 0)):
        raise Ratelimited


def _count_miss(request):
    # The rate-limit cache: the same keys as the default one, but it keeps
    # counting in the process while Redis is unreachable.
    counter = rate_limit_cache()
    key = _misses_key(request)
    counter.add(key, 0, 3600 + 60)
    try:
        counter.incr(key)
    except ValueError:  # expired between the two calls
        counter.add(key, 1, 3600 + 60)


def _resident_wish_or_404(request, code):
    """The wish (and follower) behind a tracking code; wrong codes count against the address."""
    _check_track_limit(request)
    wish, follower = selectors.find_by_code(code)
    if wish is None:
        _count_miss(request)
        raise Http404
    return wish, follower


# --- the public wall ------------------------------------------------------------------------


def _int_param(request, name, default=None, maximum=None):
    value = request.GET.get(name, "")
    if not value.isdigit():
        return default
    number = int(value)
    if maximum is not None:
        number = min(number, maximum)
    return number or default


def _wall_params(request):
    """The wall's inputs, normalised: a street and community that exist, a known category, a page."""
    street = _int_param(request, "street")
    community = _int_param(request, "community")
    category = request.GET.get("category", "")
    if category not in Wish.Category.values:
        category = ""
    page = _int_param(request, "page", 1, MAX_WALL_PAGE)
    street = selectors.place_choices(street=street, community=community)["street"]
    if community and selectors.community_street(community) != street:
        community = None  # a community of another street, or none at all
    return {"street": street, "community": community, "category": category, "page": page}


def wall(request):
    params = _wall_params(request)
    return pagecache.serve(
        request,
        lambda: _wall_page(request, **params),
        seconds=WALL_CACHE_SECONDS,
        parts=tuple(params.values()),
    )


def _wall_page(request, *, street, community, category, page):
    places = selectors.place_choices(street=street, community=community)
    claimants = selectors.claimants_for(request.user)
    context = {
        **places,
        "page": page,
        "community": community,
        "category": category,
        "categories": Wish.Category.choices,
    }
    # The wall is the same for everyone who cannot claim, so their copy of the
    # cards is cached briefly (per language: the cards hold translated labels);
    # claimants get theirs live, marked "我已认领".
    key = f"wishes:wall:{get_language()}:{street or 0}:{community or 0}:{category}:{page}"
    cards = None if claimants else cache.get(key)
    if cards is None:
        wishes, has_next = selectors.wall_page(
            street=street, community=community, category=category, page=page
        )
        context.update(wishes=wishes, has_next=has_next, mine=selectors.live_claims_on(wishes, claimants))
        cards = render_to_string("wishes/_wall_cards.html", context, request=request)
        if not claimants:
            cache.set(key, cards, WALL_CACHE_SECONDS)
    return render(request, "wishes/wall.html", {**context, "cards": cards})


def wish_detail(request, pk):
    wish = selectors.get_public_wish_or_404(pk)
    claimants = selectors.claimants_for(request.user)
    mine = selectors.live_claims_on([wish], claimants)
    return render(
        request,
        "wishes/wish_detail.html",
        {
            "wish": wish,
            "claims": selectors.wish_claims_for_resident(wish),
            "claimants": claimants,
            "mine": mine,
            "form": ClaimForm(claimants=claimants) if claimants else None,
        },
    )


@require_POST
@login_required
def wish_claim(request, pk):
    wish = selectors.get_public_wish_or_404(pk)
    claimants = selectors.claimants_for(request.user)
    if not claimants:
        return render(request, "wishes/cannot_claim.html", status=403)
    form = ClaimForm(request.POST, claimants=claimants)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("claimant", [_("请选择以谁的名义认领。")])))
        return redirect("wishes:detail", pk=wish.pk)
    try:
        claim = services.wish_claim(wish=wish, user=request.user, claimant=form.cleaned_data["claimant"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("wishes:detail", pk=wish.pk)
    messages.success(request, _("认领成功！完成后请在这里标记完成。"))
    return redirect("wishes:claim_detail", pk=claim.pk)


# --- the resident -------------------------------------------------------------------------


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
    rate=_form_posts_rate,
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
    if getattr(request, "limited", False) or _address_limit_reached(request):
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
    street = selectors.place_choices(street=_int_param(request, "street"))["street"]
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
    street = _int_param(request, "street")
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
            limit_phone=not _submit_exempt(request),
        )
    except services.TooManyWishes as error:
        return _refused(request, form, " ".join(error.messages))
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _form_page(request, form, status=400)
    _count_saved(request)
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
            wish=wish, name=data["name"], phone=data["phone"], limit_phone=not _submit_exempt(request)
        )
    except services.TooManyWishes as error:
        return _refused(request, form, " ".join(error.messages))
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _form_page(request, form, status=400)
    _count_saved(request)
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


def _lookup_page(request, form, status):
    return render(request, "wishes/track_lookup.html", {"form": form}, status=status)


def _wrong_code(request, typed):
    """The lookup page with what was typed kept, saying the code is wrong (404, but not the 404 page)."""
    form = TrackLookupForm({"code": typed})
    form.is_valid()
    form.add_error("code", _("查询码不正确，请核对后再输入。查询码是 12 位字母和数字。"))
    return _lookup_page(request, form, status=404)


def _too_many_guesses(request, typed):
    form = TrackLookupForm({"code": typed})
    form.is_valid()
    form.add_error("code", _("查询码输错的次数太多了，请一小时后再试，或用手机号找回查询码。"))
    return _lookup_page(request, form, status=429)


@never_cache
@private
def track_lookup(request):
    form = TrackLookupForm(request.GET or None)
    if not form.is_bound:
        return _lookup_page(request, form, status=200)
    if not form.is_valid():
        return _lookup_page(request, form, status=400)
    code = form.cleaned_data["code"]
    typed = request.GET.get("code", "")
    if _out_of_guesses(rate_limit_cache().get(_misses_key(request), 0)):
        return _too_many_guesses(request, typed)
    wish, _follower = selectors.find_by_code(code)
    if wish is None:
        _count_miss(request)
        return _wrong_code(request, typed)
    return redirect("wishes:track", code=code)


@never_cache
@private
def track(request, code):
    code = normalise_code(code)
    misses_key = _misses_key(request)
    ref_key, version_key = _code_key(code), services.track_version_key(code)
    # One round trip: the guess count, the code's wish and its current version.
    found = cache.get_many([misses_key, ref_key, version_key])
    misses = found.get(misses_key, 0)
    if cache_unavailable():  # Redis is away: the guesses are counted in this process
        misses = rate_limit_cache().get(misses_key, 0)
    if _out_of_guesses(misses):
        return _too_many_guesses(request, code)
    ref, version = found.get(ref_key), found.get(version_key)
    if ref is not None and version is not None:
        cached = _content_key(ref[0], version, ref[1])
        return pagecache.serve(
            request,
            lambda: _track_page_from_cache(request, code, cached),
            seconds=TRACK_CACHE_SECONDS,
            parts=(cached,),
        )
    return _track_by_code(request, code)


def _track_by_code(request, code):
    wish, follower = selectors.find_by_code(code)
    if wish is None:
        _count_miss(request)
        return _wrong_code(request, code)
    return _track_page(request, wish, follower)


def _track_page_from_cache(request, code, content_key):
    content = cache.get(content_key)
    if content is None:  # expired between the two lookups
        return _track_by_code(request, code)
    return render(request, "wishes/track.html", {"content": content})


def _track_page(request, wish, follower, forms_by_claim=None, status=200):
    context = {
        "wish": wish,
        "follower": follower,
        "is_owner": follower is None,
        "code": follower.code if follower else wish.code,
        "community_phone": wish.community.phone,
    }
    content = _track_content(request, context, forms_by_claim)
    return render(request, "wishes/track.html", {"content": content}, status=status)


# The tracking page of a wish changes only with its events: every change of
# state writes one (record_event in wishes.services.common), and its id is the cache version. Its
# confirmation forms carry the CSRF placeholder (portal.pagecache), never a token.


def _content_key(wish_pk, version, is_owner):
    return f"wishes:track:{wish_pk}:{version}:{is_owner:d}"


def _code_key(code):
    return f"wishes:code:{code}"


def _track_content(request, context, forms_by_claim):
    wish, is_owner = context["wish"], context["is_owner"]
    version_key = services.track_version_key(context["code"])
    version = cache.get(version_key)
    claims = selectors.wish_claims_for_resident(wish)
    for claim in claims:
        claim.public_label = services.public_claimant_label(claim)
        bound = (forms_by_claim or {}).get(claim.pk)
        claim.confirm_form = bound if isinstance(bound, ConfirmForm) else ConfirmForm(prefix=f"c{claim.pk}")
        claim.not_done_form = bound if isinstance(bound, NotDoneForm) else NotDoneForm(prefix=f"n{claim.pk}")
        claim.not_done_open = isinstance(bound, NotDoneForm)
    events = selectors.wish_timeline(wish)
    # Rendered with the CSRF placeholder: the confirmation form can be cached
    # too, and every response gets its visitor's own token.
    with pagecache.placeholder_tokens(request):
        content = render_to_string(
            "wishes/_track_content.html", {**context, "claims": claims, "events": events}, request=request
        )
    if forms_by_claim or not events:
        return content
    if version is None:
        # add, not set: an event committed meanwhile may have set a newer version.
        cache.add(version_key, events[-1].pk, services.TRACK_VERSION_SECONDS)
        version = events[-1].pk
    if version == events[-1].pk:
        cache.set(_code_key(context["code"]), (wish.pk, is_owner), services.TRACK_VERSION_SECONDS)
        cache.set(_content_key(wish.pk, version, is_owner), content, TRACK_CACHE_SECONDS)
    return content


@require_POST
@private
def track_confirm(request, code, claim_id):
    wish, follower = _resident_wish_or_404(request, code)
    if follower is not None:
        raise Http404  # only the person who made the wish confirms it
    claim = get_object_or_404(Claim, pk=claim_id, wish=wish)
    form = ConfirmForm(request.POST, prefix=f"c{claim.pk}")
    if form.is_valid():
        try:
            services.wish_confirm(
                wish=wish,
                claim=claim,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("感谢您的确认和评价！"))
        return redirect("wishes:track", code=wish.code)
    return _track_page(request, wish, None, {claim.pk: form}, status=400)


@require_POST
@private
def track_not_done(request, code, claim_id):
    """The resident says "还没实现 / 有问题": back to the community and the claimant, with the reason."""
    wish, follower = _resident_wish_or_404(request, code)
    if follower is not None:
        raise Http404  # only the person who made the wish answers for it
    claim = get_object_or_404(Claim, pk=claim_id, wish=wish)
    form = NotDoneForm(request.POST, prefix=f"n{claim.pk}")
    if form.is_valid():
        try:
            services.wish_report_not_done(wish=wish, claim=claim, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("已经告诉社区和认领方，他们会尽快联系您。"))
            return redirect("wishes:track", code=wish.code)
    return _track_page(request, wish, None, {claim.pk: form}, status=400)


# --- a lost tracking code -------------------------------------------------------------------

SESSION_RECOVERY_PHONE = "wishes_recovery_phone"


def _recovery_rate(group, request):
    return f"{settings.WISH_RECOVERY_PER_ADDRESS}/h"


@never_cache
@ratelimit(
    key="portal.net.ratelimit_key", rate=_recovery_rate, method="POST", block=False, group="wishes.recover"
)
@private
def track_recover(request):
    """Step 1: the phone number. The answer is the same whether it filed a wish or not."""
    form = RecoveryPhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if getattr(request, "limited", False):
            form.add_error(None, _("这个网络获取验证码太频繁了，请一小时后再试。"))
        else:
            phone = form.cleaned_data["phone"]
            try:
                services.tracking_recovery_request(phone=phone)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                request.session[SESSION_RECOVERY_PHONE] = phone
                messages.success(request, _("如果这个手机号提交或关注过心愿，验证码短信马上就到。"))
                return redirect("wishes:track_recover_code")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "wishes/track_recover.html", {"form": form}, status=status)


@never_cache
@private
def track_recover_code(request):
    """Step 2: the one-time code; then the phone's tracking codes."""
    phone = request.session.get(SESSION_RECOVERY_PHONE)
    if not phone:
        return redirect("wishes:track_recover")
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entries = services.tracking_recovery_check(phone=phone, otp=form.cleaned_data["otp"].strip())
        except ValidationError as error:
            for message in error.message_dict.get("otp", error.messages):
                form.add_error("otp", message)
        else:
            del request.session[SESSION_RECOVERY_PHONE]
            return render(request, "wishes/track_recovered.html", {"entries": entries})
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "wishes/track_recover_code.html", {"form": form, "phone": phone}, status=status)


def _photo_response(claim):
    if not claim.photo:
        raise Http404
    try:
        handle = claim.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@private
def track_photo(request, code, claim_id):
    wish, follower = _resident_wish_or_404(request, code)
    if follower is not None:
        raise Http404
    return _photo_response(get_object_or_404(Claim, pk=claim_id, wish=wish))


# --- claimants ------------------------------------------------------------------------------


def _claim_context(request, claim, **extra):
    can_act = services.can_act_for(request.user, claim.claimant)
    working = claim.status in (Claim.Status.CLAIMED, Claim.Status.FULFILLED)
    return {
        "claim": claim,
        "wish": claim.wish,
        "can_act": can_act,
        "form": FulfilForm(),
        "photo_mb": settings.WISH_PHOTO_MAX_MB,
        # Whom to call: the grid's workers (or the secretary), and the resident
        # only if they agreed to be called directly.
        "contacts": contacts_for(claim.wish.grid) if can_act and working else [],
        "can_reveal": can_act and working and claim.wish.contact_consent,
        **extra,
    }


@login_required
def claim_detail(request, pk):
    claim = selectors.get_claim_for_user_or_404(request.user, pk)
    return render(request, "wishes/claim_detail.html", _claim_context(request, claim))


@require_POST
@login_required
def claim_reveal_phone(request, pk):
    """Show the resident's phone to the claimant who may call them; the reveal is recorded."""
    claim = selectors.get_claim_for_user_or_404(request.user, pk)
    context = _claim_context(request, claim)
    if not context["can_reveal"]:
        raise PermissionDenied
    wish = claim.wish
    personal_data_record(
        actor=request.user,
        action=PersonalDataLog.Action.VIEW,
        subject=wish,
        fields=["phone"],
        grid=wish.grid,
        detail=_("认领人查看居民电话（居民同意直接联系）"),
    )
    return render(request, "wishes/claim_detail.html", {**context, "resident_phone": wish.phone})


@require_POST
@login_required
def claim_withdraw(request, pk):
    claim = selectors.get_claim_for_user_or_404(request.user, pk)
    try:
        services.claim_withdraw(claim=claim, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已撤回认领，名额已释放。"))
    return redirect("wishes:claim_detail", pk=claim.pk)


@require_POST
@login_required
def claim_fulfil(request, pk):
    claim = selectors.get_claim_for_user_or_404(request.user, pk)
    form = FulfilForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.claim_fulfil(
                claim=claim,
                user=request.user,
                note=form.cleaned_data["note"],
                photo=form.cleaned_data["photo"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("已标记完成，等待居民确认。"))
            return redirect("wishes:claim_detail", pk=claim.pk)
    return render(request, "wishes/claim_detail.html", _claim_context(request, claim, form=form), status=400)


@login_required
def claim_photo(request, pk):
    return _photo_response(selectors.get_claim_for_user_or_404(request.user, pk))


# --- community staff --------------------------------------------------------------------------


def _staff(view):
    return scope_required(permission_required(REVIEW, raise_exception=True)(view))


@_staff
def review_queue(request):
    queue = selectors.review_queue(request.user)
    page = Paginator(queue, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "wishes/review_queue.html",
        {
            "page": page,
            "overdue": selectors.overdue_wishes(request.user)[:50],
            "counts": selectors.staff_counts(request.user),
            "can_see_phone": can_view_personal_data(request.user),
        },
    )


def _matches(wish):
    return selectors.household_matches(phone=wish.phone, address=wish.address, grid=wish.grid)


def _publish_form(wish, matches, data=None):
    best = selectors.best_household(phone=wish.phone, address=wish.address, grid=wish.grid)
    initial = {
        "public_text": wish.public_text or wish.text,
        "category": wish.category,
        "slots": wish.slots,
        # Suggested only from a household the matches leave no doubt about.
        "priority": wish.priority
        or (1 if best is not None and best.category != best.Category.GENERAL else 0),
        "household": str(best.pk) if best else PublishChoicesForm.NONE,
        "is_shared": wish.is_shared,
    }
    return PublishChoicesForm(data, initial=initial, households=matches, best=best)


def _review_context(request, wish, **forms):
    matches = _matches(wish)
    return {
        "wish": wish,
        "events": selectors.wish_timeline(wish),
        "claims": wish.claims.select_related("volunteer", "team", "unit").order_by("slot_no"),
        "matches": matches,
        "same_phone": selectors.same_phone_wishes(wish, request.user),
        "can_see_phone": can_view_personal_data(request.user),
        "publish_form": forms.get("publish_form") or _publish_form(wish, matches),
        "reject_form": forms.get("reject_form") or ReasonForm(prefix="reject"),
        "close_form": forms.get("close_form") or ReasonForm(prefix="close"),
        "settle_form": forms.get("settle_form") or ReasonForm(prefix="settle"),
    }


@_staff
def review_detail(request, pk):
    wish = selectors.get_wish_for_user_or_404(request.user, pk)
    if can_view_personal_data(request.user):
        # The full number is shown on this page: the read is recorded, like a reveal.
        personal_data_record(
            actor=request.user,
            action=PersonalDataLog.Action.VIEW,
            subject=wish,
            fields=wish.PERSONAL_FIELDS,
            grid=wish.grid,
            detail=_("在心愿审核页面查看"),
        )
    return render(request, "wishes/review_detail.html", _review_context(request, wish))


def _reason_form(prefix):
    return lambda wish, data: ReasonForm(data, prefix=prefix)


def _review_action(request, pk, make_form, context_key, act, done):
    wish = selectors.get_wish_for_user_or_404(request.user, pk)
    form = make_form(wish, request.POST)
    if form.is_valid():
        try:
            act(wish, form.cleaned_data)
        except ValidationError as error:
            # Shown at the top: the form itself may be gone once the wish has moved on.
            messages.error(request, " ".join(error.messages))
            wish.refresh_from_db()
        else:
            messages.success(request, done)
            return redirect("wishes:review_queue")
    context = _review_context(request, wish, **{context_key: form})
    return render(request, "wishes/review_detail.html", context, status=400)


@require_POST
@_staff
def review_publish(request, pk):
    return _review_action(
        request,
        pk,
        lambda wish, data: _publish_form(wish, _matches(wish), data),
        "publish_form",
        lambda wish, data: services.wish_publish(wish=wish, by=request.user, **data),
        _("已发布到心愿墙。"),
    )


@require_POST
@_staff
def review_reject(request, pk):
    return _review_action(
        request,
        pk,
        _reason_form("reject"),
        "reject_form",
        lambda wish, data: services.wish_reject(wish=wish, by=request.user, reason=data["reason"]),
        _("已退回，居民可通过查询码看到原因。"),
    )


@require_POST
@_staff
def review_close(request, pk):
    return _review_action(
        request,
        pk,
        _reason_form("close"),
        "close_form",
        lambda wish, data: services.wish_close(wish=wish, by=request.user, reason=data["reason"]),
        _("已关闭这个心愿。"),
    )


@require_POST
@_staff
def review_settle(request, pk):
    return _review_action(
        request,
        pk,
        _reason_form("settle"),
        "settle_form",
        lambda wish, data: services.wish_issue_settle(wish=wish, by=request.user, note=data["reason"]),
        _("已记录跟进情况，居民可通过查询码看到。"),
    )


@_staff
def qr_index(request):
    communities = selectors.scope_communities(request.user)
    return render(request, "wishes/qr_index.html", {"communities": communities})


def _qr_cards(request, community):
    nodes = [community, *community.get_children().order_by("code")]
    cards = []
    for node in nodes:
        link = request.build_absolute_uri(reverse("wishes:new") + f"?grid={node.code}")
        cards.append(
            {"node": node, "link": link, "svg": qr_svg(link, scale=5), "png": qr_data_uri(link, scale=8)}
        )
    return cards


def _community_for_qr(request, code):
    community = get_grid_for_user_or_404(request.user, code)
    if community.kind != Grid.Kind.COMMUNITY:
        raise Http404
    return community


@_staff
def qr_sheet(request, code):
    community = _community_for_qr(request, code)
    return render(
        request, "wishes/qr_sheet.html", {"community": community, "cards": _qr_cards(request, community)}
    )


@_staff
def qr_sheet_pdf(request, code):
    community = _community_for_qr(request, code)
    data = render_pdf(
        "wishes/qr_sheet_pdf.html", {"community": community, "cards": _qr_cards(request, community)}
    )
    return pdf_response(data, _("微心愿二维码-%(name)s.pdf") % {"name": community.name})
