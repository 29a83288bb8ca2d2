"""Domain events of volunteer service, as Django signals (see wishes/events.py).

activity_cancelled   activity, volunteer_ids — the volunteers who held a place
"""

from django.dispatch import Signal

activity_cancelled = Signal()
