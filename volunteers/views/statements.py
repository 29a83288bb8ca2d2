"""Records of service as PDFs (服务记录), for a volunteer themselves or for staff, with a limit on how often."""

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from portal.decorators import scope_required
from portal.pdf import pdf_response, render_pdf
from portal.privacy import mask_id_number
from volunteers import selectors, services
from volunteers.access import volunteer_of
from volunteers.forms import (
    PeriodForm,
)
from volunteers.views.common import no_volunteer, this_year_so_far


def _statement_pdf(request, volunteer, form):
    street = selectors.street_of(volunteer.community)
    issuer = _("%(street)s党建引领基层治理平台") % {"street": street.name}
    statement, records = services.service_statement_issue(
        volunteer=volunteer,
        user=request.user,
        period_from=form.cleaned_data["date_from"],
        period_to=form.cleaned_data["date_to"],
        issuer=issuer,
    )
    data = render_pdf(
        "volunteers/statement_pdf.html",
        {
            "statement": statement,
            "volunteer": volunteer,
            "masked_id": mask_id_number(volunteer.id_number),
            "records": records,
            "street": street,
        },
    )
    return pdf_response(data, f"服务记录-{volunteer.number}-{statement.serial}.pdf")


def _statements_rate(group, request):
    # A service-record PDF costs seconds of work: a few an hour per person is plenty.
    return f"{settings.VOLUNTEER_STATEMENTS_PER_HOUR}/h"


_statement_limit = ratelimit(
    key="user", rate=_statements_rate, method="POST", block=True, group="volunteers.statement_pdf"
)


@login_required
@_statement_limit
def my_statement(request):
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return no_volunteer(request)
    form = PeriodForm(request.POST or None, initial=this_year_so_far())
    if request.method == "POST" and form.is_valid():
        return _statement_pdf(request, volunteer, form)
    return render(
        request,
        "volunteers/statement_form.html",
        {"form": form, "volunteer": volunteer},
        status=400 if request.method == "POST" else 200,
    )


@scope_required
@permission_required("volunteers.view_volunteer", raise_exception=True)
@_statement_limit
def volunteer_statement(request, pk):
    volunteer = selectors.get_volunteer_for_user_or_404(request.user, pk)
    form = PeriodForm(request.POST or None, initial=this_year_so_far())
    if request.method == "POST" and form.is_valid():
        return _statement_pdf(request, volunteer, form)
    return render(
        request,
        "volunteers/statement_form.html",
        {"form": form, "volunteer": volunteer},
        status=400 if request.method == "POST" else 200,
    )
