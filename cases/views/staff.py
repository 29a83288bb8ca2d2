"""Staff and grid workers: the queue, a case's page with the actions open to them, reporting on the spot."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases import access, selectors, services, transitions
from cases.forms import (
    CategoryForm,
    DispatchForm,
    MergeForm,
    NoteForm,
    ReasonForm,
    ResultForm,
    SuperviseForm,
    WorkerCaseForm,
)
from cases.models import CaseState, Category, Dispatch, Level
from cases.views.common import choice_param, form_errors, int_param, photo_response, run
from grids.models import Grid
from grids.selectors import get_visit_for_user_or_404, grids_visible_to
from portal.models import PersonalDataLog
from portal.privacy import can_view_personal_data, mask_phone, personal_data_record
from portal.scoping import scope_node
from wishes.selectors import get_wish_for_user_or_404

PAGE = 50


def _handles(request):
    if not request.user.has_perm(access.HANDLE):
        raise PermissionDenied


@login_required
def queue(request):
    """/cases/: the staff queue with filters, or, for a responder, only what was dispatched to them."""
    user = request.user
    if not user.has_perm(access.HANDLE):
        if not selectors.is_responder(user):
            raise PermissionDenied
        return _responder_list(request)
    filters = {
        "state": choice_param(request, "state", CaseState.values),
        "level": choice_param(request, "level", Level.values),
        "category": int_param(request, "category"),
        "overdue": request.GET.get("overdue") == "1",
    }
    page = min(int_param(request, "page") or 1, 200)
    rows = list(selectors.queue(user, **filters)[(page - 1) * PAGE : page * PAGE + 1])
    node = scope_node(user)
    categories = selectors.categories_of(node.get_root()) if node is not None else Category.objects.none()
    return render(
        request,
        "cases/queue.html",
        {
            "cases": rows[:PAGE],
            "more": len(rows) > PAGE,
            "page": page,
            "filters": filters,
            "states": CaseState.choices,
            "levels": Level.choices,
            "categories": categories,
            "query": request.GET.urlencode(),
        },
    )


def _responder_list(request):
    live = request.GET.get("all") != "1"
    dispatches = list(selectors.dispatches_for_responder(request.user, live_only=live)[:100])
    return render(request, "cases/responder_list.html", {"dispatches": dispatches, "live": live})


def _actions_for(user, case):
    """The actions the page offers: allowed from the state by the table, and to this user."""
    whos = {who for who in ("level", "street", "verifier") if access.may_act(user, case, who)}
    names = transitions.actions_from(case.state, who=whos)
    names = [n for n in names if n not in ("transfer",)]
    if case.level == Level.STREET:
        names = [n for n in names if n != "pass_up"]
    lowest = Level.COMMUNITY if case.grid.kind == Grid.Kind.COMMUNITY else Level.GRID
    if case.level == lowest:
        names = [n for n in names if n != "send_back"]
    if not case.reporter_phone:
        names = [n for n in names if n != "to_wish"]
    return names


def _may_call_back(user, case):
    """Whoever holds an open case may see the reporter's number to call back (and it is logged)."""
    return bool(case.reporter_phone) and case.is_open and access.may_handle(user, case)


def _phone(request, case, *, reveal=False):
    if not case.reporter_phone:
        return ""
    if can_view_personal_data(request.user) or (reveal and _may_call_back(request.user, case)):
        personal_data_record(
            actor=request.user,
            action=PersonalDataLog.Action.VIEW,
            subject=case,
            fields=["reporter_phone"],
            grid=case.grid,
            detail=_("在事件页面查看"),
        )
        return case.reporter_phone
    return mask_phone(case.reporter_phone)


def _dispatch_form(case, data=None, prefix="dispatch"):
    departments, units = services.responders_of(case.street)
    return DispatchForm(data, departments=departments, units=units, prefix=prefix)


@login_required
def detail(request, pk):
    _handles(request)
    case = selectors.get_case_for_user_or_404(request.user, pk)
    return _detail(request, case)


@require_POST
@login_required
def reveal_phone(request, pk):
    """The holder of a case taps "显示完整号码" to call the reporter back; the access log records it."""
    _handles(request)
    case = selectors.get_case_for_user_or_404(request.user, pk)
    if not (can_view_personal_data(request.user) or _may_call_back(request.user, case)):
        raise PermissionDenied
    return _detail(request, case, reveal=True)


def _detail(request, case, *, reveal=False):
    actions = _actions_for(request.user, case)
    dispatches = list(case.dispatches.select_related("department", "unit"))
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "phone": _phone(request, case, reveal=reveal),
            "can_reveal": not reveal
            and not can_view_personal_data(request.user)
            and _may_call_back(request.user, case),
            "actions": actions,
            "dispatches": dispatches,
            "can_transfer": access.may_dispatch(request.user, case) and case.state == CaseState.DISPATCHED,
            "events": selectors.timeline(case),
            "photos": list(case.photos.all()),
            "forms": {
                "reason": ReasonForm(),
                "note": NoteForm(),
                "result": ResultForm(),
                "supervise": SuperviseForm(),
                "merge": MergeForm(),
                "dispatch": _dispatch_form(case)
                if "dispatch" in actions or case.state == CaseState.DISPATCHED
                else None,
            },
        },
    )


