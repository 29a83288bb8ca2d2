# Date formats the portal's templates name, for Chinese (the default language).
DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
# Short: the month, day and time of something this year.
SHORT_DATETIME_FORMAT = "n月j日 H:i"
SHORT_DATE_FORMAT = "Y-m-d"
