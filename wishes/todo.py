"""Micro-wishes in the to-do: review, unclaimed or overdue, returned by residents; claims to fulfil."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.text import aside, labelled
from portal.todo import Item, provider, section
from wishes import selectors

REVIEW = "wishes.review_wish"


def _place(wish):
    return wish.grid.name if wish.grid.kind == "grid" else wish.community.name


@provider(order=10)
def staff_wishes(viewer, rows):
    if not (viewer.has_scope and viewer.can(REVIEW)):
        return
    user = viewer.user
    yield section(
        "wishes_returned",
        _("居民反馈还没实现的心愿"),
        reverse("wishes:review_queue"),
        selectors.returned_wishes(user),
        rows,
        lambda w: Item(
            label=labelled(_place(w), w.issue_note),
            url=reverse("wishes:review_detail", args=[w.pk]),
            detail=w.shown_text[:30],
            when=w.issue_reported_at,
            when_label=_("反馈"),
            late=True,
        ),
        late=True,
    )
    yield section(
        "wishes_review",
        _("待审核的心愿"),
        reverse("wishes:review_queue"),
        selectors.review_queue(user),
        rows,
        lambda w: Item(
            label=aside(w.text[:30], _place(w)),
            url=reverse("wishes:review_detail", args=[w.pk]),
            when=w.submitted_at,
            when_label=_("提交"),
        ),
    )
    yield section(
        "wishes_unclaimed",
        _("逾期或快到期仍无人认领的心愿"),
        reverse("wishes:review_queue") + "#overdue",
        selectors.unclaimed_wishes(user, viewer.today),
        rows,
        lambda w: Item(
            label=aside(w.shown_text[:30], _place(w)),
            url=reverse("wishes:review_detail", args=[w.pk]),
            when=w.wanted_by,
            when_label=_("期限"),
            late=w.wanted_by < viewer.today,
        ),
        late=True,
        hint=_("可以联系志愿服务队或驻区单位认领，或关闭。"),
    )


@provider(order=30)
def claims(viewer, rows):
    claimants = viewer.memo("wishes.claimants", lambda: selectors.claimants_for(viewer.user))
    if not claimants:
        return
    yield section(
        "claims",
        _("认领的心愿待完成"),
        reverse("dashboard:me"),
        selectors.claims_to_fulfil(viewer.user, claimants),
        rows,
        lambda c: Item(
            label=c.wish.shown_text[:30],
            url=reverse("wishes:claim_detail", args=[c.pk]),
            detail=labelled(_("居民反馈"), c.return_reason) if c.returned_at else _place(c.wish),
            when=c.wish.wanted_by,
            when_label=_("期限"),
            late=bool(c.returned_at) or c.wish.wanted_by < viewer.today,
        ),
    )
