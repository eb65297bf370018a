"""The demo's school year: 180 instructional weekdays around Connecticut's holidays."""

import datetime

import pytest

from homeroom.demo.school_calendar import (
    INSTRUCTIONAL_DAYS,
    easter_sunday,
    school_year_for,
    school_year_start,
)


@pytest.mark.parametrize("start_year", range(2024, 2034))
def test_every_year_has_exactly_180_instructional_weekdays(start_year):
    year = school_year_for(datetime.date(start_year, 10, 1))
    days = year.instructional_days
    assert len(days) == INSTRUCTIONAL_DAYS == 180
    assert len(set(days)) == 180
    assert list(days) == sorted(days)
    assert all(day.weekday() < 5 for day in days)
    assert not set(days) & set(year.closed_days)
    assert all(day.weekday() < 5 for day in year.closed_days)
    assert all(year.first_day <= day <= year.last_day for day in year.closed_days)
    # Late August start, mid-June end at the latest.
    assert year.first_day.weekday() == 2
    assert datetime.date(start_year, 8, 24) <= year.first_day <= datetime.date(start_year, 8, 30)
    assert year.last_day <= datetime.date(start_year + 1, 6, 20)
    # Every weekday from the first to the last day is either taught or closed with a note.
    day = year.first_day
    while day <= year.last_day:
        if day.weekday() < 5:
            assert day in days or year.closed_days.get(day)
        day += datetime.timedelta(days=1)


def test_the_2026_27_year_closes_for_the_usual_holidays():
    year = school_year_for(datetime.date(2026, 11, 24))
    closed = year.closed_days
    assert year.title == "2026–27"
    assert year.end_year == 2027
    assert year.first_day == datetime.date(2026, 8, 26)
    assert closed[datetime.date(2026, 9, 7)] == "Labor Day"
    assert closed[datetime.date(2026, 10, 12)] == "Indigenous Peoples' Day"
    assert closed[datetime.date(2026, 11, 11)] == "Veterans Day"
    assert closed[datetime.date(2026, 11, 26)] == "Thanksgiving Day"
    assert datetime.date(2026, 11, 25) in closed and datetime.date(2026, 11, 27) in closed
    assert all(datetime.date(2026, 12, d) in closed for d in (24, 25, 28, 29, 30, 31))
    assert closed[datetime.date(2027, 1, 18)] == "Martin Luther King Jr. Day"
    assert datetime.date(2027, 2, 15) in closed  # Presidents' Day, February break
    assert closed[datetime.date(2027, 3, 26)] == "Good Friday"
    assert all(datetime.date(2027, 4, d) in closed for d in range(12, 17))  # spring break
    assert closed[datetime.date(2027, 5, 31)] == "Memorial Day"


def test_semesters_and_quarters_split_the_days_and_nest():
    year = school_year_for(datetime.date(2027, 3, 1))
    (s1_start, s1_end), (s2_start, s2_end) = year.semesters
    assert s1_start == year.first_day and s2_end == year.last_day
    assert s1_end < s2_start
    quarters = year.quarters
    assert len(quarters) == 4
    assert quarters[0][0] == s1_start and quarters[1][1] == s1_end
    assert quarters[2][0] == s2_start and quarters[3][1] == s2_end
    assert len([d for d in year.instructional_days if s1_start <= d <= s1_end]) == 90


def test_a_school_year_starts_in_july():
    assert school_year_start(datetime.date(2026, 6, 30)) == 2025
    assert school_year_start(datetime.date(2026, 7, 1)) == 2026
    assert school_year_start(datetime.date(2027, 1, 15)) == 2026


def test_easter_matches_the_published_dates():
    assert easter_sunday(2025) == datetime.date(2025, 4, 20)
    assert easter_sunday(2026) == datetime.date(2026, 4, 5)
    assert easter_sunday(2027) == datetime.date(2027, 3, 28)
    assert easter_sunday(2038) == datetime.date(2038, 4, 25)
