"""Community staff: the review queue, publishing and rejecting, closing, settling an issue, and the QR posters."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grids.models import Grid
from grids.selectors import get_grid_for_user_or_404
from portal.decorators import scope_required
from portal.models import PersonalDataLog
from portal.pdf import pdf_response, render_pdf
from portal.privacy import can_view_personal_data, personal_data_record
from portal.qr import qr_data_uri, qr_svg
from wishes import selectors, services
from wishes.forms import (
    PublishChoicesForm,
    ReasonForm,
)
from wishes.views.common import REVIEW


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
