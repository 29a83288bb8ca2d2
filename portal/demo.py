"""Shared pieces of `seed_demo`: the per-street context, names and logins.

Each app that contributes demo data has a `demo.py` with `seed_street(ctx)`
(and optionally `seed_finish(contexts)`); `seed_demo` calls them in app
order. Every seeder must be idempotent: it checks what exists and creates only
what is missing, so running the command twice changes nothing. Data is drawn
from a random generator seeded by the street number, so every run (and every
machine) gets the same street.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from portal.models import StaffProfile, User
from portal.validators import id_number_check_char

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英文华建国建华志强玉兰红梅海燕晓东立新淑珍桂兰春梅"
    "德明国强永红丽娟金凤学军宏伟雪梅晓明志刚玉梅浩然子轩欣怡梓涵宇航思远佳怡雨萱俊杰诗涵嘉怡博文一诺"
)
COMMUNITY_NAMES = (
    "兰苑",
    "金港",
    "滨河",
    "建兴",
    "民主",
    "光华",
    "安宁",
    "和平",
    "团结",
    "幸福",
    "红星",
    "友谊",
    "东岗",
    "西湖",
    "南关",
    "北园",
    "新华",
    "文化",
    "永昌",
    "春晖",
    "阳光",
    "翠屏",
    "柳岸",
    "桃园",
)
ROADS = (
    "民主西路",
    "滨河东路",
    "建兴路",
    "金港路",
    "光华街",
    "安宁西路",
    "和平巷",
    "团结路",
    "幸福里",
    "红星街",
)
STREET_NAMES = (
    "刘家堡",
    "西一路",
    "玉林",
    "新城",
    "东岗",
    "五泉",
    "皋兰路",
    "白银路",
    "张掖路",
    "临夏路",
)


@dataclass
class StreetContext:
    """What every app's seeder needs to know about the street it fills."""

    index: int  # 1-based street number
    profile: str
    password_hash: str
    rng: random.Random
    now: datetime.datetime
    street: object = None
    communities: list = field(default_factory=list)
    grids: list = field(default_factory=list)
    logins: dict = field(default_factory=dict)  # label -> list of usernames, for the summary
    counts: dict = field(default_factory=dict)  # label -> number created in this run

    @property
    def code(self):
        return f"S{self.index:02d}"

    def count(self, label, number):
        self.counts[label] = self.counts.get(label, 0) + number

    def rng_for(self, part):
        """A generator of its own for each part, so adding one part never shifts another."""
        return random.Random(f"{self.index}:{part}")


def make_context(index, profile, password):
    return StreetContext(
        index=index,
        profile=profile,
        password_hash=make_password(password),
        rng=random.Random(index),
        now=timezone.now(),
    )


def person_name(rng):
    given = rng.choice(GIVEN)
    if rng.random() < 0.6:
        given += rng.choice(GIVEN)
    return rng.choice(SURNAMES) + given[:2]


def mobile(rng):
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def id_number(rng, birth_year=None):
    year = birth_year or rng.randint(1940, 2005)
    first17 = f"620102{year:04d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randrange(1000):03d}"
    return first17 + id_number_check_char(first17)


def demo_users(ctx, *, prefix, numbers, role=None, scopes=None, full_names=None, is_staff=False):
    """Create the missing logins `<prefix><n>` with the demo password, in bulk.

    `scopes` maps a number to the grid node that is the user's scope; existing
    users are left as they are. Returns {number: user} for all of them.
    """
    usernames = {n: f"{prefix}{n}" for n in numbers}
    existing = {u.username: u for u in User.objects.filter(username__in=usernames.values())}
    new = [
        User(
            username=name,
            full_name=(full_names or {}).get(n) or person_name(ctx.rng_for(name)),
            phone=mobile(ctx.rng_for(name + ":phone")),
            password=ctx.password_hash,
            is_staff=is_staff,
        )
        for n, name in usernames.items()
        if name not in existing
    ]
    User.objects.bulk_create(new, batch_size=1000)
    created = {u.username: u for u in User.objects.filter(username__in=[u.username for u in new])}
    if role is not None and created:
        group = Group.objects.get(name=role)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=group.pk) for u in created.values()],
            batch_size=1000,
        )
    if scopes and created:
        StaffProfile.objects.bulk_create(
            [
                StaffProfile(user=created[usernames[n]], scope=scopes[n])
                for n in numbers
                if usernames[n] in created and n in scopes
            ],
            batch_size=1000,
        )
    ctx.logins.setdefault(prefix, []).extend(usernames.values())
    ctx.count("logins", len(new))
    everyone = {**existing, **created}
    return {n: everyone[name] for n, name in usernames.items()}


def ensure_password(password):
    """Give demo logins the requested password if they do not have it yet.

    One hash check tells; then one UPDATE sets the same hash on every demo
    login, so a second run with the same password changes nothing.
    """
    demo = User.objects.filter(username__regex=r"^(street|secretary|gridworker|volunteer|unit|dept)\d*$")
    sample = demo.first()
    if sample is None or sample.check_password(password):
        return 0
    return demo.update(password=make_password(password))
