"""Who may do what with a case, in the kernel's words (portal.access).

- at the level a case is held (grid, community, street): staff or a grid
  worker whose subtree holds that node and who may handle cases;
- dispatching, transferring, supervising, merging: street staff over the street;
- verifying (核实): the community's secretary or street staff;
- a dispatch: the liaisons of its department or member unit, and nobody else.
"""

from portal.access import in_scope, staff_over

HANDLE = "cases.handle_case"
DISPATCH = "cases.dispatch_case"
VERIFY = "cases.verify_case"


def may_handle(user, case):
    """Act at the case's current level: accept, decline, pass up, finish."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm(HANDLE)
        and in_scope(user, case.level_node())
    )


def may_report(user, grid):
    return bool(user.is_authenticated and user.has_perm(HANDLE) and in_scope(user, grid))


def may_dispatch(user, case):
    return staff_over(user, case.street, DISPATCH)


def may_verify(user, case):
    return staff_over(user, case.community, VERIFY)


def is_responder(user, dispatch):
    """A liaison of the dispatch's department or member unit."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    responder = dispatch.responder
    return responder.liaisons.filter(pk=user.pk).exists()


def may_act(user, case, who):
    """Whether `user` is the kind of person `who` (from cases.transitions) names, for this case."""
    if who == "level":
        return may_handle(user, case)
    if who == "street":
        return may_dispatch(user, case)
    if who == "verifier":
        return may_verify(user, case)
    return False
