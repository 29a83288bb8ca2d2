"""Pages of micro-wishes: the public wall, the resident's form and tracking page, a lost code, claimants' pages, community staff's review and QR posters."""

from wishes.views.claims import (
    claim_detail,
    claim_fulfil,
    claim_photo,
    claim_reveal_phone,
    claim_withdraw,
)
from wishes.views.form import (
    street_communities,
    wish_new,
    wish_submitted,
)
from wishes.views.recovery import (
    SESSION_RECOVERY_PHONE,
    track_recover,
    track_recover_code,
)
from wishes.views.review import (
    qr_index,
    qr_sheet,
    qr_sheet_pdf,
    review_close,
    review_detail,
    review_publish,
    review_queue,
    review_reject,
    review_settle,
)
from wishes.views.track import (
    track,
    track_confirm,
    track_lookup,
    track_not_done,
    track_photo,
)
from wishes.views.wall import (
    wall,
    wish_claim,
    wish_detail,
)

__all__ = [
    "SESSION_RECOVERY_PHONE",
    "claim_detail",
    "claim_fulfil",
    "claim_photo",
    "claim_reveal_phone",
    "claim_withdraw",
    "qr_index",
    "qr_sheet",
    "qr_sheet_pdf",
    "review_close",
    "review_detail",
    "review_publish",
    "review_queue",
    "review_reject",
    "review_settle",
    "street_communities",
    "track",
    "track_confirm",
    "track_lookup",
    "track_not_done",
    "track_photo",
    "track_recover",
    "track_recover_code",
    "wall",
    "wish_claim",
    "wish_detail",
    "wish_new",
    "wish_submitted",
]
