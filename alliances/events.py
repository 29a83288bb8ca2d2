"""Domain events of the alliances, as Django signals (see wishes/events.py).

project_matched      project, need — a need matched to a unit's resource became a project
meeting_scheduled    meeting — a joint meeting was put in the calendar
"""

from django.dispatch import Signal

project_matched = Signal()
meeting_scheduled = Signal()
