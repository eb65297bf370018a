"""One seeded district per test module, rolled back at its end: seeding takes a few seconds,
and most demo tests only read what it wrote."""

import datetime
import zoneinfo
from collections.abc import Iterator

import pytest
import time_machine
from django.db import transaction

from homeroom.demo.district import Summary, seed_district

TODAY = datetime.date(2026, 11, 24)  # a Tuesday, the week of Thanksgiving
PASSWORD = "demo-test-password-2026"
STUDENTS = 200
SEED = 11


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[Summary]:
    """The district for a module's tests; each test still takes `db` and runs in a savepoint
    inside this transaction."""
    morning = datetime.datetime.combine(
        TODAY, datetime.time(10), tzinfo=zoneinfo.ZoneInfo("America/New_York")
    )
    with (
        time_machine.travel(morning, tick=True),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        summary = seed_district(students=STUDENTS, seed=SEED, password=PASSWORD, today=TODAY)
        yield summary
        transaction.set_rollback(True)
