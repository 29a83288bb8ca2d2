"""The street's categories and departments, with two liaison logins (`deptN`) per department."""

from cases.demo.data import CATEGORIES, DEPARTMENTS, LIAISONS_PER_DEPARTMENT
from cases.models import (
    Category,
    Department,
)
from portal.demo import demo_users


def _categories(ctx):
    existing = set(Category.objects.filter(street=ctx.street).values_list("name", flat=True))
    new = [
        Category(
            street=ctx.street, name=name, first_level=level, sign_hours=sign, finish_hours=finish, position=i
        )
        for i, (name, level, sign, finish, _share) in enumerate(CATEGORIES)
        if name not in existing
    ]
    Category.objects.bulk_create(new)
    ctx.count("case categories", len(new))
    return {c.name: c for c in Category.objects.filter(street=ctx.street)}


def _departments(ctx):
    existing = set(Department.objects.filter(street=ctx.street).values_list("name", flat=True))
    rng = ctx.rng_for("cases:departments")
    new = [
        Department(street=ctx.street, name=name, phone=f"0931-{rng.randrange(10**7):07d}")
        for name in DEPARTMENTS
        if name not in existing
    ]
    Department.objects.bulk_create(new)
    ctx.count("departments", len(new))
    departments = {d.name: d for d in Department.objects.filter(street=ctx.street)}
    base = (ctx.index - 1) * len(DEPARTMENTS) * LIAISONS_PER_DEPARTMENT
    numbers = range(base + 1, base + len(DEPARTMENTS) * LIAISONS_PER_DEPARTMENT + 1)
    users = demo_users(ctx, prefix="dept", numbers=numbers)
    through = Department.liaisons.through
    have = set(through.objects.filter(department__in=departments.values()).values_list("user_id", flat=True))
    links = []
    for k, n in enumerate(numbers):
        department = departments[DEPARTMENTS[k // LIAISONS_PER_DEPARTMENT]]
        if users[n].pk not in have:
            links.append(through(department_id=department.pk, user_id=users[n].pk))
    through.objects.bulk_create(links)
    return departments
