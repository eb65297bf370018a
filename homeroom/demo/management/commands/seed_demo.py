"""`manage.py seed_demo`: fill an empty database with the demo district (homeroom.demo.district)."""

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeroom.accounts.models import TOTPDevice
from homeroom.demo.authenticators import STAFF_PERSONAS
from homeroom.demo.district import MIN_STUDENTS, DemoRefused, Summary, seed_district
from homeroom.demo.personas import CAST, Persona
from homeroom.lib import clock
from homeroom.sis.models import District

DEFAULT_STUDENTS = 500
DEFAULT_SEED = 2026
DEFAULT_PASSWORD = "homeroom-demo-2026"


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with a synthetic district: three schools, a school year up to "
        "--today, families, staff, timetables, attendance and grade books, and the personas "
        "of DESIGN.md. The same --seed and --today always give the same rows. Refuses to run "
        "in production and on a database that already holds a district."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--students",
            type=int,
            default=DEFAULT_STUDENTS,
            help=(
                f"how many students to generate (at least {MIN_STUDENTS}; default "
                f"{DEFAULT_STUDENTS}). The personas' six children come in addition."
            ),
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"the password every demo account shares (default {DEFAULT_PASSWORD})",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="seed only an empty database; on one that holds a district, print the "
            "persona sign-ins and exit successfully (what `make demo` does)",
        )
        parser.add_argument(
            "--today",
            help="the date the demo treats as today, YYYY-MM-DD (default: today in the "
            "district's time zone); records run up to it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = clock.today()
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(
                    f"--today {options['today']!r} is not a date: write it as YYYY-MM-DD, "
                    "for example 2026-11-24."
                ) from None
        if options["if_empty"] and District.objects.exists():
            self.stdout.write("The database already holds the demo district; not seeding again.")
            secrets = dict(
                TOTPDevice.objects.filter(user__username__in=STAFF_PERSONAS).values_list(
                    "user__username", "secret"
                )
            )
            cast_report(self.stdout.write, options["password"], CAST, secrets)
            return
        started = time.monotonic()
        try:
            summary = seed_district(
                students=options["students"],
                seed=options["seed"],
                password=options["password"],
                today=today,
            )
        except DemoRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.report(summary, time.monotonic() - started)

    def report(self, summary: Summary, seconds: float) -> None:
        counts = summary.counts
        write = self.stdout.write
        write(
            self.style.SUCCESS(
                f"Demo district seeded in {seconds:.1f} s: school year {summary.school_year} "
                f"({summary.first_day} to {summary.last_day}), records through {summary.today}."
            )
        )
        for label, key in [
            ("students", "students"),
            ("guardians", "guardians"),
            ("staff", "staff"),
            ("user accounts", "users"),
            ("sections", "sections"),
            ("roster entries", "rosters"),
            ("assignments", "assignments"),
            ("scores", "scores"),
            ("daily attendance marks", "daily_marks"),
            ("period attendance marks", "period_marks"),
        ]:
            write(f"  {label:<24} {counts.get(key, 0):>10,}")
        write("")
        cast_report(write, summary.password, summary.cast, summary.authenticators)


def cast_report(
    write: Any, password: str, cast: tuple[Persona, ...], authenticators: dict[str, str]
) -> None:
    """The persona sign-ins; staff also need a code from an authenticator app (R41)."""
    write(f"Sign in as any of these, with the password {password!r}:")
    width = max(len(p.username) for p in cast)
    for persona in cast:
        write(f"  {persona.username:<{width}}  {persona.name}: {persona.circumstance}")
    if authenticators:
        write("")
        write(
            "Staff sign in with a second factor: add a secret below to an authenticator app, "
            "or print the current code with `make demo-code WHO=taylor`."
        )
        for username, secret in sorted(authenticators.items()):
            write(f"  {username:<{width}}  {secret}")
