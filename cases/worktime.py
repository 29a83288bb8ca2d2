"""Working hours on the Chinese calendar: what the time limits of cases count.

A working day is one the `chinesecalendar` package calls a workday: Monday
to Friday, except public holidays, plus the adjusted working days (调休) on a
weekend. Its data covers the years the State Council has announced; for a
later year (not published yet) Monday to Friday count, and the package's next
release corrects it. Working hours run from CASES_WORKDAY_START to
CASES_WORKDAY_END local time (09:00–17:00 unless configured), so a 4-hour
limit set on Friday at 16:00 falls on the next working day at 12:00.
"""

import datetime
from decimal import Decimal

import chinese_calendar
from django.conf import settings
from django.utils import timezone


def is_workday(day):
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package has no data for yet
        return day.weekday() < 5


def _window(day):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time(settings.CASES_WORKDAY_START)).replace(tzinfo=tz)
    end = datetime.datetime.combine(day, datetime.time(settings.CASES_WORKDAY_END)).replace(tzinfo=tz)
    return start, end


def add_working_hours(start, hours):
    """The instant `hours` working hours after `start` (an aware datetime)."""
    remaining = datetime.timedelta(hours=float(Decimal(str(hours))))
    moment = timezone.localtime(start)
    day = moment.date()
    for _day in range(3660):  # ten years of days: never reached for a real limit
        if is_workday(day):
            open_at, close_at = _window(day)
            begin = max(moment, open_at)
            if begin < close_at:
                available = close_at - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += datetime.timedelta(days=1)
        moment = _window(day)[0]
    raise ValueError("time limit too long")


def working_hours_between(start, end):
    """Working hours from `start` to `end` (0 when end is earlier), for the numbers."""
    if end <= start:
        return 0.0
    total = datetime.timedelta()
    day = timezone.localtime(start).date()
    last = timezone.localtime(end).date()
    while day <= last:
        if is_workday(day):
            open_at, close_at = _window(day)
            begin, finish = max(start, open_at), min(end, close_at)
            if finish > begin:
                total += finish - begin
        day += datetime.timedelta(days=1)
    return total.total_seconds() / 3600
