"""The whole life of a wish through the pages, as a resident, a secretary and twenty volunteers live it."""

import datetime
import re

from django.test import Client
from django.utils import timezone

from points.models import PointsEntry
from portal.roles import Role
from tests.factories import VolunteerFactory, make_user
from wishes.models import Claim, Wish


def test_a_resident_a_secretary_and_twenty_volunteers_go_through_a_wish(
    world, django_capture_on_commit_callbacks
):
    resident = Client()
    response = resident.post(
        f"/wishes/new/?grid={world.grid_a.code}",
        {
            "name": "王秀英",
            "phone": "13700001111",
            "community": world.community_a.pk,
            "grid": world.grid_a.code,
            "category": "elderly",
            "text": "社区老人想办一次集体生日会，需要志愿者帮忙布置和陪伴",
            "wanted_by": (timezone.localdate() + datetime.timedelta(days=15)).isoformat(),
        },
        follow=True,
    )
    code = re.search(r'id="tracking-code">(\w+)<', response.content.decode()).group(1)
    wish = Wish.objects.get(code=code)

    secretary = Client()
    secretary.force_login(world.secretary_a)
    with django_capture_on_commit_callbacks(execute=True):
        secretary.post(
            f"/wishes/review/{wish.pk}/publish/",
            {
                "public_text": "社区老人集体生日会，需要志愿者布置和陪伴",
                "category": "elderly",
                "slots": "20",
                "priority": "1",
            },
        )

    volunteers = []
    for n in range(20):
        user = make_user(Role.VOLUNTEER, username=f"v{n}")
        VolunteerFactory(user=user, community=world.community_a)
        client = Client()
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/wishes/{wish.pk}/claim/", {"claimant": f"volunteer-{user.volunteer.pk}"})
        volunteers.append(client)
    wish.refresh_from_db()
    assert (wish.status, wish.claimed_count) == (Wish.Status.CLAIMED, 20)

    for client, claim in zip(volunteers, Claim.objects.filter(wish=wish).order_by("slot_no"), strict=True):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/wishes/claims/{claim.pk}/fulfil/", {"note": "布置好了会场，陪老人们过了生日"})
    wish.refresh_from_db()
    assert wish.status == Wish.Status.FULFILLED

    page = resident.get(f"/wishes/track/{code}/").content.decode()
    assert page.count("确认已实现") == 20
    for claim in Claim.objects.filter(wish=wish):
        with django_capture_on_commit_callbacks(execute=True):
            resident.post(f"/wishes/track/{code}/claims/{claim.pk}/confirm/", {f"c{claim.pk}-rating": "5"})
    wish.refresh_from_db()
    assert wish.status == Wish.Status.CONFIRMED
    assert PointsEntry.objects.filter(rule__code="wish_fulfilled_person").count() == 20
    assert "您已确认" in resident.get(f"/wishes/track/{code}/").content.decode()
