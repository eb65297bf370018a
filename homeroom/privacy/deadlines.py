"""Deadlines the law counts in days (CGS 10-234bb, 10-234dd, 36a-701b): business days skip
weekends and Connecticut's legal holidays (CGS 1-4), each observed on the Friday before when
it falls on a Saturday and the Monday after when on a Sunday."""

import dataclasses
import datetime
import functools

from homeroom.lib.dates import easter_sunday, last_weekday, nth_weekday

_ONE_DAY = datetime.timedelta(days=1)


def _observed(day: datetime.date) -> datetime.date:
    if day.weekday() == 5:
        return day - _ONE_DAY
    if day.weekday() == 6:
        return day + _ONE_DAY
    return day


@functools.cache
def ct_holidays(year: int) -> frozenset[datetime.date]:
    """Connecticut's legal holidays in a year, as observed (CGS 1-4)."""
    fixed = [
        datetime.date(year, 1, 1),  # New Year's Day
        datetime.date(year, 2, 12),  # Lincoln's Birthday
        datetime.date(year, 6, 19),  # Juneteenth
        datetime.date(year, 7, 4),  # Independence Day
        datetime.date(year, 11, 11),  # Veterans' Day
        datetime.date(year, 12, 25),  # Christmas
    ]
    moving = [
        nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        easter_sunday(year) - datetime.timedelta(days=2),  # Good Friday
        last_weekday(year, 5, 0),  # Memorial Day
        nth_weekday(year, 9, 0, 1),  # Labor Day
        nth_weekday(year, 10, 0, 2),  # Columbus Day
        nth_weekday(year, 11, 3, 4),  # Thanksgiving
    ]
    return frozenset([_observed(day) for day in fixed] + moving)


def is_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in ct_holidays(day.year)


def business_days_after(day: datetime.date, count: int) -> datetime.date:
    """The `count`-th business day after `day` (the day itself not counted)."""
    found = 0
    while found < count:
        day += _ONE_DAY
        if is_business_day(day):
            found += 1
    return day


@dataclasses.dataclass(frozen=True)
class IncidentDeadlines:
    """What is due, and by when, once a breach of student data is discovered (R58)."""

    # CGS 10-234dd: the district tells the students and parents within two business days
    # of learning of it.
    families: datetime.date
    # CGS 10-234dd: a contractor tells the district within 30 days of discovery for student
    # information (directory data excluded), 60 for directory data, records or content.
    contractor: datetime.date | None
    # CGS 36a-701b: residents, and the Attorney General no later, within 60 days.
    residents_and_ag: datetime.date


def incident_deadlines(
    *,
    discovered: datetime.date,
    learned: datetime.date,
    student_information: bool,
    by_contractor: bool,
) -> IncidentDeadlines:
    """`discovered`: when the breach was found (by whoever found it); `learned`: when the
    district learned of it (the contractor's notice, or the discovery itself)."""
    return IncidentDeadlines(
        families=business_days_after(learned, 2),
        contractor=(
            discovered + datetime.timedelta(days=30 if student_information else 60)
            if by_contractor
            else None
        ),
        residents_and_ag=discovered + datetime.timedelta(days=60),
    )
