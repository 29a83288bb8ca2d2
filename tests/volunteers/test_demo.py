"""The volunteers part of seed_demo that needs the alliances' demo: party members at member units."""

from alliances import demo as alliances_demo
from alliances.models import MemberUnit
from volunteers.demo import people as demo


def test_some_party_members_of_the_street_work_at_its_member_units(ctx):
    from tests.factories import DualReportFactory
    from volunteers.models import DualReport, Volunteer

    for n in range(20):
        DualReportFactory(
            volunteer__community=ctx.communities[n % 12],
            volunteer__name=f"党员{n}",
            volunteer__work_unit="区税务局",
        )
    alliances_demo.seed_street(ctx)
    demo.party_members_at_units(ctx)
    unit_names = set(MemberUnit.objects.values_list("name", flat=True))
    at_units = Volunteer.objects.filter(work_unit__in=unit_names)
    assert at_units.count() == 8  # 40 %
    assert all(v.party_organisation for v in at_units)
    assert DualReport.objects.filter(work_unit__in=unit_names).count() == 8
