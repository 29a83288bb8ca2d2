"""Demo grid cases for one street: a year of ~5,000 cases with their dispatches and event log.

Runs after the grids, alliances and wishes seeders (the street's member units are
responders). Makes the street's six categories, twelve departments with two liaison
logins each (`deptN`), then simulates every case from its report to where it stands
now: accepted at its level or passed up, dispatched by the street to departments and
member units, signed, finished or returned, verified, rated or "没有解决" (reopened
once). A step that would fall after now is not taken, so recent cases are still open;
a clock that ran out while waiting is marked overdue as the beat job would. Limits are
counted here as calendar time (three calendar hours per working hour), not on the
Chinese calendar. Everything is written with bulk_create.

`data` holds the catalogue and the words, `catalogue` makes categories and departments, `simulation`
the cases.
"""

from alliances.models import MemberUnit
from cases.demo.catalogue import _categories, _departments
from cases.demo.simulation import Simulation
from cases.models import Case


def seed_street(ctx):
    categories = _categories(ctx)
    departments = _departments(ctx)
    if Case.objects.filter(street=ctx.street).exists():
        return
    units = list(MemberUnit.objects.filter(grid__tree_id=ctx.street.tree_id).order_by("pk"))
    Simulation(ctx, categories, departments, units).run()
