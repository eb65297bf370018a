"""The demo district's school year: 180 instructional days, Connecticut holidays and breaks.

Pure date arithmetic, no database: the generator and the tests both ask it.
"""

import dataclasses
import datetime

from homeroom.lib.dates import easter_sunday, last_weekday, nth_weekday

INSTRUCTIONAL_DAYS = 180  # Connecticut's minimum school year (CGS 10-16).
_ONE_DAY = datetime.timedelta(days=1)


def school_year_start(today: datetime.date) -> int:
    """The calendar year in which the school year holding `today` began (July starts a year)."""
    return today.year if today.month >= 7 else today.year - 1


def first_day_of_school(start_year: int) -> datetime.date:
    """The first Wednesday from 24 August on: the last week of August, as in most of Connecticut."""
    day = datetime.date(start_year, 8, 24)
    return day + datetime.timedelta(days=(2 - day.weekday()) % 7)


def closed_weekdays(start_year: int) -> dict[datetime.date, str]:
    """Weekdays without school between September and June, with the calendar's note."""
    end_year = start_year + 1
    closed: dict[datetime.date, str] = {}

    def close(day: datetime.date, note: str) -> None:
        if day.weekday() < 5:
            closed.setdefault(day, note)

    close(nth_weekday(start_year, 9, 0, 1), "Labor Day")
    close(nth_weekday(start_year, 10, 0, 2), "Indigenous Peoples' Day")
    # Polling places are in schools; the district holds a staff development day.
    election_day = nth_weekday(start_year, 11, 0, 1) + _ONE_DAY
    close(election_day, "Election Day: professional development, no school for students")
    close(datetime.date(start_year, 11, 11), "Veterans Day")
    thanksgiving = nth_weekday(start_year, 11, 3, 4)
    close(thanksgiving - _ONE_DAY, "Thanksgiving recess")
    close(thanksgiving, "Thanksgiving Day")
    close(thanksgiving + _ONE_DAY, "Thanksgiving recess")
    close(datetime.date(start_year, 12, 25), "Christmas Day")
    close(datetime.date(end_year, 1, 1), "New Year's Day")
    day = datetime.date(start_year, 12, 24)
    while day <= datetime.date(end_year, 1, 1):
        close(day, "Winter break")
        day += _ONE_DAY
    close(nth_weekday(end_year, 1, 0, 3), "Martin Luther King Jr. Day")
    presidents_day = nth_weekday(end_year, 2, 0, 3)
    close(presidents_day - datetime.timedelta(days=3), "February break")
    close(presidents_day, "Presidents' Day (February break)")
    close(easter_sunday(end_year) - datetime.timedelta(days=2), "Good Friday")
    spring_break = nth_weekday(end_year, 4, 0, 2)
    for offset in range(5):
        close(spring_break + datetime.timedelta(days=offset), "Spring break")
    close(last_weekday(end_year, 5, 0), "Memorial Day")
    close(datetime.date(end_year, 6, 19), "Juneteenth")
    return closed


@dataclasses.dataclass(frozen=True)
class SchoolYear:
    """One school year's dates. Semesters and quarters split the 180 days evenly."""

    start_year: int
    instructional_days: tuple[datetime.date, ...]
    # Weekdays between the first and last day without school, and why.
    closed_days: dict[datetime.date, str]

    @property
    def first_day(self) -> datetime.date:
        return self.instructional_days[0]

    @property
    def last_day(self) -> datetime.date:
        return self.instructional_days[-1]

    @property
    def end_year(self) -> int:
        """OneRoster's schoolYear: the year the school year ends in."""
        return self.start_year + 1

    @property
    def title(self) -> str:
        return f"{self.start_year}–{self.end_year % 100:02d}"

    def _span(self, first: int, count: int) -> tuple[datetime.date, datetime.date]:
        return self.instructional_days[first], self.instructional_days[first + count - 1]

    @property
    def semesters(self) -> list[tuple[datetime.date, datetime.date]]:
        half = len(self.instructional_days) // 2
        return [self._span(0, half), self._span(half, len(self.instructional_days) - half)]

    @property
    def quarters(self) -> list[tuple[datetime.date, datetime.date]]:
        """Two per semester, in order."""
        size = len(self.instructional_days) // 4
        return [self._span(i * size, size) for i in range(3)] + [
            self._span(3 * size, len(self.instructional_days) - 3 * size)
        ]

    def days_through(self, day: datetime.date) -> list[datetime.date]:
        """Instructional days up to and including `day`."""
        return [d for d in self.instructional_days if d <= day]


def school_year_for(today: datetime.date) -> SchoolYear:
    """The school year holding `today`: 180 instructional weekdays from the first day, with
    every holiday or break on the way recorded; the last day falls where the count ends."""
    start_year = school_year_start(today)
    holidays = closed_weekdays(start_year)
    days: list[datetime.date] = []
    closed: dict[datetime.date, str] = {}
    day = first_day_of_school(start_year)
    while len(days) < INSTRUCTIONAL_DAYS:
        if day.weekday() < 5:
            if day in holidays:
                closed[day] = holidays[day]
            else:
                days.append(day)
        day += _ONE_DAY
    return SchoolYear(start_year=start_year, instructional_days=tuple(days), closed_days=closed)
