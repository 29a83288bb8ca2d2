"""Domain events of the alliances, as Django signals (see wishes/events.py).

project_matched      project, need, offer — a need matched to a unit became a project (offer: the
                     unit's offer staff confirmed, or None when staff matched a resource themselves)
meeting_scheduled    meeting — a joint meeting was put in the calendar
need_offered         offer — a unit offered to take a need; staff over its community confirm or decline
need_offer_declined  offer — staff declined a unit's offer (with a reason), or the need went to another
"""

from django.dispatch import Signal

project_matched = Signal()
meeting_scheduled = Signal()
need_offered = Signal()
need_offer_declined = Signal()
