"""Fixtures shared by the whole suite: real SMTP, real Chromium, and the audit log's guards."""

import datetime
import os
import socket
import zoneinfo
from collections.abc import Iterator

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.db import connection
from hypothesis import settings as hypothesis_settings

from homeroom.audit import triggers

# Property tests draw the same examples on every run (derandomized, seeded by the test's
# name), so a run's result does not depend on luck: `make test` is green or red for a reason.
# To search further, HOMEROOM_HYPOTHESIS=explore draws new examples on each run; a failure
# it finds goes into the test as an @example.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HOMEROOM_HYPOTHESIS", "repeatable"))

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# --- The audit log refuses DELETE, so emptying the database between browser tests needs the
# guard lifted just before, and put back before the next test.


def _uses_transactional_db(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if _uses_transactional_db(item) and connection.connection is not None:
        drop, _create, _exists = triggers.GUARDS[connection.vendor]
        with connection.cursor() as cursor:
            for statement in drop:
                cursor.execute(statement)


@pytest.fixture(autouse=True)
def _audit_guards_in_place(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("django_db") is None and not {
        "db",
        "transactional_db",
        "live_server",
        "django_db_setup",
    } & set(request.fixturenames):
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        _drop, create, exists = triggers.GUARDS[connection.vendor]
        with connection.cursor() as cursor:
            cursor.execute(exists)
            if cursor.fetchone() is None:
                for statement in create:
                    cursor.execute(statement)


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: the database is rolled back between tests, and
    a page cached by one test must not answer in the next (lib.freshness)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _english_unless_asked() -> Iterator[None]:
    """Each test starts in English: a request served in Spanish leaves its language active
    in the thread, and a service called next would answer in Spanish."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def production_hashers(settings) -> list[str]:
    """The password hashers a deployment uses (Argon2id first), for tests of hashing and of
    sign-in timing; every other test hashes with a fast one (config/settings.py)."""
    settings.PASSWORD_HASHERS = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    return settings.PASSWORD_HASHERS


# --- Mail through a real SMTP server.


class MailSink:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings) -> Iterator[MailSink]:
    sink = MailSink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    # Django's test runner swaps every mailer for locmem; point the alias back at SMTP.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    yield sink
    controller.stop()


# --- Chromium through Playwright.


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


# --- The demo district, seeded once per test module inside a transaction that is rolled
# back when the module ends; each test runs in a savepoint within it.

DEMO_STUDENTS = 40
DEMO_SEED = 11
# The demo's tests run on a clock they set, not on whatever day the suite happens to run:
# a Wednesday in term, mid-morning, in the district's time zone. The clock moves on from
# there as real time passes (sessions, the release delay and the live server rely on it).
# A test that needs another kind of day travels from here (tests/calendar_days.py).
DEMO_MOMENT = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York"))


@pytest.fixture(scope="module")
def demo_clock() -> Iterator[datetime.datetime]:
    """The module's clock, set to DEMO_MOMENT for as long as the module's district lives."""
    with time_machine.travel(DEMO_MOMENT, tick=True):
        yield DEMO_MOMENT


@pytest.fixture(scope="module")
def demo(demo_clock, django_db_setup, django_db_blocker):
    from django.db import transaction

    from homeroom.demo.district import seed_district
    from homeroom.lib import clock
    from tests.personas import PASSWORD

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield seed_district(
                students=DEMO_STUDENTS, seed=DEMO_SEED, password=PASSWORD, today=clock.today()
            )
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def live_demo_clock() -> Iterator[datetime.datetime]:
    """DEMO_MOMENT for one browser test (the live server's thread reads the same clock)."""
    with time_machine.travel(DEMO_MOMENT, tick=True):
        yield DEMO_MOMENT


@pytest.fixture
def live_demo(live_demo_clock, transactional_db):
    """The demo district, committed, for browser tests served by the live server."""
    from homeroom.demo.district import seed_district
    from homeroom.lib import clock
    from homeroom.sis.models import District
    from tests.personas import PASSWORD

    if not District.objects.exists():
        seed_district(
            students=DEMO_STUDENTS, seed=DEMO_SEED, password=PASSWORD, today=clock.today()
        )
    # Emptying the database between browser tests also removed the agreement that
    # migration accounts/0002 publishes; every deployment has one, so put it back.
    from importlib import import_module

    from django.apps import apps

    import_module("homeroom.accounts.migrations.0002_first_agreement").publish(apps, None)
