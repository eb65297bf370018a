"""`manage.py seed_demo`: what it prints, and when it refuses (and then writes nothing)."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from homeroom.accounts.models import User
from homeroom.audit.models import AuditEvent
from homeroom.demo import personas
from homeroom.sis.models import District, School, Student
from tests import builders

pytestmark = pytest.mark.django_db


def nothing_written() -> bool:
    return not (
        School.objects.exists()
        or Student.objects.exists()
        or User.objects.exists()
        or AuditEvent.objects.exists()
    )


def test_seed_demo_prints_the_counts_and_every_personas_sign_in():
    out = StringIO()
    call_command(
        "seed_demo",
        "--students=20",
        "--seed=3",
        "--password=printed-demo-password",
        "--today=2027-03-10",
        stdout=out,
    )
    text = out.getvalue()
    assert "2026–27" in text and "2027-03-10" in text
    assert "printed-demo-password" in text
    assert re.search(r"^\s+students\s+26$", text, re.MULTILINE)
    assert re.search(r"^\s+scores\s+[1-9][0-9,]*$", text, re.MULTILINE)
    for persona in personas.CAST:
        assert f"{persona.username} " in text
        assert persona.circumstance in text
    assert Student.objects.count() == 26
    assert AuditEvent.objects.count() == 1


def test_seed_demo_refuses_in_production_and_writes_nothing(settings):
    settings.HOMEROOM_ENV = "production"
    with pytest.raises(CommandError, match="refuses to run with HOMEROOM_ENV=production"):
        call_command("seed_demo", "--students=20", stdout=StringIO())
    assert nothing_written()


def test_seed_demo_refuses_a_database_that_holds_a_district_and_writes_nothing():
    builders.district()
    with pytest.raises(CommandError, match=r"already holds a district.*only seeds an empty"):
        call_command("seed_demo", "--students=20", "--today=2026-11-24", stdout=StringIO())
    assert District.objects.count() == 1
    assert nothing_written()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--students=19"], "--students 19 is too few: the demo needs at least 20"),
        (["--today=2026-13-01"], "--today '2026-13-01' is not a date: write it as YYYY-MM-DD"),
        (["--today=24/11/2026"], "is not a date"),
        (["--password="], "--password must not be empty"),
    ],
)
def test_seed_demo_refuses_bad_arguments_and_writes_nothing(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("seed_demo", *arguments, stdout=StringIO())
    assert nothing_written()


def test_seed_demo_defaults_to_today_in_the_district_time_zone(time_machine):
    # 02:30 UTC on 25 November is still the 24th in Connecticut.
    time_machine.move_to(datetime.datetime(2026, 11, 25, 2, 30, tzinfo=datetime.UTC))
    out = StringIO()
    call_command("seed_demo", "--students=20", stdout=out)
    assert "records through 2026-11-24" in out.getvalue()


@pytest.mark.parametrize(
    "today",
    [
        datetime.date(2026, 7, 15),  # summer: the year has not started, last month was June
        datetime.date(2026, 8, 26),  # the first day of school
        datetime.date(2026, 9, 2),  # the first full week: last month holds four school days
        datetime.date(2027, 1, 20),  # the first day of the second semester
        datetime.date(2027, 6, 30),  # after the last day
        datetime.date(2028, 2, 29),  # a leap day
    ],
)
def test_the_cast_holds_on_any_day_of_the_year(today):
    from homeroom.access.models import Restriction
    from homeroom.demo.district import seed_district
    from homeroom.lib.clock import age_on

    seed_district(students=20, seed=5, password="any-day-password", today=today)
    assert {u for u in User.objects.values_list("username", flat=True)} >= {
        p.username for p in personas.CAST
    }
    daniel = Student.objects.get(legal_first_name="Daniel", legal_last_name="Kim")
    exit_date = daniel.enrollments.get().exit_date
    assert exit_date is not None
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    assert (exit_date.year, exit_date.month) == (last_month.year, last_month.month)
    alex = Student.objects.get(preferred_first_name="Alex", legal_last_name="Rivera")
    assert age_on(alex.date_of_birth, today) == 18
    assert age_on(alex.date_of_birth, today - datetime.timedelta(days=70)) == 17
    assert Restriction.objects.get().starts_on < today
    sofia = Student.objects.get(legal_first_name="Sofia", legal_last_name="Lopez")
    assert sofia.rosters.filter(section__course__title="Algebra II").exists()
