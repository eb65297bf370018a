"""The one place the project asks what time it is, in the district's time zone."""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    return timezone.now()


def today() -> datetime.date:
    """Today in the district's time zone (TIME_ZONE), not in UTC."""
    return timezone.localdate()


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Whole years between a birth date and a day; a 29 February birthday turns on 1 March."""
    years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day):
        years -= 1
    return years
