"""Months counted back from today's, for tests of the publication lag, whose
meaning moves with the calendar."""

from tap_nyc_taxi.months import Month, this_month


def months_ago(count: int) -> Month:
    month = this_month()
    for _ in range(count):
        month = Month(month.year - 1, 12) if month.month == 1 else Month(month.year, month.month - 1)
    return month
