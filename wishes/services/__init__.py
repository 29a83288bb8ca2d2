"""Writes for micro-wishes.

Every change of state follows lock, re-check, change, record: the wish row
is locked with select_for_update, its status (and its claims) re-read and
checked, then changed, and a WishEvent written. Where a claimant row is
locked too (claiming), it is locked before the wish, and no path locks them
the other way round, so two transactions never wait on each other in a
circle."""

from wishes.services.claims import (
    can_act_for,
    claim_fulfil,
    claim_withdraw,
    public_claimant_label,
    wish_claim,
)
from wishes.services.common import (
    POINTS_RULES,
    REVIEW_PERMISSION,
    TRACK_VERSION_SECONDS,
    track_version_key,
)
from wishes.services.jobs import (
    unconfirmed_due,
    wish_auto_close,
    wishes_flag_overdue,
)
from wishes.services.recovery import (
    RECOVERY_ATTEMPTS,
    RECOVERY_MINUTES,
    tracking_recovery_check,
    tracking_recovery_request,
)
from wishes.services.resident import (
    TooManyWishes,
    wish_confirm,
    wish_follow,
    wish_report_not_done,
    wish_submit,
)
from wishes.services.review import (
    wish_close,
    wish_issue_settle,
    wish_publish,
    wish_reject,
)

__all__ = [
    "POINTS_RULES",
    "RECOVERY_ATTEMPTS",
    "RECOVERY_MINUTES",
    "REVIEW_PERMISSION",
    "TRACK_VERSION_SECONDS",
    "TooManyWishes",
    "can_act_for",
    "claim_fulfil",
    "claim_withdraw",
    "public_claimant_label",
    "track_version_key",
    "tracking_recovery_check",
    "tracking_recovery_request",
    "unconfirmed_due",
    "wish_auto_close",
    "wish_claim",
    "wish_close",
    "wish_confirm",
    "wish_follow",
    "wish_issue_settle",
    "wish_publish",
    "wish_reject",
    "wish_report_not_done",
    "wish_submit",
    "wishes_flag_overdue",
]
