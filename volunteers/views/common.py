"""What the volunteers' pages share: a refusal shown as a message, the page for people not registered, a year so far."""

import datetime

from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone


def fail(request, error):
    """Show a service's refusal as a message on the next page."""
    messages.error(request, " ".join(error.messages))


def no_volunteer(request):
    """The page for a signed-in person with no volunteer record: says whom to ask."""
    return render(request, "volunteers/not_registered.html", status=403)


def this_year_so_far():
    """The initial period of the record forms: this year up to today."""
    today = timezone.localdate()
    return {"date_from": datetime.date(today.year, 1, 1), "date_to": today}
