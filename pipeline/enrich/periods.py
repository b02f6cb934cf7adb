"""joda-time's `instant.minus(new Period(start, end))` in UTC, on epoch milliseconds (for derived_tstamp, §1.3).

Snowplow computes derived_tstamp as `collector.minus(new Period(created, sent))`. A Period with the standard
type holds years, months, weeks, days, hours, minutes, seconds and millis, and joda fills and applies them
one field at a time with calendar rules, so for gaps of a month or more the result is not
`collector − (sent − created)`. The algorithm, as joda's ISOChronology (proleptic Gregorian) in UTC does it:

Period(start, end), for start < end (`BaseChronology.get`: each field's difference, then start += that many):
1. years (`BasicGJChronology.getYearDifference`): Y = year(end) − year(start), minus one when end's offset
   into its year is smaller than start's. The offsets are balanced for leap years first: when start's offset
   is at least 59 days (on or after 29 Feb / 1 Mar), a start in a leap year going to a non-leap end year
   loses a day, and a start in a non-leap year going to a leap end year (whose offset is also ≥ 59 days)
   makes end lose a day. Then start += Y years.
2. months (`BasicMonthOfYearDateTimeField.getDifferenceAsLong`): M = months between the two year-months,
   minus one when end's offset into its month is smaller than start's; if end is on the last day of its
   month and start's day of month is larger, start's day is first lowered to end's day (so 31 Jan → 28 Feb
   counts as one month). Then start += M months.
3. weeks, days, hours, minutes, seconds, millis: fixed lengths in UTC, so together they are exactly the
   remaining milliseconds end − start.

instant − Period (`BaseChronology.add` with scalar −1, field by field in the same order):
1. − Y years (`BasicGJChronology.setYear`): same month, day and time of day; 29 Feb becomes 28 Feb in a
   non-leap year.
2. − M months (`BasicMonthOfYearDateTimeField.add`): same day and time of day in the target month, the day
   clamped to the month's length (31 Mar − 1 month = 28 Feb).
3. − the remaining milliseconds.

Example: Period(2013-01-31, 2013-03-01) is 1 month 1 day (31 Jan + 1 month = 28 Feb, then 1 day), and
2013-03-31 minus it is 28 Feb, then 27 Feb; plain subtraction of the 29-day gap gives 2 Mar.
Below a gap of 28 days (the shortest month) Y and M are 0, so the result equals plain subtraction.
"""

from __future__ import annotations

DAY_MS = 86_400_000
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _days_in_month(year: int, month: int) -> int:
    return 29 if month == 2 and _is_leap(year) else _DAYS_IN_MONTH[month - 1]


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm; any year)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _civil(ms: int) -> tuple[int, int, int, int]:
    """(year, month, day, millisecond of day) of an epoch-ms instant in UTC."""
    days, millis_of_day = divmod(ms, DAY_MS)
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day, millis_of_day


def _instant(year: int, month: int, day: int, millis_of_day: int) -> int:
    return _days_from_civil(year, month, day) * DAY_MS + millis_of_day


def _year_difference(end: int, start: int) -> int:
    end_year, start_year = _civil(end)[0], _civil(start)[0]
    end_offset = end - _instant(end_year, 1, 1, 0)
    start_offset = start - _instant(start_year, 1, 1, 0)
    if start_offset >= 59 * DAY_MS:
        if _is_leap(start_year):
            if not _is_leap(end_year):
                start_offset -= DAY_MS
        elif end_offset >= 59 * DAY_MS and _is_leap(end_year):
            end_offset -= DAY_MS
    return end_year - start_year - (end_offset < start_offset)


def _month_difference(end: int, start: int) -> int:
    if end < start:
        return -_month_difference(start, end)
    end_year, end_month, end_day, _ = _civil(end)
    start_year, start_month, start_day, start_time = _civil(start)
    difference = (end_year - start_year) * 12 + end_month - start_month
    if end_day == _days_in_month(end_year, end_month) and start_day > end_day:
        start = _instant(start_year, start_month, end_day, start_time)
    end_offset = end - _instant(end_year, end_month, 1, 0)
    start_offset = start - _instant(start_year, start_month, 1, 0)
    return difference - (end_offset < start_offset)


def _add_years(instant: int, years: int) -> int:
    year, month, day, time = _civil(instant)
    year += years
    return _instant(year, month, min(day, _days_in_month(year, month)), time)


def _add_months(instant: int, months: int) -> int:
    year, month, day, time = _civil(instant)
    year, month_index = divmod(year * 12 + month - 1 + months, 12)
    return _instant(year, month_index + 1, min(day, _days_in_month(year, month_index + 1)), time)


def period_between(start: int, end: int) -> tuple[int, int, int]:
    """joda `new Period(start, end)` in UTC as (years, months, milliseconds of the fixed-length fields)."""
    years = _year_difference(end, start) if start != end else 0
    start = _add_years(start, years) if years else start
    months = _month_difference(end, start) if start != end else 0
    start = _add_months(start, months) if months else start
    return years, months, end - start


def minus_period(instant: int, start: int, end: int) -> int:
    """joda `instant.minus(new Period(start, end))` in UTC, all in epoch milliseconds."""
    years, months, rest = period_between(start, end)
    if years:
        instant = _add_years(instant, -years)
    if months:
        instant = _add_months(instant, -months)
    return instant - rest