def _merge(request, case, data):
    into = selectors.case_by_code(data["into"])
    visible = into is not None and selectors.cases_visible_to(request.user).filter(pk=into.pk).exists()
    if not visible:
        from django.core.exceptions import ValidationError

        raise ValidationError(_("找不到这个查询码的事件，或它不在您的管辖范围内。"))
    return services.case_merge(case=case, into=into, by=request.user)


# action: (form maker, service call, message when done)
_ACTS = {
    "accept": (None, lambda r, c, d: services.case_accept(case=c, by=r.user), gettext_lazy("已受理。")),
    "decline": (
        lambda c, data: ReasonForm(data),
        lambda r, c, d: services.case_decline(case=c, by=r.user, reason=d["reason"]),
        gettext_lazy("已不予受理，居民会收到原因。"),
    ),
    "pass_up": (
        lambda c, data: NoteForm(data),
        lambda r, c, d: services.case_pass_up(case=c, by=r.user, note=d["note"]),
        gettext_lazy("已上报上级。"),
    ),
    "send_back": (
        lambda c, data: ReasonForm(data),
        lambda r, c, d: services.case_send_back(case=c, by=r.user, reason=d["reason"]),
        gettext_lazy("已退回下级。"),
    ),
    "finish": (
        lambda c, data, files=None: ResultForm(data, files),
        lambda r, c, d: services.case_finish(case=c, by=r.user, result=d["result"], photos=d["photos"]),
        gettext_lazy("已办理完成，等待核实。"),
    ),
    "to_wish": (
        None,
        lambda r, c, d: services.case_to_wish(case=c, by=r.user),
        gettext_lazy("已转为微心愿，查询码不变。"),
    ),
    "merge": (lambda c, data: MergeForm(data), _merge, gettext_lazy("已合并。")),
    "dispatch": (
        lambda c, data: _dispatch_form(c, data),
        lambda r, c, d: services.case_dispatch(
            case=c, by=r.user, departments=d["department_objects"], units=d["unit_objects"], note=d["note"]
        ),
        gettext_lazy("已派遣，各单位会收到通知。"),
    ),
    "supervise": (
        lambda c, data: SuperviseForm(data),
        lambda r, c, d: services.case_supervise(case=c, by=r.user, note=d["note"]),
        gettext_lazy("已督办。"),
    ),
    "verify": (
        lambda c, data: NoteForm(data),
        lambda r, c, d: services.case_verify(case=c, by=r.user, note=d["note"]),
        gettext_lazy("已核实。"),
    ),
    "redo": (
        lambda c, data: ReasonForm(data),
        lambda r, c, d: services.case_redo(case=c, by=r.user, reason=d["reason"]),
        gettext_lazy("已退回重新办理。"),
    ),
}


@require_POST
@login_required
def act(request, pk, action):
    _handles(request)
    case = selectors.get_case_for_user_or_404(request.user, pk)
    if action not in _ACTS:
        raise PermissionDenied
    make_form, call, done = _ACTS[action]
    data = {}
    if make_form is not None:
        form = (
            make_form(case, request.POST, request.FILES)
            if action == "finish"
            else make_form(case, request.POST)
        )
        if not form.is_valid():
            form_errors(request, form)
            return redirect("cases:detail", pk=case.pk)
        data = form.cleaned_data
    run(request, lambda: call(request, case, data), done)
    return redirect("cases:detail", pk=case.pk)


@require_POST
@login_required
def transfer(request, pk, dispatch_pk):
    _handles(request)
    case = selectors.get_case_for_user_or_404(request.user, pk)
    dispatch = get_object_or_404(Dispatch.objects.filter(case=case), pk=dispatch_pk)
    form = _dispatch_form(case, request.POST)
    if form.is_valid() and len(form.cleaned_data["reason"]) < 2:
        form.add_error("reason", _("请写明转派原因。"))
    if not form.is_valid():
        form_errors(request, form)
        return redirect("cases:detail", pk=case.pk)
    data = form.cleaned_data
    run(
        request,
        lambda: services.dispatch_transfer(
            dispatch=dispatch,
            by=request.user,
            departments=data["department_objects"],
            units=data["unit_objects"],
            reason=data["reason"],
        ),
        _("已转派。"),
    )
    return redirect("cases:detail", pk=case.pk)


def _worker_grids(user):
    return list(
        grids_visible_to(user).filter(kind=Grid.Kind.GRID).select_related("parent").order_by("code")[:300]
    )


