"""Loaded by pytest (`-p tests.testenv`) before Django's settings are read.

It also gives the suite a clock of its own: `--today=2027-07-15` (or
HOMEROOM_TEST_TODAY=2027-07-15, or a date and time, `2027-07-15T21:30`) runs the whole
session as if the district's clock read that day (10:00 when no time is given), moving on
from there as real time passes. `make test` runs its second pass this way, on a day of
another kind than the real one (tests/calendar_days.py), so a test that depends on the
calendar without setting the clock fails there rather than on some future day.
"""

import datetime
import os
import urllib.parse
import zoneinfo

import pytest

os.environ.setdefault("HOMEROOM_ENV", "test")
# Playwright's sync API runs an event loop in the main thread; the ORM calls made by the
# same tests would otherwise raise SynchronousOnlyOperation. Tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _own_redis_database() -> None:
    """Under pytest-xdist each worker empties the cache between its tests (FLUSHDB), so each
    takes a Redis database of its own: worker gw0 the URL's database + 1, gw1 + 2, …"""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = os.environ.get("REDIS_URL", "")
    if not (worker.startswith("gw") and url):
        return
    parts = urllib.parse.urlsplit(url)
    database = parts.path.strip("/")
    number = int(database) if database.isdigit() else 0
    own = f"/{number + 1 + int(worker[2:])}"
    os.environ["REDIS_URL"] = urllib.parse.urlunsplit(parts._replace(path=own))


_own_redis_database()

_traveller = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--today",
        default=os.environ.get("HOMEROOM_TEST_TODAY") or None,
        help="run the session as if the district's clock read this day "
        "(YYYY-MM-DD, or YYYY-MM-DDTHH:MM); also HOMEROOM_TEST_TODAY",
    )


def session_start(value: str) -> datetime.datetime:
    """The moment a `--today` value names, in the district's time zone."""
    zone = zoneinfo.ZoneInfo(os.environ.get("HOMEROOM_TIME_ZONE", "America/New_York"))
    try:
        if "T" in value:
            moment = datetime.datetime.fromisoformat(value)
        else:
            moment = datetime.datetime.combine(
                datetime.date.fromisoformat(value), datetime.time(10, 0)
            )
    except ValueError as error:
        raise pytest.UsageError(
            f"--today={value!r}: give a date (2027-07-15) or a date and time (2027-07-15T21:30)"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    global _traveller
    value = config.getoption("--today", default=None)
    if value and _traveller is None:
        import time_machine

        _traveller = time_machine.travel(session_start(value), tick=True)
        _traveller.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


def pytest_report_header(config: pytest.Config) -> str:
    value = config.getoption("--today", default=None)
    if value:
        return f"clock: the session runs from {session_start(value).isoformat()} (--today)"
    return "clock: the real one"
