"""Demo deliberation: each community's matters over the past year, about 60 sessions a street.

Per community: five matters raised by residents, grid workers or the
community, vetted by its secretary; sessions (议事会, 说事日, 坝坝会 …) with
attendance and a record; a vote of one ballot per household on some of them;
resolutions owned by the community's grid workers, most carried out; one matter
waiting to be vetted and one declined. Skipped when the street already has topics.
"""

import datetime

from django.contrib.auth.models import Group

from deliberation.models import Resolution, Session, Topic, Vote
from grids.models import Household
from portal.roles import Role
from wishes.models import new_tracking_code

MATTERS = [
    (
        "加装电梯",
        "楼里老人多，上下楼困难，想和邻居们商量一起申请加装电梯、分摊费用。",
        "是否同意本楼加装电梯",
    ),
    (
        "小区停车秩序",
        "晚上车位不够，消防通道经常被占，希望商量划线停车和收费办法。",
        "是否同意按方案划线停车",
    ),
    ("楼道堆物清理", "楼道里堆放杂物和电动车，存在消防隐患，需要商量集中清理的时间。", ""),
    ("物业服务评议", "居民对物业保洁和维修响应不满意，希望和物业公司当面议一议。", ""),
    ("健身器材选址", "社区要新增一批健身器材，放在哪里需要听听居民的意见。", "是否同意放在中心花园东侧"),
]
RESOLUTIONS = ["联系有关单位上门勘察，出具方案", "召开楼栋会通报方案，收集意见", "按方案组织实施，完成后公示"]
KINDS = list(Session.Kind.values)


def seed_street(ctx):
    if Topic.objects.filter(community__in=ctx.communities).exists():
        return
    rng = ctx.rng_for("deliberation")
    today = ctx.now.date()
    workers = _grid_workers(ctx)
    secretaries = _secretaries(ctx)
    counts = {"topics": 0, "sessions": 0, "votes": 0, "resolutions": 0}
    for community in ctx.communities:
        grids = [g for g in ctx.grids if g.parent_id == community.pk]
        owners = [w for g in grids for w in workers.get(g.pk, [])]
        secretary = secretaries.get(community.pk)
        households = list(Household.objects.filter(grid__in=grids).values_list("pk", flat=True))
        for index, (title, description, question) in enumerate(MATTERS):
            raised = ctx.now - datetime.timedelta(days=rng.randint(20, 330))
            topic = Topic.objects.create(
                code=new_tracking_code(),
                community=community,
                grid=rng.choice(grids) if grids else None,
                title=title,
                description=description,
                source=rng.choice([Topic.Source.RESIDENT, Topic.Source.GRID_WORKER, Topic.Source.STAFF]),
                resident_phone=f"139{rng.randint(10000000, 99999999)}",
                status=Topic.Status.ACCEPTED,
                vet_reason="涉及居民共同利益，纳入议事",
                vetted_by=secretary,
                vetted_at=raised + datetime.timedelta(days=2),
                created_at=raised,
            )
            counts["topics"] += 1
            if index == 4 and rng.random() < 0.5:
                Topic.objects.filter(pk=topic.pk).update(
                    status=Topic.Status.SUBMITTED, vet_reason="", vetted_by=None, vetted_at=None
                )
                continue
            sessions = []
            for number in range(rng.randint(1, 2)):
                held = raised + datetime.timedelta(days=7 + 14 * number)
                if held > ctx.now:
                    break
                sessions.append(
                    Session.objects.create(
                        topic=topic,
                        community=community,
                        kind=rng.choice(KINDS),
                        held_at=held,
                        place=f"{community.name}党群服务中心",
                        representatives=rng.randint(5, 15),
                        building_leaders=rng.randint(1, 6),
                        party_members=rng.randint(1, 8),
                        unit_liaisons=rng.randint(0, 3),
                        deputies=rng.randint(0, 2),
                        record=f"围绕“{title}”，居民代表、楼栋长和党员逐一发言，社区党组织汇总了意见。",
                        vote_question=question if number == 0 else "",
                        vote_open=False,
                        created_by=secretary,
                    )
                )
            counts["sessions"] += len(sessions)
            if sessions and question and households:
                voters = rng.sample(households, min(len(households), rng.randint(40, 120)))
                Vote.objects.bulk_create(
                    Vote(
                        session=sessions[0],
                        household_id=pk,
                        choice=rng.choices(["yes", "no", "abstain"], weights=[7, 2, 1])[0],
                        via=rng.choice(["session", "code"]),
                        cast_at=sessions[0].held_at,
                    )
                    for pk in voters
                )
                counts["votes"] += len(voters)
            if not sessions or not owners:
                continue
            all_done = True
            for step, text in enumerate(RESOLUTIONS[: rng.randint(1, 3)]):
                due = (sessions[0].held_at + datetime.timedelta(days=30 * (step + 1))).date()
                done = due < today - datetime.timedelta(days=5) and rng.random() < 0.85
                all_done &= done
                Resolution.objects.create(
                    topic=topic,
                    session=sessions[0],
                    community=community,
                    text=f"{title}：{text}",
                    owner_id=rng.choice(owners),
                    due_date=due,
                    status=Resolution.Status.DONE if done else Resolution.Status.OPEN,
                    progress="已按期完成" if done else "正在推进",
                    progress_at=ctx.now - datetime.timedelta(days=rng.randint(1, 10)),
                    done_at=ctx.now - datetime.timedelta(days=rng.randint(1, 10)) if done else None,
                    created_by=secretary,
                    created_at=sessions[0].held_at,
                )
                counts["resolutions"] += 1
            Topic.objects.filter(pk=topic.pk).update(
                status=Topic.Status.DONE if all_done else Topic.Status.RESOLVED
            )
    for label, number in counts.items():
        ctx.count(f"deliberation {label}", number)


def _grid_workers(ctx):
    group = Group.objects.get(name=Role.GRID_WORKER)
    workers = {}
    for user_id, grid_id in group.user_set.filter(staff_profile__scope__in=ctx.grids).values_list(
        "pk", "staff_profile__scope_id"
    ):
        workers.setdefault(grid_id, []).append(user_id)
    return workers


def _secretaries(ctx):
    group = Group.objects.get(name=Role.COMMUNITY_SECRETARY)
    return {
        user.staff_profile.scope_id: user
        for user in group.user_set.filter(staff_profile__scope__in=ctx.communities).select_related(
            "staff_profile"
        )
    }
