"""The volunteer's street and the staff scope: the one rule every read below starts from."""

from django.db.models import Q

from grids.models import Grid
from portal.access import visible
from portal.scoping import Subtree
from volunteers.access import volunteer_of


def _street_nodes(street):
    return Grid.objects.filter(**Subtree.of(street).lookups())


def street_of(node):
    return node if node.parent_id is None else node.get_root()


def home_street(user):
    """The street of the user's volunteer record, or None."""
    volunteer = volunteer_of(user)
    return street_of(volunteer.community) if volunteer else None


def _in_my_street(queryset, user, field):
    """Staff scope, widened by the street a volunteer lives in."""
    street = home_street(user)
    also = Q(**{f"{field}__in": _street_nodes(street)}) if street is not None else None
    return visible(queryset, user, also=also)
