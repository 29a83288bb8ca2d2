"""Calendar months, the period every report, rollup and chart of the portal counts by.

A month is named by its first day (`datetime.date(2026, 3, 1)`); its bounds
are aware datetimes in the portal's time zone, so "March" means the same
instants to the points rollup, the monthly report and the dashboard.
"""

import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST = datetime.date(2000, 1, 1)
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def month_start(day):
    """The first day of the month holding `day`."""
    return datetime.date(day.year, day.month, 1)


def add_months(month, count):
    """The first day of the month `count` months after (or before) `month`."""
    years, index = divmod(month.month - 1 + count, 12)
    return datetime.date(month.year + years, index + 1, 1)


def next_month(day):
    return add_months(month_start(day), 1)


def month_end(month):
    """The last day of the month."""
    return add_months(month, 1) - datetime.timedelta(days=1)


def quarter_start(day):
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def day_start(day):
    """The first moment of a local day, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def month_bounds(month):
    """Aware datetimes: the month's first moment and the next month's first moment."""
    return day_start(month), day_start(add_months(month, 1))


def this_month(now=None):
    return month_start(timezone.localdate(now or timezone.now()))


def last_month(now=None):
    return add_months(this_month(now), -1)


def parse_month(text, now=None):
    """'2026-03' → date(2026, 3, 1); ValueError with a message for a malformed, early or future month."""
    match = _MONTH_RE.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(_("月份应写作 YYYY-MM，例如 2026-03。"))
    month = datetime.date(int(match.group(1)), int(match.group(2)), 1)
    check_month(month, now)
    return month


def check_month(month, now=None):
    """Refuse a month before 2000 or after the current one."""
    if month < EARLIEST:
        raise ValueError(_("月份不能早于 2000 年。"))
    if month > this_month(now):
        raise ValueError(_("%(month)s 还没有到，不能查看未来的月份。") % {"month": f"{month:%Y-%m}"})


def day_text(value):
    """A date as ISO text for a stored document ('2026-03-05'), or None."""
    return value.isoformat() if value else None


def minute_text(value):
    """An aware datetime as local 'YYYY-MM-DD HH:MM' text for a stored document, or None."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None
