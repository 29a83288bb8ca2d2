from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from care import selectors, services
from care.forms import ContactForm, PostServiceForm
from care.palette import legend
from care.presentation import draw
from portal.decorators import scope_required
from portal.models import PersonalDataLog
from portal.pdf import pdf_response, render_pdf
from portal.privacy import personal_data_record
from portal.qr import qr_svg
from portal.scoping import scope_node

PAGE_SIZE = 30


def _partner_page(request, form_for=None, form=None, status=200):
    pairings = list(selectors.my_pairings(request.user))
    for pairing in pairings:
        pairing.form = form if pairing.pk == form_for else ContactForm()
    context = {"pairings": pairings, "legend": legend(), "overdue_days": settings.VISIT_OVERDUE_DAYS}
    return render(request, "care/partner.html", context, status=status)


@login_required
def partner_home(request):
    """The partner's phone page: my paired households, longest without contact first."""
    return _partner_page(request)


@require_POST
@login_required
def contact_log(request, pk):
    """One tap: log a contact with one of my paired households."""
    pairing = selectors.get_my_pairing_or_404(request.user, pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.pairing_contact_log(partner=request.user, pairing=pairing, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, _("已记录对 %(household)s 的联系。") % {"household": pairing.household.address_label}
            )
            return redirect("care:partner_home")
    return _partner_page(request, form_for=pairing.pk, form=form, status=400)


@scope_required
def map_index(request):
    """The grids whose 民情图 the user may open; a grid worker goes straight to their own."""
    node = scope_node(request.user)
    if node is not None and node.kind == "grid":
        return redirect("care:people_map", code=node.code)
    grids = selectors.map_grids_for(request.user)
    return render(request, "care/map_index.html", {"grids": grids})


@scope_required
def people_map(request, code):
    """The 民情图 of one grid: every building as floors × units × rooms, coloured by category."""
    grid = selectors.get_map_grid_for_user_or_404(request.user, code)
    maps = draw(selectors.people_map(grid))
    totals = selectors.map_totals(maps)
    # Rainbow categories are sensitive personal data: drawing a grid's map is a read of them.
    personal_data_record(
        actor=request.user,
        action=PersonalDataLog.Action.VIEW,
        subject=grid,
        fields=["category"],
        grid=grid,
        detail=_("查看民情图"),
    )
    return render(
        request,
        "care/people_map.html",
        {"grid": grid, "maps": maps, "totals": totals, "legend": legend(totals.by_category)},
    )


@scope_required
def unpaired(request):
    """Staff: the vulnerable households of the scope without a partner, each a link to pair it."""
    households = selectors.unpaired_households_for(request.user)
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    can_pair = request.user.has_perm("care.add_pairing")
    return render(request, "care/unpaired.html", {"page": page, "can_pair": can_pair, "legend": legend()})


# --- posts (认岗) ------------------------------------------------------------------------------


def _member_or_none(user):
    return getattr(user, "volunteer", None)


def _member_post(view):
    """A POST from a signed-in person with a volunteer record, handed to `view` with it; others go to 认岗."""

    @wraps(view)
    @require_POST
    @login_required
    def wrapper(request, *args, **kwargs):
        volunteer = _member_or_none(request.user)
        if volunteer is None:
            return redirect("care:posts")
        return view(request, volunteer, *args, **kwargs)

    return wrapper


def _posts_page(request, volunteer, form_for=None, form=None, status=200):
    claims = list(selectors.my_claims(volunteer))
    for claim in claims:
        claim.form = (
            form if claim.pk == form_for else PostServiceForm(initial={"served_on": timezone.localdate()})
        )
    held = {claim.post_id for claim in claims}
    posts = [post for post in selectors.posts_for_member(volunteer) if post.pk not in held]
    context = {
        "volunteer": volunteer,
        "claims": claims,
        "own_posts": [post for post in posts if post.own],
        "other_posts": [post for post in posts if not post.own],
    }
    return render(request, "care/posts.html", context, status=status)


@login_required
def posts(request):
    """The party member's phone page: the posts they hold (with service to record), and posts to claim."""
    volunteer = _member_or_none(request.user)
    if volunteer is None:
        return render(request, "care/posts_no_record.html", status=200)
    return _posts_page(request, volunteer)


def _refused(request, error):
    messages.error(request, " ".join(getattr(error, "messages", None) or [str(error)]))
    return redirect("care:posts")


@_member_post
def post_claim(request, volunteer, pk):
    post = selectors.get_open_post_or_404(volunteer, pk)
    try:
        services.post_claim(post=post, volunteer=volunteer)
    except (ValidationError, PermissionDenied) as error:
        return _refused(request, error)
    messages.success(
        request, _("已认领“%(post)s”。服务后在本页填报，社区核验后计入积分。") % {"post": post.title}
    )
    return redirect("care:posts")


@_member_post
def post_leave(request, volunteer, pk):
    claim = selectors.get_my_claim_or_404(volunteer, pk)
    try:
        services.post_leave(claim=claim, volunteer=volunteer)
    except (ValidationError, PermissionDenied) as error:
        return _refused(request, error)
    messages.success(request, _("已卸任“%(post)s”。填报过的服务记录保留。") % {"post": claim.post.title})
    return redirect("care:posts")


@_member_post
def post_service(request, volunteer, pk):
    claim = selectors.get_my_claim_or_404(volunteer, pk)
    form = PostServiceForm(request.POST)
    if form.is_valid():
        try:
            services.post_service_record(claim=claim, volunteer=volunteer, **form.cleaned_data)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error)
        except PermissionDenied as error:
            return _refused(request, error)
        else:
            messages.success(
                request,
                _("已填报 %(hours)s 小时服务，等%(community)s工作人员核验后计入积分。")
                % {"hours": form.cleaned_data["hours"], "community": claim.community.name},
            )
            return redirect("care:posts")
    return _posts_page(request, volunteer, form_for=claim.pk, form=form, status=400)


@_member_post
def identity(request, volunteer):
    """亮身份: the party member agrees, or no longer agrees, to be named on building boards."""
    shows = request.POST.get("shows") == "1"
    try:
        services.identity_consent(volunteer=volunteer, shows=shows)
    except PermissionDenied as error:
        return _refused(request, error)
    if shows:
        messages.success(request, _("已亮身份：您的姓名将印在所服务楼栋的公示牌上。"))
    else:
        messages.success(request, _("已取消亮身份：之后打印的公示牌不再显示您的姓名。"))
    return redirect("care:posts")


@scope_required
def building_board_pdf(request, pk):
    """A building's A4 board (亮身份): its leaders, grid workers, party members who agreed, the two QR codes."""
    building = selectors.get_board_building_or_404(request.user, pk)
    board = selectors.building_board(building)
    cards = []
    for label, hint, url_name in (
        (_("微心愿"), _("扫码说出您的微心愿"), "wishes:new"),
        (_("随手拍"), _("扫码反映身边的问题"), "cases:new"),
        (_("有事好商量"), _("扫码提出需要大家商量的事"), "deliberation:topic_new"),
    ):
        link = request.build_absolute_uri(reverse(url_name) + f"?grid={board.grid.code}")
        cards.append({"label": label, "hint": hint, "link": link, "svg": qr_svg(link, scale=5)})
    data = render_pdf("care/board_pdf.html", {"board": board, "cards": cards})
    name = _("楼栋公示牌-%(grid)s-%(building)s.pdf") % {"grid": board.grid.name, "building": building.name}
    return pdf_response(data, name)
