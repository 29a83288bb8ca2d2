"""Every transition of a wish and its claims, and every refused one."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from grids.models import Household
from points.models import PointsEntry, PointsTotal
from tests.factories import HouseholdFactory, VolunteerFactory, WishFactory
from tests.wishes.conftest import image_bytes
from wishes import services
from wishes.models import CODE_ALPHABET, Claim, Wish, WishEvent


def _submit(world, **overrides):
    data = {
        "name": "王秀英",
        "phone": "13700001111",
        "grid": world.grid_a,
        "category": Wish.Category.ELDERLY,
        "text": "希望有人陪我去医院复查",
        "wanted_by": timezone.localdate() + datetime.timedelta(days=10),
    }
    return services.wish_submit(**{**data, **overrides})


def _publish(world, wish, slots=1, by=None):
    return services.wish_publish(
        wish=wish,
        by=by or world.secretary_a,
        public_text="希望有人陪老人去医院复查",
        category=Wish.Category.ELDERLY,
        slots=slots,
        priority=Wish.Priority.NORMAL,
    )


def _kinds(wish):
    return list(wish.events.order_by("at", "pk").values_list("kind", flat=True))


# --- submit -----------------------------------------------------------------------------


def test_submit_gives_a_readable_unique_code_and_records_it(world):
    wish = _submit(world)
    assert len(wish.code) >= 10
    assert set(wish.code) <= set(CODE_ALPHABET)
    assert not set(wish.code) & set("0O1I")
    assert wish.status == Wish.Status.SUBMITTED
    assert wish.community == world.community_a
    assert _kinds(wish) == [WishEvent.Kind.SUBMITTED]
    assert _submit(world).code != wish.code


def test_submit_matches_the_household_by_phone_and_keeps_its_rainbow_category(world):
    HouseholdFactory(building=world.building_a, phone="13700001111", category=Household.Category.SOLITARY)
    wish = _submit(world)
    assert wish.household_category == Household.Category.SOLITARY


def test_submit_matches_the_household_by_address(world):
    household = HouseholdFactory(
        building=world.building_a, unit="2", room="301", phone="", category=Household.Category.DISABLED
    )
    wish = _submit(world, phone="13900000000", address="1-2-301")
    assert wish.household == household


def test_submit_ignores_households_of_other_communities(world):
    HouseholdFactory(building=world.building_b, phone="13700001111", category=Household.Category.POOR)
    assert _submit(world).household is None


def test_submit_refuses_a_past_date_and_a_street(world):
    with pytest.raises(ValidationError):
        _submit(world, wanted_by=timezone.localdate())
    with pytest.raises(ValidationError):
        _submit(world, grid=world.street)
    assert not Wish.objects.exists()


# --- review -----------------------------------------------------------------------------


def test_publish_sets_slots_text_and_priority(world, submitted):
    HouseholdFactory(building=world.building_a, phone=submitted.phone, category=Household.Category.EMPTY_NEST)
    wish = services.wish_publish(
        wish=submitted,
        by=world.secretary_a,
        public_text="希望有人帮忙修水龙头",
        category=Wish.Category.DAILY,
        slots=3,
        priority=Wish.Priority.VULNERABLE,
    )
    assert wish.status == Wish.Status.PUBLISHED
    assert (wish.slots, wish.priority, wish.public_text) == (3, 1, "希望有人帮忙修水龙头")
    assert wish.household_category == Household.Category.EMPTY_NEST
    assert wish.reviewed_by == world.secretary_a
    assert _kinds(wish)[-1] == WishEvent.Kind.PUBLISHED


def test_reject_keeps_the_reason_for_the_resident(world, submitted):
    wish = services.wish_reject(wish=submitted, by=world.secretary_a, reason="不属于本社区服务范围")
    assert wish.status == Wish.Status.REJECTED
    assert wish.reject_reason == "不属于本社区服务范围"
    assert _kinds(wish)[-1] == WishEvent.Kind.REJECTED


def test_review_is_refused_outside_the_reviewers_scope(world, submitted):
    for user in (world.secretary_b, world.volunteer, world.gridworker_a):
        with pytest.raises(PermissionDenied):
            _publish(world, submitted, by=user)
        with pytest.raises(PermissionDenied):
            services.wish_reject(wish=submitted, by=user, reason="不行")
    submitted.refresh_from_db()
    assert submitted.status == Wish.Status.SUBMITTED


def test_a_wish_is_reviewed_once(world, submitted):
    _publish(world, submitted)
    with pytest.raises(ValidationError):
        _publish(world, submitted)
    with pytest.raises(ValidationError):
        services.wish_reject(wish=submitted, by=world.secretary_a, reason="重复")


def test_reject_needs_a_reason_and_publish_a_sane_slot_count(world, submitted):
    with pytest.raises(ValidationError):
        services.wish_reject(wish=submitted, by=world.secretary_a, reason=" ")
    with pytest.raises(ValidationError):
        _publish(world, submitted, slots=0)
    with pytest.raises(ValidationError):
        _publish(world, submitted, slots=21)
    submitted.refresh_from_db()
    assert submitted.status == Wish.Status.SUBMITTED


def test_staff_close_an_unclaimed_wish_but_not_a_claimed_one(world, people, published):
    services.wish_close(wish=published, by=world.secretary_a, reason="居民已自行解决")
    published.refresh_from_db()
    assert published.status == Wish.Status.CLOSED
    other = WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED)
    services.wish_claim(wish=other, user=people.volunteer_user, claimant=people.volunteer)
    with pytest.raises(ValidationError):
        services.wish_close(wish=other, by=world.secretary_a, reason="关闭")


# --- claim --------------------------------------------------------------------------------


def test_a_volunteer_claims_a_one_to_one_wish(people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    published.refresh_from_db()
    assert claim.status == Claim.Status.CLAIMED and claim.slot_no == 1
    assert published.status == Wish.Status.CLAIMED
    assert published.claimed_count == 1
    assert _kinds(published)[-1] == WishEvent.Kind.CLAIMED


def test_a_full_wish_refuses_the_next_claimant(people, published):
    services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    with pytest.raises(ValidationError, match="认领满"):
        services.wish_claim(wish=published, user=people.leader_user, claimant=people.team)
    assert Claim.objects.count() == 1


def test_many_to_one_goes_partly_then_fully_claimed(people, published):
    published.slots = 3
    published.save()
    services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    published.refresh_from_db()
    assert published.status == Wish.Status.PARTLY_CLAIMED
    services.wish_claim(wish=published, user=people.leader_user, claimant=people.team)
    services.wish_claim(wish=published, user=people.liaison, claimant=people.unit)
    published.refresh_from_db()
    assert published.status == Wish.Status.CLAIMED
    assert published.claimed_count == 3
    assert sorted(Claim.objects.values_list("slot_no", flat=True)) == [1, 2, 3]
    with pytest.raises(ValidationError):
        services.wish_claim(wish=published, user=people.leader_user, claimant=people.leader)


def test_the_same_claimant_cannot_claim_twice(people, published):
    published.slots = 3
    published.save()
    services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    with pytest.raises(ValidationError, match="已经认领"):
        services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    assert Claim.objects.count() == 1


def test_the_database_refuses_a_second_live_claim_on_a_slot_or_by_a_claimant(people, published):
    published.slots = 3
    published.save()
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            wish=published,
            team=people.team,
            slot_no=claim.slot_no,
            claimed_by=people.leader_user,
            claimed_at=timezone.now(),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            wish=published,
            volunteer=people.volunteer,
            slot_no=2,
            claimed_by=people.volunteer_user,
            claimed_at=timezone.now(),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            wish=published,
            volunteer=people.leader,
            team=people.team,
            slot_no=3,
            claimed_by=people.leader_user,
            claimed_at=timezone.now(),
        )


def test_nobody_claims_for_someone_else(world, people, published):
    with pytest.raises(PermissionDenied):
        services.wish_claim(wish=published, user=world.volunteer, claimant=people.team)
    with pytest.raises(PermissionDenied):
        services.wish_claim(wish=published, user=people.leader_user, claimant=people.unit)
    with pytest.raises(PermissionDenied):
        services.wish_claim(wish=published, user=people.liaison, claimant=people.volunteer)
    assert not Claim.objects.exists()


@pytest.mark.parametrize("status", [Wish.Status.SUBMITTED, Wish.Status.REJECTED, Wish.Status.CLOSED])
def test_only_open_wishes_can_be_claimed(world, people, status):
    wish = WishFactory(grid=world.grid_a, status=status)
    with pytest.raises(ValidationError):
        services.wish_claim(wish=wish, user=people.volunteer_user, claimant=people.volunteer)
    assert not Claim.objects.exists()


def test_a_claimant_holds_at_most_the_configured_open_claims(settings, world, people):
    settings.WISH_MAX_OPEN_CLAIMS = 2
    wishes = [WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED) for _ in range(3)]
    first = services.wish_claim(wish=wishes[0], user=people.volunteer_user, claimant=people.volunteer)
    services.wish_claim(wish=wishes[1], user=people.volunteer_user, claimant=people.volunteer)
    with pytest.raises(ValidationError, match="尚未完成"):
        services.wish_claim(wish=wishes[2], user=people.volunteer_user, claimant=people.volunteer)
    services.claim_fulfil(claim=first, user=people.volunteer_user, note="已经陪同复查")
    services.wish_claim(wish=wishes[2], user=people.volunteer_user, claimant=people.volunteer)


# --- withdraw and fulfil -------------------------------------------------------------------------


def test_withdrawing_frees_the_slot_for_someone_else(people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_withdraw(claim=claim, user=people.volunteer_user)
    published.refresh_from_db()
    assert published.status == Wish.Status.PUBLISHED and published.claimed_count == 0
    services.wish_claim(wish=published, user=people.leader_user, claimant=people.team)
    # and the first claimant may come back once the slot is free again
    published.refresh_from_db()
    assert published.status == Wish.Status.CLAIMED


def test_a_withdrawn_claimant_can_claim_again(people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_withdraw(claim=claim, user=people.volunteer_user)
    again = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    assert again.pk != claim.pk and again.slot_no == 1


def test_withdraw_is_refused_to_others_and_after_fulfilment(people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    with pytest.raises(PermissionDenied):
        services.claim_withdraw(claim=claim, user=people.leader_user)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="已完成")
    with pytest.raises(ValidationError):
        services.claim_withdraw(claim=claim, user=people.volunteer_user)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.FULFILLED


def test_fulfil_keeps_the_note_and_photo_and_waits_for_the_resident(people, published):
    claim = services.wish_claim(wish=published, user=people.leader_user, claimant=people.team)
    photo = ContentFile(image_bytes(), name="photo.jpg")
    services.claim_fulfil(claim=claim, user=people.leader_user, note="水龙头已更换", photo=photo)
    claim.refresh_from_db()
    published.refresh_from_db()
    assert claim.status == Claim.Status.FULFILLED
    assert claim.fulfilment_note == "水龙头已更换"
    assert claim.photo.name.endswith(".jpg")
    assert published.status == Wish.Status.FULFILLED and published.fulfilled_at is not None
    assert _kinds(published)[-1] == WishEvent.Kind.FULFILLED


def test_fulfil_is_refused_twice_without_a_note_and_to_others(people, published):
    claim = services.wish_claim(wish=published, user=people.liaison, claimant=people.unit)
    with pytest.raises(PermissionDenied):
        services.claim_fulfil(claim=claim, user=people.volunteer_user, note="我做的")
    with pytest.raises(ValidationError):
        services.claim_fulfil(claim=claim, user=people.liaison, note="")
    services.claim_fulfil(claim=claim, user=people.liaison, note="已送到")
    with pytest.raises(ValidationError):
        services.claim_fulfil(claim=claim, user=people.liaison, note="再次")


def test_a_many_to_one_wish_waits_until_every_claimant_is_done(people, published):
    published.slots = 3
    published.save()
    first = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    second = services.wish_claim(wish=published, user=people.leader_user, claimant=people.team)
    services.claim_fulfil(claim=first, user=people.volunteer_user, note="第一次")
    published.refresh_from_db()
    assert published.status == Wish.Status.PARTLY_CLAIMED  # still open: a slot is free, one claim in progress
    services.claim_fulfil(claim=second, user=people.leader_user, note="第二次")
    published.refresh_from_db()
    assert published.status == Wish.Status.FULFILLED


# --- confirm and points ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, rule",
    [
        ("volunteer", "wish_fulfilled_person"),
        ("team", "wish_fulfilled_team"),
        ("unit", "wish_fulfilled_unit"),
    ],
)
def test_confirming_awards_the_claimant_points_exactly_once(people, published, kind, rule):
    claimant, user = {
        "volunteer": (people.volunteer, people.volunteer_user),
        "team": (people.team, people.leader_user),
        "unit": (people.unit, people.liaison),
    }[kind]
    claim = services.wish_claim(wish=published, user=user, claimant=claimant)
    services.claim_fulfil(claim=claim, user=user, note="完成了")
    services.wish_confirm(wish=published, claim=claim, rating=5, comment="非常感谢")
    with pytest.raises(ValidationError):
        services.wish_confirm(wish=published, claim=claim, rating=1)
    entries = PointsEntry.objects.filter(source_id=claim.pk)
    assert entries.count() == 1
    entry = entries.get()
    assert entry.rule.code == rule
    assert entry.subject == claimant
    claim.refresh_from_db()
    published.refresh_from_db()
    assert (claim.status, claim.rating, claim.comment) == (Claim.Status.CONFIRMED, 5, "非常感谢")
    assert published.status == Wish.Status.CONFIRMED
    assert entry.occurred_at == claim.confirmed_at


def test_confirming_refreshes_the_claimants_rank_without_waiting_for_the_night(
    people, published, django_capture_on_commit_callbacks
):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="完成了")
    with django_capture_on_commit_callbacks(execute=True):
        services.wish_confirm(wish=published, claim=claim, rating=5)
    claim.refresh_from_db()
    total = PointsTotal.objects.with_rank().get(
        period_kind="month",
        period_start=timezone.localdate(claim.confirmed_at).replace(day=1),
        subject_id=people.volunteer.pk,
    )
    assert total.rank == 1 and total.points > 0


def test_confirm_is_refused_before_fulfilment_and_with_a_bad_rating(people, published):
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    with pytest.raises(ValidationError):
        services.wish_confirm(wish=published, claim=claim, rating=5)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="完成")
    for rating in (0, 6):
        with pytest.raises(ValidationError):
            services.wish_confirm(wish=published, claim=claim, rating=rating)
    assert not PointsEntry.objects.exists()


def test_a_claim_of_another_wish_cannot_be_confirmed_with_this_code(world, people, published):
    other = WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED)
    claim = services.wish_claim(wish=other, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="完成")
    with pytest.raises(PermissionDenied):
        services.wish_confirm(wish=published, claim=claim, rating=5)


def test_follow_gives_a_code_of_its_own_once_per_phone(world, published):
    Wish.objects.filter(pk=published.pk).update(is_shared=True)
    published.refresh_from_db()
    follower = services.wish_follow(wish=published, name="张大爷", phone="13912340000")
    assert follower.code != published.code
    with pytest.raises(ValidationError):
        services.wish_follow(wish=published, name="张大爷", phone="13912340000")
    rejected = WishFactory(grid=world.grid_a, status=Wish.Status.REJECTED, is_shared=True)
    with pytest.raises(ValidationError):
        services.wish_follow(wish=rejected, name="张大爷", phone="13912340001")
    personal = WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED)
    with pytest.raises(ValidationError):
        services.wish_follow(wish=personal, name="张大爷", phone="13912340002")


# --- daily jobs ------------------------------------------------------------------------------------


def test_overdue_flagging_marks_unclaimed_past_wishes_once(world, people):
    past = WishFactory(
        grid=world.grid_a,
        status=Wish.Status.PUBLISHED,
        wanted_by=timezone.localdate() - datetime.timedelta(days=1),
    )
    future = WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED)
    claimed = WishFactory(grid=world.grid_a, status=Wish.Status.PUBLISHED, wanted_by=past.wanted_by)
    services.wish_claim(wish=claimed, user=people.volunteer_user, claimant=people.volunteer)
    assert services.wishes_flag_overdue() == 1
    assert services.wishes_flag_overdue() == 0
    past.refresh_from_db()
    future.refresh_from_db()
    assert past.overdue_at is not None and future.overdue_at is None
    assert past.events.filter(kind=WishEvent.Kind.OVERDUE).count() == 1


def test_unconfirmed_fulfilments_close_after_the_set_days_once(settings, people, published):
    settings.WISH_CONFIRM_DAYS = 7
    claim = services.wish_claim(wish=published, user=people.volunteer_user, claimant=people.volunteer)
    services.claim_fulfil(claim=claim, user=people.volunteer_user, note="完成")
    assert services.unconfirmed_due() == []
    later = timezone.now() + datetime.timedelta(days=8)
    assert services.unconfirmed_due(later) == [published.pk]
    assert services.wish_auto_close(wish_id=published.pk, now=later) is True
    assert services.wish_auto_close(wish_id=published.pk, now=later) is False
    published.refresh_from_db()
    claim.refresh_from_db()
    assert published.status == Wish.Status.CLOSED
    assert claim.status == Claim.Status.CLOSED
    assert not PointsEntry.objects.exists()
    with pytest.raises(ValidationError, match="自动关闭"):
        services.wish_confirm(wish=published, claim=claim, rating=5)


def test_volunteers_of_any_community_may_claim(world, published):
    from portal.roles import Role
    from tests.factories import make_user

    user = make_user(Role.VOLUNTEER, username="far")
    far = VolunteerFactory(user=user, community=world.community_c)
    assert services.wish_claim(wish=published, user=user, claimant=far).wish_id == published.pk
