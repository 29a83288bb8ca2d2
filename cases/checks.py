"""System checks of the cases' settings: a working day must have hours in it."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def workday_hours(app_configs, **kwargs):
    start, end = settings.CASES_WORKDAY_START, settings.CASES_WORKDAY_END
    if not 0 <= start < end <= 24:
        return [
            Error(
                f"CASES_WORKDAY_START ({start}) must be before CASES_WORKDAY_END ({end}), both between 0 and 24.",
                hint="Set the working hours case time limits count, e.g. 9 and 17.",
                id="cases.E001",
            )
        ]
    return []
