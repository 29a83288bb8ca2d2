from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from care import selectors, services
from care.forms import ContactForm
from care.palette import legend
from care.presentation import draw
from portal.decorators import scope_required
from portal.models import PersonalDataLog
from portal.privacy import personal_data_record
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
