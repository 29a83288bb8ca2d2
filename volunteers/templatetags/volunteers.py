from django import template

from volunteers import selectors
from volunteers.access import volunteer_of

register = template.Library()


@register.inclusion_tag("volunteers/_me.html", takes_context=True)
def volunteer_me(context):
    """The /me/ section: my activities, verified hours, points and ranks."""
    user = context["request"].user
    volunteer = volunteer_of(user)
    if volunteer is None:
        return {"volunteer": None}
    return {
        "volunteer": volunteer,
        "summary": selectors.volunteer_summary(volunteer),
        "signups": selectors.my_signups(volunteer)[:10],
        "records": selectors.my_records(volunteer, limit=10),
        "teams": volunteer.memberships.filter(status="active").select_related("team"),
        "leads": volunteer.led_teams.exists(),
    }


@register.inclusion_tag("volunteers/_tabs.html", takes_context=True)
def volunteer_tabs(context, current):
    user = context["request"].user
    return {
        "current": current,
        "organises": user.is_authenticated
        and (
            selectors.activities_organised_by(user).exists()
            or (volunteer_of(user) is not None and volunteer_of(user).led_teams.exists())
        ),
        "staff": user.has_perm("volunteers.view_servicerecord"),
        "perms_rules": user.has_perm("points.view_pointsrule"),
        "perms_dual": user.has_perm("volunteers.view_dualreport"),
    }


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL's query with `page` set, for pagers that keep their filters."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()