def _categories_for(user):
    node = scope_node(user)
    if node is None:
        return Category.objects.filter(active=True).order_by("street", "position", "name")
    return selectors.categories_of(node.get_root())


@login_required
def report(request):
    """A grid worker (or staff) reports on the spot."""
    _handles(request)
    grids, categories = _worker_grids(request.user), list(_categories_for(request.user))
    form = WorkerCaseForm(request.POST or None, request.FILES or None, grids=grids, categories=categories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = {}

        def call():
            created["case"] = services.case_report_worker(
                by=request.user,
                grid=data["grid"],
                category=data["category"],
                description=data["description"],
                address=data["address"],
                photos=data["photos"],
            )

        if run(request, call, _("已上报。")):
            return redirect("cases:detail", pk=created["case"].pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/report_worker.html", {"form": form}, status=status)


@login_required
def from_visit(request, visit_pk):
    """A visit's follow-up becomes a case in one tap (the visit and household stay linked)."""
    _handles(request)
    visit = get_visit_for_user_or_404(request.user, visit_pk)
    existing = selectors.cases_visible_to(request.user).filter(visit=visit).first()
    if existing is not None:
        # Tapped a second time (or by a colleague): go to the case rather than to a form that can only refuse.
        messages.info(request, _("这条走访的跟进已经转为事件了。"))
        return redirect("cases:detail", pk=existing.pk)
    form = CategoryForm(request.POST or None, categories=selectors.categories_of(visit.grid.get_root()))
    if request.method == "POST" and form.is_valid():
        created = {}

        def call():
            created["case"] = services.case_from_visit(
                by=request.user, visit=visit, category=form.cleaned_data["category"]
            )

        if run(request, call, _("已转为网格事件。")):
            return redirect("cases:detail", pk=created["case"].pk)
    return render(request, "cases/from_visit.html", {"visit": visit, "form": form})


@login_required
def from_wish(request, wish_pk):
    """Staff turn a wish that is really a grid problem into a case; the resident's code stays."""
    if not request.user.has_perm("wishes.review_wish"):
        raise PermissionDenied
    wish = get_wish_for_user_or_404(request.user, wish_pk)
    form = CategoryForm(request.POST or None, categories=selectors.categories_of(wish.grid.get_root()))
    if request.method == "POST" and form.is_valid():
        created = {}

        def call():
            created["case"] = services.case_from_wish(
                by=request.user, wish=wish, category=form.cleaned_data["category"]
            )

        if run(request, call, _("已转为网格事件，查询码不变。")):
            return redirect("cases:detail", pk=created["case"].pk)
    return render(request, "cases/from_wish.html", {"wish": wish, "form": form})


@login_required
def photo(request, pk):
    """A case photo, to staff over the case or a responder it was dispatched to (the report's and its own)."""
    from cases.models import CasePhoto

    found = get_object_or_404(CasePhoto.objects.select_related("case"), pk=pk)
    staff = (
        request.user.has_perm(access.HANDLE)
        and selectors.cases_visible_to(request.user).filter(pk=found.case_id).exists()
    )
    # A responder sees the report's photos and its own results, never another responder's (as on its page).
    mine = selectors.dispatches_for_responder(request.user).filter(case_id=found.case_id)
    if found.dispatch_id is not None:
        mine = mine.filter(pk=found.dispatch_id)
    responder = mine.exists()
    if not (staff or responder):
        raise PermissionDenied
    return photo_response(found)


@login_required
def qr_index(request):
    """The QR posters of the resident's form (随手拍): a community's page, or straight to a grid worker's grid."""
    _handles(request)
    nodes = grids_visible_to(request.user).filter(kind=Grid.Kind.COMMUNITY).order_by("code")
    node = scope_node(request.user)
    if node is not None and node.kind == Grid.Kind.GRID:
        return redirect("cases:qr_sheet", code=node.code)
    return render(request, "cases/qr_index.html", {"communities": nodes})


@login_required
def qr_sheet(request, code):
    """Each grid's code for the resident's form, to print and put up where residents pass."""
    from grids.selectors import get_grid_for_user_or_404
    from portal.qr import qr_data_uri, qr_svg

    _handles(request)
    node = get_grid_for_user_or_404(request.user, code)
    if node.kind not in (Grid.Kind.COMMUNITY, Grid.Kind.GRID):
        raise Http404
    nodes = [node, *node.get_children().filter(kind=Grid.Kind.GRID).order_by("code")]
    cards = []
    for each in nodes:
        link = request.build_absolute_uri(reverse("cases:new") + f"?grid={each.code}")
        cards.append(
            {"node": each, "link": link, "svg": qr_svg(link, scale=5), "png": qr_data_uri(link, scale=8)}
        )
    return render(request, "cases/qr_sheet.html", {"node": node, "cards": cards})
