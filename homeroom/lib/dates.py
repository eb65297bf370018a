"""Calendar arithmetic: the n-th weekday of a month, the last one, Easter. No knowledge of
schools or the law: the demo's school calendar and the legal deadlines both build on it."""

import datetime

_ONE_DAY = datetime.timedelta(days=1)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date:
    """The n-th given weekday (0 = Monday) of a month: nth_weekday(2026, 9, 0, 1) is Labor Day."""
    first = datetime.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + datetime.timedelta(days=offset + 7 * (n - 1))


def last_weekday(year: int, month: int, weekday: int) -> datetime.date:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    day = following - _ONE_DAY
    return day - datetime.timedelta(days=(day.weekday() - weekday) % 7)


def easter_sunday(year: int) -> datetime.date:
    """Western Easter (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def school_year_ending(day: datetime.date) -> int:
    """The school year holding `day`, named as OneRoster names it, by the year it ends: July
    starts a year, so 2026-11-18 is in 2027 (2026–27) and 2027-07-15 in 2028."""
    return day.year + 1 if day.month >= 7 else day.year
