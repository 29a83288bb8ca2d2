"""Deliberation in the to-do: topics waiting for the party organisation, resolutions an owner must carry out."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from deliberation import selectors
from portal.todo import Item, provider, section


@provider(order=27)
def topics_to_vet(viewer, rows):
    if not viewer.user.has_perm("deliberation.view_topic"):
        return
    yield section(
        "topics_to_vet",
        _("待审核的议题"),
        reverse("deliberation:topic_list") + "?status=submitted",
        selectors.topics_to_vet_for(viewer.user),
        rows,
        lambda t: Item(
            label=f"{t.community.name} · {t.title}",
            url=reverse("deliberation:topic_detail", args=[t.pk]) + "#vet",
            detail=t.get_source_display(),
            when=t.created_at,
            when_label=_("提出"),
        ),
        hint=_("居民和网格员提出的议题：受理（写明理由）后召集议事，不受理也要说明理由。"),
    )


@provider(order=28)
def resolutions_due(viewer, rows):
    if not viewer.user.is_authenticated:
        return
    today = viewer.today
    yield section(
        "resolutions_due",
        _("要落实的决议"),
        reverse("deliberation:my_resolutions"),
        selectors.my_resolutions(viewer.user),
        rows,
        lambda r: Item(
            label=r.text,
            url=reverse("deliberation:my_resolutions") + f"#resolution-{r.pk}",
            detail=r.topic.title,
            when=r.due_date,
            when_label=_("期限"),
            late=r.due_date < today,
        ),
        hint=_("议事会形成的决议由您负责：落实后更新进展并标记已落实，需要部门办理的转为网格事件。"),
    )
