"""The case pages: the resident's (public), staff and grid workers', responders'."""

from cases.views.public import (
    case_new,
    case_submitted,
    track,
    track_lookup,
    track_photo,
    track_rate,
    track_unresolved,
)
from cases.views.responders import dispatch_act, dispatch_detail
from cases.views.staff import (
    act,
    detail,
    from_visit,
    from_wish,
    photo,
    qr_index,
    qr_sheet,
    queue,
    report,
    reveal_phone,
    transfer,
)
from cases.views.stats import stats, stats_xlsx

__all__ = [
    "act",
    "case_new",
    "case_submitted",
    "detail",
    "dispatch_act",
    "dispatch_detail",
    "from_visit",
    "qr_index",
    "qr_sheet",
    "reveal_phone",
    "from_wish",
    "photo",
    "queue",
    "report",
    "stats",
    "stats_xlsx",
    "track",
    "track_lookup",
    "track_photo",
    "track_rate",
    "track_unresolved",
    "transfer",
]
