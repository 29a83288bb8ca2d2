"""Care in the to-do: the partner's paired households due for a contact, and post service to verify."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from care import selectors
from portal.text import aside
from portal.todo import Item, provider, section


@provider(order=25)
def paired_households(viewer, rows):
    """Anyone may be a partner (a party member, a cadre, a volunteer): one indexed count for all."""
    if not viewer.user.is_authenticated:
        return
    yield section(
        "paired_households_due",
        _("该联系的结对户"),
        reverse("care:partner_home"),
        selectors.my_pairings_due(viewer.user, viewer.now),
        rows,
        lambda p: Item(
            label=f"{p.grid.name} · {p.household.address_label}",
            url=reverse("care:partner_home") + f"#pairing-{p.pk}",
            detail=p.household.get_category_display()
            if p.household.last_visited_at
            else aside(p.household.get_category_display(), _("从未联系")),
            when=p.household.last_visited_at,
            when_label=_("上次走访"),
            late=True,
        ),
        late=True,
        hint=_("超过 %(days)s 天没有人走访或联系的结对户：联系后在结对页点一下记录。")
        % {"days": settings.VISIT_OVERDUE_DAYS},
    )


@provider(order=26)
def post_service_to_verify(viewer, rows):
    """Staff: service party members recorded on posts, waiting to be verified (and so to earn points)."""
    if not viewer.user.has_perm("care.change_postservice"):
        return
    url = reverse("admin:care_postservice_changelist") + "?verified=no"
    yield section(
        "post_service_to_verify",
        _("待核验的认岗服务"),
        url,
        selectors.post_services_to_verify_for(viewer.user),
        rows,
        lambda s: Item(
            label=f"{s.claim.volunteer.name} · {s.claim.post.title}",
            url=url,
            detail=_("%(hours)s 小时 · %(content)s") % {"hours": s.hours, "content": s.content},
            when=s.recorded_at,
            when_label=_("填报"),
        ),
        hint=_("党员填报的岗位服务，核验后时长计入积分：在列表中勾选并选择“核验所选服务并计入积分”。"),
    )
