# Date formats the portal's templates name, for English.
DATE_FORMAT = "N j, Y"
DATETIME_FORMAT = "N j, Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "F j"
# Short: the month, day and time of something this year.
SHORT_DATETIME_FORMAT = "M j, H:i"
SHORT_DATE_FORMAT = "Y-m-d"
