"""Responders on a phone: a dispatch to their department or unit → sign → arrived → done with the result, or return it."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import selectors, services, transitions
from cases.forms import ReasonForm, ResultForm
from cases.views.common import form_errors, run
from grids.selectors import contacts_for


@login_required
def dispatch_detail(request, pk):
    dispatch = selectors.get_dispatch_for_responder_or_404(request.user, pk)
    case = dispatch.case
    return render(
        request,
        "cases/dispatch.html",
        {
            "dispatch": dispatch,
            "case": case,
            "actions": transitions.actions_from(dispatch.state, on_dispatch=True, who={"responder"}),
            "photos": [p for p in case.photos.all() if p.dispatch_id in (None, dispatch.pk)],
            "events": [e for e in selectors.timeline(case) if e.dispatch_id in (None, dispatch.pk)],
            # Whom to call on the way: the grid's workers (or the secretary), never the resident.
            "contacts": contacts_for(case.grid),
            "result_form": ResultForm(),
            "reason_form": ReasonForm(),
        },
    )


@require_POST
@login_required
def dispatch_act(request, pk, action):
    dispatch = selectors.get_dispatch_for_responder_or_404(request.user, pk)
    user = request.user
    if action == "sign":
        run(request, lambda: services.dispatch_sign(dispatch=dispatch, by=user), _("已签收。"))
    elif action == "arrive":
        run(request, lambda: services.dispatch_arrive(dispatch=dispatch, by=user), _("已记录到场。"))
    elif action == "complete":
        form = ResultForm(request.POST, request.FILES)
        if not form.is_valid():
            form_errors(request, form)
        else:
            data = form.cleaned_data
            run(
                request,
                lambda: services.dispatch_complete(
                    dispatch=dispatch, by=user, result=data["result"], photos=data["photos"]
                ),
                _("已办结，等待社区核实。"),
            )
    elif action == "return":
        form = ReasonForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
        else:
            run(
                request,
                lambda: services.dispatch_return(
                    dispatch=dispatch, by=user, reason=form.cleaned_data["reason"]
                ),
                _("已退回街道。"),
            )
    else:
        raise PermissionDenied
    return redirect("cases:dispatch", pk=dispatch.pk)
