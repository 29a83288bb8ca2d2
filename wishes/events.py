"""Domain events of micro-wishes, as Django signals.

`wishes.services` sends them inside its transactions, after the change and
its WishEvent are written; a receiver (the inbox, which no app imports)
writes its own rows in the same transaction, so a notification exists exactly
when the change committed. All arguments are keywords; `sender` is Wish.

wish_submitted        wish
wish_published        wish, event
wish_rejected         wish, event
wish_claimed          wish, claim, event
claim_withdrawn       wish, claim, event
claim_fulfilled       wish, claim, event
claim_confirmed       wish, claim, event
wish_not_done         wish, claim, event, reason — the resident says it is not done yet
wish_closed           wish, event, automatic
wishes_overdue        wish_ids — flagged by the daily job
tracking_code_requested  phone, otp, minutes — a one-time code to find lost tracking codes
"""

from django.dispatch import Signal

wish_submitted = Signal()
wish_published = Signal()
wish_rejected = Signal()
wish_claimed = Signal()
claim_withdrawn = Signal()
claim_fulfilled = Signal()
claim_confirmed = Signal()
wish_not_done = Signal()
wish_closed = Signal()
wishes_overdue = Signal()
tracking_code_requested = Signal()
