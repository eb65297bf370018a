"""Kinds of day, for running the suite under a clock of its own (issue 11).

A test that depends on "today" sets the clock itself; this module names the kinds of day the
suite is checked under and picks, for the guard in `make test`, a day of another kind than
the real one, so a test that silently depends on the calendar fails there.

    python -m tests.calendar_days guard [DAY]   a day of another kind than DAY (today)
    python -m tests.calendar_days kinds [DAY]   one day of each kind near DAY, KIND=DATE lines
    python -m tests.calendar_days kind DAY      the kind of DAY
"""

import datetime
import enum
import sys

from homeroom.demo.school_calendar import school_year_for

_ONE_DAY = datetime.timedelta(days=1)


class Kind(enum.StrEnum):
    SCHOOL_DAY = "school-day"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # a weekday the demo calendar closes (Thanksgiving, winter break …)
    SUMMER = "summer"  # outside the school year: after the last day, before the first


def kind_of(day: datetime.date) -> Kind:
    year = school_year_for(day)
    if not year.first_day <= day <= year.last_day:
        return Kind.SUMMER
    if day.weekday() >= 5:
        return Kind.WEEKEND
    if day in year.closed_days:
        return Kind.HOLIDAY
    return Kind.SCHOOL_DAY


def next_of_kind(kind: Kind, after: datetime.date) -> datetime.date:
    """The first day of this kind after `after` (within two years, which always holds one)."""
    day = after + _ONE_DAY
    while kind_of(day) is not kind:
        day += _ONE_DAY
        if day > after + datetime.timedelta(days=730):
            raise LookupError(kind)
    return day


def one_of_each(near: datetime.date) -> dict[Kind, datetime.date]:
    return {kind: next_of_kind(kind, near) for kind in Kind}


# The guard's rotation: the real day's kind maps to the kind least like it.
_GUARD = {
    Kind.SCHOOL_DAY: Kind.WEEKEND,
    Kind.WEEKEND: Kind.SCHOOL_DAY,
    Kind.HOLIDAY: Kind.SCHOOL_DAY,
    Kind.SUMMER: Kind.SCHOOL_DAY,
}


def guard_day(today: datetime.date) -> datetime.date:
    """A day of another kind than `today`, soon after it (clocks far from the real one would
    expire the browser's cookies)."""
    return next_of_kind(_GUARD[kind_of(today)], today)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "guard"
    day = datetime.date.fromisoformat(argv[1]) if len(argv) > 1 else datetime.date.today()
    if command == "guard":
        print(guard_day(day).isoformat())
    elif command == "kinds":
        for kind, found in one_of_each(day).items():
            print(f"{kind}={found.isoformat()}")
    elif command == "kind":
        print(kind_of(day))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
