"""The demo district: one synthetic, realistic Connecticut district in an empty database.

`seed_district` is the whole generator; `manage.py seed_demo` only parses its arguments.
Everything is drawn from one `random.Random(seed)` in a fixed order and every timestamp is
derived from a date in the district's time zone, so one seed and one `today` always give the
same rows. The only exceptions are the password hashes (salted; all accounts share one) and
the audit event, which records when the seeding really happened.
"""

import contextlib
import dataclasses
import datetime
import math
import random
import uuid
import zoneinfo
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone

from homeroom.access.models import DependencyCertification, Restriction, StudentConsent
from homeroom.access.roles import DISTRICT_ADMINISTRATOR, REGISTRAR, TECHNOLOGY, sync_groups
from homeroom.accounts.models import User
from homeroom.attendance.models import AttendanceCode
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, event_record
from homeroom.demo import catalogue, names, personas, records
from homeroom.demo import privacy as demo_privacy
from homeroom.demo.authenticators import staff_authenticators_enrol
from homeroom.demo.catalogue import ELEMENTARY, HIGH, MIDDLE
from homeroom.demo.schedule import Offering, TeacherSlot, assign_teachers, place_students
from homeroom.demo.school_calendar import SchoolYear, first_day_of_school, school_year_for
from homeroom.gradebook.models import GradeBand, GradingScale
from homeroom.sis.models import (
    AcademicSession,
    BellSchedule,
    BellTime,
    CalendarDay,
    CaseloadEntry,
    Course,
    District,
    Enrollment,
    Guardian,
    GuardianLink,
    Period,
    Roster,
    School,
    Section,
    SectionMeeting,
    SectionTeacher,
    Staff,
    StaffRole,
    Student,
)

MIN_STUDENTS = 20
BATCH_SIZE = 2000
HOMEROOM_SIZE = 22  # elementary classes are smaller than secondary ones
SQLITE_CACHE_KIB = 512 * 1024


class DemoRefused(Exception):
    """The generator will not run here; the message says why and what to do instead."""


@dataclasses.dataclass(frozen=True)
class Summary:
    school_year: str
    first_day: datetime.date
    last_day: datetime.date
    today: datetime.date
    counts: dict[str, int]
    password: str
    cast: tuple[personas.Persona, ...] = personas.CAST
    # Staff sign in with a second factor (R41): each staff persona's authenticator secret.
    authenticators: dict[str, str] = dataclasses.field(default_factory=dict)


# --- Plans: what the generator decides before it writes ---------------------------------------


@dataclasses.dataclass(eq=False)
class SchoolPlan:
    kind: str
    row: School
    grades: range
    bell_schedule: BellSchedule | None = None
    periods: list[Period] = dataclasses.field(default_factory=list)
    bell_times: list[tuple[datetime.time, datetime.time]] = dataclasses.field(default_factory=list)
    pupils: list["Pupil"] = dataclasses.field(default_factory=list)
    offerings: list[Offering] = dataclasses.field(default_factory=list)
    teachers: list["Teacher"] = dataclasses.field(default_factory=list)
    clerk: "StaffMember | None" = None


@dataclasses.dataclass(eq=False)
class Pupil:
    row: Student
    grade: int  # 0 is kindergarten
    school: SchoolPlan
    entry: datetime.date
    exit: datetime.date | None = None
    exit_reason: str = ""
    ability: float = 0.85
    absence_rate: float = 0.03
    tardy_rate: float = 0.03
    missing_rate: float = 0.04
    late_rate: float = 0.05
    exempt_rate: float = 0.01
    incomplete_rate: float = 0.003
    persona: str = ""
    # Persona course choices by area ("math": "ALG2").
    chosen: dict[str, str] = dataclasses.field(default_factory=dict)
    offerings: list[Offering] = dataclasses.field(default_factory=list)

    def enrolled_on(self, day: datetime.date) -> bool:
        return self.entry <= day and (self.exit is None or day <= self.exit)


@dataclasses.dataclass(eq=False)
class StaffMember:
    row: Staff
    user: User
    roles: list[tuple[str, SchoolPlan | None]]
    hired: datetime.date


@dataclasses.dataclass(eq=False)
class Teacher:
    member: StaffMember
    slot: TeacherSlot
    room: str


# Where a department's n-th teacher has their room, by wing.
_ROOMS = {
    catalogue.ENGLISH: "A{wing}",
    catalogue.MATH: "B{wing}",
    catalogue.SCIENCE: "Lab C{wing}",
    catalogue.SOCIAL: "D{wing}",
    catalogue.LANGUAGES: "E{wing}",
    catalogue.PE_HEALTH: "Gym {n}",
    catalogue.ARTS: "F{wing}",
    catalogue.COMPUTING: "G{wing}",
    catalogue.UNIFIED_ARTS: "F{wing}",
}

_SCHOOLS = [
    (ELEMENTARY, "Juniper Hill Elementary School", "Juniper Hill", "9990111", range(0, 6)),
    (MIDDLE, "Riverbend Middle School", "Riverbend", "9990211", range(6, 9)),
    (HIGH, "Harborview High School", "Harborview", "9990311", range(9, 13)),
]


def _school_kind_for(grade: int) -> str:
    return ELEMENTARY if grade <= 5 else MIDDLE if grade <= 8 else HIGH


# --- The generator ----------------------------------------------------------------------------


def seed_district(*, students: int, seed: int, password: str, today: datetime.date) -> Summary:
    """Fill an empty database with the demo district, in one transaction.

    `students` counts the generated students; the personas' six children come in addition.
    Refuses (DemoRefused) in production, on a database that already holds a district, and on
    arguments it cannot honour; nothing is written then.
    """
    if settings.HOMEROOM_ENV == "production":
        raise DemoRefused(
            "seed_demo refuses to run with HOMEROOM_ENV=production: every demo account shares "
            "one published password. Run it with HOMEROOM_ENV=demo on a database of its own."
        )
    if students < MIN_STUDENTS:
        raise DemoRefused(
            f"--students {students} is too few: the demo needs at least {MIN_STUDENTS} "
            "to fill three schools."
        )
    if not password:
        raise DemoRefused("--password must not be empty.")
    with transaction.atomic(), _roomy_sqlite_cache():
        if District.objects.exists():
            raise DemoRefused(
                "The database already holds a district; seed_demo only seeds an empty "
                "database. Point HOMEROOM_SQLITE_PATH (or DATABASE_URL) at a new database, "
                "run `manage.py migrate`, then seed_demo again."
            )
        summary = _Seeder(students=students, seed=seed, password=password, today=today).run()
        enrolled_at = timezone.make_aware(
            datetime.datetime.combine(summary.first_day, datetime.time(7, 0))
        )
        return dataclasses.replace(
            summary,
            authenticators=staff_authenticators_enrol(seed=seed, enrolled_at=enrolled_at),
        )


@contextlib.contextmanager
def _roomy_sqlite_cache() -> Iterator[None]:
    """A larger SQLite page cache while seeding. The unique indexes on random sourcedIds take
    inserts all over their B-trees; with SQLite's default 2 MB cache, 20,000 students spend
    most of their time re-reading pages."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")


class _Seeder:
    def __init__(self, *, students: int, seed: int, password: str, today: datetime.date) -> None:
        self.student_count = students
        self.seed = seed
        self.password = password
        self.today = today
        self.rng = random.Random(seed)
        # Addresses come from a stream of their own, so adding them moved nothing else.
        self.places = random.Random(f"{seed}:addresses")
        self.tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.year: SchoolYear = school_year_for(today)
        # One Argon2 hash for every account: the salt differs per run, the password does not.
        self.password_hash = make_password(password)
        self.counts: dict[str, int] = {}

        self.schools: dict[str, SchoolPlan] = {}
        self.sessions: dict[str, AcademicSession] = {}
        self.codes: dict[str, AttendanceCode] = {}
        self.scale: GradingScale | None = None
        self.pupils: list[Pupil] = []
        self.guardians: list[Guardian] = []
        self.links: list[GuardianLink] = []
        self.staff: list[StaffMember] = []
        self.users: list[User] = []
        self.persona_users: dict[str, User] = {}
        self.persona_pupils: dict[str, Pupil] = {}
        self.persona_guardians: dict[str, Guardian] = {}

        self._usernames: set[str] = {p.username for p in personas.CAST}
        self._emails: set[str] = set()
        self._state_ids: set[str] = set()
        self._next_local_id = 100001
        self._next_employee_id = 10001

    # --- Small helpers

    def sourced_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def at(
        self, day: datetime.date, hour: int, minute: int = 0, second: int = 0
    ) -> datetime.datetime:
        """A moment on a day, in the district's time zone."""
        return datetime.datetime.combine(day, datetime.time(hour, minute, second), tzinfo=self.tz)

    def pick(self, weighted: Iterable[tuple[Any, float]]) -> Any:
        items = list(weighted)
        return self.rng.choices([i for i, _ in items], [w for _, w in items])[0]

    def bulk(self, model: type[models.Model], rows: list[Any], name: str) -> list[Any]:
        model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
        self.counts[name] = self.counts.get(name, 0) + len(rows)
        return rows

    def username(self, first: str, last: str) -> str:
        base = (names.ascii_fold(first)[:1] + names.ascii_fold(last)) or "user"
        candidate, n = base, 1
        while candidate in self._usernames:
            n += 1
            candidate = f"{base}{n}"
        self._usernames.add(candidate)
        return candidate

    def personal_email(self, first: str, last: str) -> str:
        domain = self.rng.choice(["example.com", "example.net", "example.org"])
        stem = f"{names.ascii_fold(first)}.{names.ascii_fold(last)}"
        email, n = f"{stem}@{domain}", 1
        while email in self._emails:
            n += 1
            email = f"{stem}{n}@{domain}"
        self._emails.add(email)
        return email

    def address(self) -> str:
        """A made-up street address in a made-up Connecticut town (no real place)."""
        number = self.places.randrange(2, 400)
        street = self.places.choice(names.STREETS)
        town, postcode = self.places.choice(names.TOWNS)
        return f"{number} {street}\n{town}, CT {postcode}"

    def phone(self) -> str:
        # 555-0100 to 555-0199 are reserved for fiction in every area code.
        area = self.rng.choice(["860", "203", "475", "959"])
        return f"({area}) 555-01{self.rng.randrange(100):02d}"

    def state_id(self) -> str:
        while True:
            sasid = str(self.rng.randrange(10**9, 10**10))
            if sasid not in self._state_ids:
                self._state_ids.add(sasid)
                return sasid

    def school_day_between(self, low: datetime.date, high: datetime.date) -> datetime.date | None:
        """A school day from `low` to `high`, at random; None when there is none."""
        days = [d for d in self.year.instructional_days if low <= d <= high]
        return self.rng.choice(days) if days else None

    # --- The run, in the order rows must exist

    def run(self) -> Summary:
        self.make_district()
        self.make_sessions()
        self.make_bells_and_calendars()
        self.make_codes_and_scale()
        self.plan_people()
        self.plan_timetables()
        self.plan_staff()
        self.save_people()
        self.save_classes()
        self.save_policy_records()
        records.seed_grade_books(self)
        records.seed_attendance(self)
        demo_privacy.seed_privacy(self)
        event_record(
            actor=Actor.system("seed_demo"),
            event=Event(
                action=Action.IMPORT,
                object_type="demo.district",
                detail={
                    "source": "seed_demo",
                    "seed": self.seed,
                    "today": self.today.isoformat(),
                    "counts": dict(self.counts),
                },
            ),
        )
        return Summary(
            school_year=self.year.title,
            first_day=self.year.first_day,
            last_day=self.year.last_day,
            today=self.today,
            counts=dict(self.counts),
            password=self.password,
        )

    # --- District, schools, sessions

    def make_district(self) -> None:
        district = District.objects.create(
            sourced_id=self.sourced_id(),
            name=settings.HOMEROOM_DISTRICT_NAME,
            identifier="9990011",
        )
        rows = []
        for kind, name, short, code, grades in _SCHOOLS:
            row = School(
                sourced_id=self.sourced_id(),
                district=district,
                name=name,
                short_name=short,
                kind=kind,
                identifier=code,
            )
            rows.append(row)
            self.schools[kind] = SchoolPlan(kind=kind, row=row, grades=grades)
        self.bulk(School, rows, "schools")

    def make_sessions(self) -> None:
        year = self.year
        school_year = AcademicSession.objects.create(
            sourced_id=self.sourced_id(),
            title=f"{year.title} School Year",
            kind=AcademicSession.Kind.SCHOOL_YEAR,
            start_date=year.first_day,
            end_date=year.last_day,
            school_year=year.end_year,
        )
        self.sessions["year"] = school_year
        semesters = [
            AcademicSession(
                sourced_id=self.sourced_id(),
                title=f"Semester {n} ({year.title})",
                kind=AcademicSession.Kind.SEMESTER,
                start_date=start,
                end_date=end,
                parent=school_year,
                school_year=year.end_year,
            )
            for n, (start, end) in enumerate(year.semesters, start=1)
        ]
        AcademicSession.objects.bulk_create(semesters)
        self.sessions[catalogue.FALL], self.sessions[catalogue.SPRING] = semesters
        quarters = [
            AcademicSession(
                sourced_id=self.sourced_id(),
                title=f"Quarter {n} ({year.title})",
                kind=AcademicSession.Kind.GRADING_PERIOD,
                start_date=start,
                end_date=end,
                parent=semesters[(n - 1) // 2],
                school_year=year.end_year,
            )
            for n, (start, end) in enumerate(year.quarters, start=1)
        ]
        AcademicSession.objects.bulk_create(quarters)
        self.counts["academic_sessions"] = 1 + len(semesters) + len(quarters)

    def make_bells_and_calendars(self) -> None:
        schedules = []
        periods = []
        for plan in self.schools.values():
            bells = catalogue.BELLS[plan.kind]
            plan.bell_schedule = BellSchedule(school=plan.row, name="Regular day", is_default=True)
            schedules.append(plan.bell_schedule)
            plan.periods = [
                Period(school=plan.row, name=name, sequence=n)
                for n, name in enumerate(bells.period_names, start=1)
            ]
            plan.bell_times = bells.times()
            periods += plan.periods
        self.bulk(BellSchedule, schedules, "bell_schedules")
        self.bulk(Period, periods, "periods")
        times = [
            BellTime(bell_schedule=plan.bell_schedule, period=period, starts_at=start, ends_at=end)
            for plan in self.schools.values()
            for period, (start, end) in zip(plan.periods, plan.bell_times, strict=True)
        ]
        self.bulk(BellTime, times, "bell_times")

        days = []
        for plan in self.schools.values():
            session_days = [
                CalendarDay(
                    school=plan.row, date=day, in_session=True, bell_schedule=plan.bell_schedule
                )
                for day in self.year.instructional_days
            ]
            closed = [
                CalendarDay(school=plan.row, date=day, in_session=False, note=note)
                for day, note in self.year.closed_days.items()
            ]
            days += sorted(session_days + closed, key=lambda row: row.date)
        self.bulk(CalendarDay, days, "calendar_days")

    def make_codes_and_scale(self) -> None:
        codes = [
            AttendanceCode(
                code=plan.code,
                description=plan.description,
                description_es=plan.description_es,
                category=plan.category,
                absence_value=plan.absence_value,
                is_default_present=plan.is_default_present,
                keyboard_key=plan.keyboard_key,
                sort_order=n,
            )
            for n, plan in enumerate(catalogue.ATTENDANCE_CODES, start=1)
        ]
        self.bulk(AttendanceCode, codes, "attendance_codes")
        self.codes = {code.code: code for code in codes}
        self.scale = GradingScale.objects.create(name=catalogue.GRADING_SCALE_NAME)
        self.bulk(
            GradeBand,
            [
                GradeBand(scale=self.scale, label=label, min_percent=Decimal(minimum))
                for label, minimum in catalogue.GRADE_BANDS
            ],
            "grade_bands",
        )

    # --- People

    def birth_date(self, grade: int, *, retained: bool = False) -> datetime.date:
        """A birthday that puts a child in `grade` this year: 5 by 1 September for
        kindergarten (Connecticut's cut-off), a year older when held back."""
        start = datetime.date(self.year.start_year - 6 - grade - int(retained), 9, 2)
        return start + datetime.timedelta(days=self.rng.randrange(365))

    def new_pupil(
        self,
        *,
        first: str,
        last: str,
        grade: int,
        born: datetime.date,
        middle: str = "",
        preferred_first: str = "",
        preferred_last: str = "",
    ) -> Pupil:
        row = Student(
            sourced_id=self.sourced_id(),
            local_id=str(self._next_local_id),
            state_id=self.state_id(),
            legal_first_name=first,
            legal_middle_name=middle,
            legal_last_name=last,
            preferred_first_name=preferred_first,
            preferred_last_name=preferred_last,
            date_of_birth=born,
            grade_level=catalogue.grade_code(grade),
        )
        self._next_local_id += 1
        if grade >= 6:
            shown_first = preferred_first or first
            row.email = (
                f"{names.ascii_fold(shown_first)}.{names.ascii_fold(last)}{row.local_id[-3:]}"
                "@students.example.org"
            )
        pupil = Pupil(
            row=row,
            grade=grade,
            school=self.schools[_school_kind_for(grade)],
            entry=self.year.first_day,
        )
        pupil.school.pupils.append(pupil)
        self.pupils.append(pupil)
        return pupil

    def new_guardian(
        self, *, first: str, last: str, language: str = "en", email: bool = True
    ) -> Guardian:
        row = Guardian(
            sourced_id=self.sourced_id(),
            first_name=first,
            last_name=last,
            email=self.personal_email(first, last) if email else "",
            phone=self.phone(),
            address=self.address(),
            preferred_language=language,
        )
        self.guardians.append(row)
        return row

    def new_link(
        self,
        guardian: Guardian,
        pupil: Pupil,
        *,
        relationship: str,
        order: int,
        activated_at: datetime.datetime | None,
        custody: bool = True,
        lives_with: bool = True,
    ) -> GuardianLink:
        row = GuardianLink(
            sourced_id=self.sourced_id(),
            guardian=guardian,
            student=pupil.row,
            relationship=relationship,
            has_custody=custody,
            lives_with=lives_with,
            educational_rights=True,
            emergency_contact_order=order,
            portal_status=(
                GuardianLink.PortalStatus.ACTIVE
                if activated_at
                else GuardianLink.PortalStatus.NOT_ACTIVATED
            ),
            activated_at=activated_at,
        )
        self.links.append(row)
        return row

    def activation_moment(self) -> datetime.datetime:
        """When a guardian activated the portal: in an earlier year, or in the first weeks
        of this one, in the evening."""
        low = self.year.first_day - datetime.timedelta(days=700)
        high = min(
            self.today - datetime.timedelta(days=1),
            self.year.first_day + datetime.timedelta(days=20),
        )
        day = low + datetime.timedelta(days=self.rng.randrange(max(1, (high - low).days + 1)))
        return self.at(
            day, self.rng.randrange(18, 23), self.rng.randrange(60), self.rng.randrange(60)
        )

    def plan_people(self) -> None:
        self.plan_persona_families()
        self.plan_generated_families()
        self.plan_entries_and_exits()

    def plan_persona_families(self) -> None:
        start = self.year.start_year
        activated = self.at(self.year.first_day - datetime.timedelta(days=372), 19, 42)

        def born(grade: int, month: int, day: int) -> datetime.date:
            return datetime.date(start - 5 - grade, month, day)

        sofia = self.new_pupil(
            first="Sofia", middle="Isabel", last="Lopez", grade=10, born=born(10, 4, 17)
        )
        sofia.persona, sofia.chosen = "sofia", {"math": "ALG2", "science": "CHEM"}
        sofia.ability, sofia.absence_rate, sofia.tardy_rate = 0.87, 0.0, 0.0
        # Her flags are placed by hand (records._sofias_flags), none at random.
        sofia.missing_rate = sofia.late_rate = sofia.exempt_rate = sofia.incomplete_rate = 0.0
        mateo = self.new_pupil(
            first="Mateo", middle="José", last="Lopez", grade=6, born=born(6, 1, 9)
        )
        mateo.persona, mateo.ability = "mateo", 0.95
        mateo.absence_rate = mateo.tardy_rate = 0.0
        mateo.missing_rate = mateo.late_rate = mateo.exempt_rate = mateo.incomplete_rate = 0.0
        maria = self.new_guardian(first="Maria", last="Lopez", language="es")
        david = self.new_guardian(first="David", last="Lopez")
        for child in (sofia, mateo):
            self.new_link(maria, child, relationship="mother", order=1, activated_at=activated)
            self.new_link(
                david,
                child,
                relationship="father",
                order=2,
                activated_at=activated + datetime.timedelta(days=3, hours=1),
                custody=False,
                lives_with=False,
            )

        emma = self.new_pupil(
            first="Emma", middle="Grace", last="Brooks", grade=8, born=born(8, 6, 2)
        )
        emma.persona, emma.ability = "emma", 0.83
        kevin = self.new_guardian(first="Kevin", last="Brooks")
        jennifer = self.new_guardian(first="Jennifer", last="Brooks")
        self.new_link(jennifer, emma, relationship="mother", order=1, activated_at=None)
        self.new_link(
            kevin,
            emma,
            relationship="father",
            order=2,
            activated_at=activated - datetime.timedelta(days=30),
            custody=False,
            lives_with=False,
        )

        noah = self.new_pupil(first="Noah", last="Chen", grade=11, born=born(11, 2, 21))
        noah.persona, noah.ability = "noah", 0.9
        linda = self.new_guardian(first="Linda", last="Chen")
        michael = self.new_guardian(first="Michael", last="Chen", email=False)
        michael.address = linda.address
        self.new_link(linda, noah, relationship="mother", order=1, activated_at=activated)
        self.new_link(michael, noah, relationship="father", order=2, activated_at=None)

        daniel = self.new_pupil(first="Daniel", last="Kim", grade=7, born=born(7, 5, 30))
        daniel.persona = "daniel"
        self.plan_daniels_withdrawal(daniel)
        grace = self.new_guardian(first="Grace", last="Kim")
        self.new_link(grace, daniel, relationship="mother", order=1, activated_at=activated)

        # Alex turned 18 about two months ago.
        birthday = self.today - datetime.timedelta(days=64)
        alex_born = birthday.replace(year=birthday.year - 18, day=min(birthday.day, 28))
        alex = self.new_pupil(
            first="Alejandro",
            preferred_first="Alex",
            middle="Luis",
            last="Rivera",
            grade=12,
            born=alex_born,
        )
        alex.persona, alex.ability, alex.absence_rate = "alex", 0.78, 0.05
        alex.chosen = {"math": "PRECALC"}
        rosa = self.new_guardian(first="Rosa", last="Rivera")
        self.new_link(rosa, alex, relationship="mother", order=1, activated_at=activated)

        self.persona_pupils = {p.persona: p for p in (sofia, mateo, emma, noah, daniel, alex)}
        self.persona_guardians = {
            "maria": maria,
            "david": david,
            "kevin": kevin,
            "linda": linda,
            "grace": grace,
            "rosa": rosa,
        }

    def plan_daniels_withdrawal(self, daniel: Pupil) -> None:
        """Daniel's only enrollment ended last month: on a school day of that month, or,
        when last month was summer, over the summer after last school year."""
        last_month_end = self.today.replace(day=1) - datetime.timedelta(days=1)
        last_month_start = last_month_end.replace(day=1)
        days = [
            d
            for d in self.year.instructional_days
            if last_month_start <= d <= last_month_end and d < self.today
        ]
        if days:
            daniel.exit = days[len(days) // 2]
        else:
            daniel.entry = first_day_of_school(self.year.start_year - 1)
            exit_day = last_month_start + datetime.timedelta(days=14)
            while exit_day.weekday() >= 5:
                exit_day += datetime.timedelta(days=1)
            daniel.exit = exit_day
        daniel.exit_reason = Enrollment.ExitReason.TRANSFER_OUT

    def plan_generated_families(self) -> None:
        rng = self.rng
        made = 0
        while made < self.student_count:
            group = self.pick(names.GROUP_WEIGHTS)
            surname = rng.choice(names.SURNAMES[group])
            size = min(self.pick([(1, 45), (2, 36), (3, 14), (4, 5)]), self.student_count - made)
            spanish = group == names.HISPANIC and rng.random() < 0.55
            language = "es" if spanish else "en"

            # The adults first: who they are, whether they live together. Each is
            # (guardian, relationship, has custody, the children live with them).
            adults: list[tuple[Guardian, str, bool, bool]] = []
            kind = self.pick([("couple", 0.56), ("apart", 0.16), ("single", 0.25), ("kin", 0.03)])
            if kind in ("couple", "apart"):
                same_sex = rng.random() < 0.04
                first_sex = "F"
                second_sex = "F" if same_sex else "M"
                mother_name = surname
                if rng.random() < 0.25:
                    mother_name = rng.choice(names.SURNAMES[group])
                relation_one = "parent" if same_sex else "mother"
                relation_two = "parent" if same_sex else "father"
                one = self.new_guardian(
                    first=rng.choice(names.ADULT_FIRST[group][first_sex]),
                    last=mother_name,
                    language=language,
                    email=rng.random() < 0.93,
                )
                two = self.new_guardian(
                    first=rng.choice(names.ADULT_FIRST[group][second_sex]),
                    last=surname,
                    language=language,
                    email=rng.random() < 0.9,
                )
                if kind == "couple":
                    two.address = one.address  # one household
                    adults = [(one, relation_one, True, True), (two, relation_two, True, True)]
                elif rng.random() < 0.5:
                    # Joint custody: the children live in two households.
                    adults = [(one, relation_one, True, True), (two, relation_two, True, True)]
                else:
                    adults = [(one, relation_one, True, True), (two, relation_two, False, False)]
                if rng.random() < 0.5:
                    adults.reverse()
            elif kind == "single":
                sex = "F" if rng.random() < 0.78 else "M"
                adult = self.new_guardian(
                    first=rng.choice(names.ADULT_FIRST[group][sex]),
                    last=surname,
                    language=language,
                    email=rng.random() < 0.92,
                )
                adults = [(adult, "mother" if sex == "F" else "father", True, True)]
            else:
                adult = self.new_guardian(
                    first=rng.choice(names.ADULT_FIRST[group]["F"]),
                    last=surname,
                    language=language,
                    email=rng.random() < 0.8,
                )
                adults = [(adult, self.pick([("guardian", 0.7), ("relative", 0.3)]), True, True)]

            activation = {
                id(g): (
                    self.activation_moment()
                    if rng.random() < (0.62 if not custody else 0.8)
                    else None
                )
                for g, _relation, custody, _lives in adults
            }
            # A relative raising the children is a contact on file, not a parent: the
            # portal is for parents and guardians only (policy 1110.2), so no code is used.
            for g, relation, _custody, _lives in adults:
                if relation not in GuardianLink.PARENTAL:
                    activation[id(g)] = None

            grades: list[int] = []
            for _ in range(size):
                grade = rng.randrange(13)
                if grade in grades and rng.random() > 0.05:  # twins are rare
                    grade = rng.randrange(13)
                grades.append(grade)
            for grade in sorted(grades):
                sex = "F" if rng.random() < 0.49 else "M"
                first = rng.choice(names.CHILD_FIRST[group][sex])
                if rng.random() < 0.2:
                    first = rng.choice(names.CHILD_FIRST[self.pick(names.GROUP_WEIGHTS)][sex])
                last = surname
                if group == names.HISPANIC and rng.random() < 0.1:
                    last = f"{surname}-{rng.choice(names.SURNAMES[group])}"
                preferred = names.NICKNAMES.get(first, "") if rng.random() < 0.5 else ""
                pupil = self.new_pupil(
                    first=first,
                    last=last,
                    middle=rng.choice(names.MIDDLE[sex]) if rng.random() < 0.6 else "",
                    preferred_first=preferred,
                    grade=grade,
                    born=self.birth_date(grade, retained=rng.random() < 0.03),
                )
                self.draw_habits(pupil)
                for order, (guardian, relation, custody, lives) in enumerate(adults, start=1):
                    self.new_link(
                        guardian,
                        pupil,
                        relationship=relation,
                        order=order,
                        activated_at=activation[id(guardian)],
                        custody=custody,
                        lives_with=lives,
                    )
                made += 1

    def draw_habits(self, pupil: Pupil) -> None:
        """How a student does: ability, and how often absent, late, missing work.

        Absence is skewed: most students miss a few days, about one in seven misses many
        (Connecticut's chronic absence: 10 % or more of enrolled days).
        """
        rng = self.rng
        pupil.ability = min(0.99, max(0.45, rng.gauss(0.84, 0.08)))
        if rng.random() < 0.15:
            pupil.absence_rate = rng.betavariate(3, 14)
        else:
            pupil.absence_rate = rng.betavariate(1.2, 40)
        pupil.tardy_rate = rng.betavariate(1, 32)
        pupil.missing_rate = rng.betavariate(1, 24) * (1.6 if pupil.ability < 0.75 else 1.0)
        pupil.late_rate = rng.betavariate(1.2, 22)

    def plan_entries_and_exits(self) -> None:
        """A few students arrive after the first day, a few leave before today."""
        first = self.year.first_day
        for pupil in self.pupils:
            if pupil.persona:
                continue
            roll = self.rng.random()
            if roll < 0.03:
                day = self.school_day_between(first + datetime.timedelta(days=7), self.today)
                if day:
                    pupil.entry = day
            elif roll < 0.05:
                day = self.school_day_between(
                    first + datetime.timedelta(days=14), self.today - datetime.timedelta(days=1)
                )
                if day:
                    pupil.exit = day
                    pupil.exit_reason = self.pick(
                        [
                            (Enrollment.ExitReason.TRANSFER_OUT, 0.6),
                            (Enrollment.ExitReason.WITHDRAWN, 0.3),
                            (Enrollment.ExitReason.OTHER, 0.1),
                        ]
                    )

    # --- Timetables

    def in_this_year(self, pupil: Pupil) -> bool:
        return pupil.exit is None or pupil.exit >= self.year.first_day

    def plan_timetables(self) -> None:
        sofia = self.persona_pupils["sofia"]
        taylor = TeacherSlot(department=catalogue.MATH, persona="taylor")
        grant = TeacherSlot(department=catalogue.MATH, persona="grant", avoid=sofia)

        high = self.schools[HIGH]
        requests = [
            (p, catalogue.high_school_units(p.grade, self.rng, p.chosen))
            for p in high.pupils
            if self.in_this_year(p)
        ]
        high.offerings = place_students(
            units=catalogue.UNITS[HIGH], requests=requests, period_count=len(high.periods)
        )
        sofias_algebra = next(
            o for o in high.offerings if o.unit.key == "ALG2" and sofia in o.students
        )
        high_slots = assign_teachers(
            high.offerings, preset=[taylor, grant], pinned={sofias_algebra: taylor}
        )

        middle = self.schools[MIDDLE]
        requests = [
            (p, catalogue.middle_school_units(p.grade, self.rng))
            for p in middle.pupils
            if self.in_this_year(p)
        ]
        middle.offerings = place_students(
            units=catalogue.UNITS[MIDDLE], requests=requests, period_count=len(middle.periods)
        )
        middle_slots = assign_teachers(middle.offerings)

        elementary = self.schools[ELEMENTARY]
        elementary_slots = []
        units = catalogue.UNITS[ELEMENTARY]
        for grade in elementary.grades:
            children = [p for p in elementary.pupils if p.grade == grade and self.in_this_year(p)]
            if not children:
                continue
            rooms = math.ceil(len(children) / HOMEROOM_SIZE)
            for n in range(rooms):
                slot = TeacherSlot(department=catalogue.CLASSROOM)
                for key, block in catalogue.elementary_units(grade):
                    offering = Offering(unit=units[key], period=block)
                    offering.students = children[n::rooms]
                    elementary.offerings.append(offering)
                    slot.take(offering)
                elementary_slots.append(slot)

        for plan, slots in (
            (high, high_slots),
            (middle, middle_slots),
            (elementary, elementary_slots),
        ):
            for offering in plan.offerings:
                for pupil in offering.students:
                    pupil.offerings.append(offering)
            self.staff_teachers(plan, slots)

    # --- Staff

    def new_staff(
        self,
        *,
        first: str,
        last: str,
        honorific: str,
        roles: list[tuple[str, SchoolPlan | None]],
        username: str | None = None,
    ) -> StaffMember:
        hired = datetime.date(
            self.year.start_year - self.rng.randrange(0, 26), 8, self.rng.randrange(10, 25)
        )
        username = username or self.username(first, last)
        email = f"{names.ascii_fold(first)}.{names.ascii_fold(last)}"
        email_address = f"{email}@staff.example.org"
        n = 1
        while email_address in self._emails:
            n += 1
            email_address = f"{email}{n}@staff.example.org"
        self._emails.add(email_address)
        district_roles = {
            StaffRole.Role.REGISTRAR,
            StaffRole.Role.DISTRICT_ADMINISTRATOR,
            StaffRole.Role.TECHNOLOGY,
        }
        user = User(
            username=username,
            password=self.password_hash,
            first_name=first,
            last_name=last,
            email=email_address,
            is_staff=any(role in district_roles for role, _ in roles),
            date_joined=self.at(hired, 9, 0),
        )
        row = Staff(
            sourced_id=self.sourced_id(),
            honorific=honorific,
            first_name=first,
            last_name=last,
            email=email_address,
            identifier=f"E{self._next_employee_id}",
            user=user,
        )
        self._next_employee_id += 1
        member = StaffMember(row=row, user=user, roles=roles, hired=hired)
        self.staff.append(member)
        self.users.append(user)
        return member

    def random_adult(self) -> tuple[str, str, str]:
        group = self.pick(names.GROUP_WEIGHTS)
        sex = "F" if self.rng.random() < 0.7 else "M"  # teaching is mostly women
        first = self.rng.choice(names.ADULT_FIRST[group][sex])
        last = self.rng.choice(names.SURNAMES[group])
        roll = self.rng.random()
        honorific = (
            "Dr." if roll < 0.04 else "Mx." if roll < 0.06 else "Ms." if sex == "F" else "Mr."
        )
        return first, last, honorific

    def staff_teachers(self, plan: SchoolPlan, slots: list[TeacherSlot]) -> None:
        fixed = {
            "taylor": ("Rachel", "Taylor", "Ms."),
            "grant": ("Marcus", "Grant", "Mr."),
        }
        rooms_used: dict[str, int] = {}
        for slot in slots:
            if slot.persona:
                first, last, honorific = fixed[slot.persona]
            else:
                first, last, honorific = self.random_adult()
            member = self.new_staff(
                first=first,
                last=last,
                honorific=honorific,
                roles=[(StaffRole.Role.TEACHER, plan)],
                username=slot.persona or None,
            )
            department = slot.department
            rooms_used[department] = rooms_used.get(department, 0) + 1
            if department == catalogue.CLASSROOM:
                grade = int(slot.offerings[0].students[0].grade)
                rooms_used[f"grade{grade}"] = rooms_used.get(f"grade{grade}", 0) + 1
                room = str(100 * (grade + 1) + rooms_used[f"grade{grade}"])
            else:
                n = rooms_used[department]
                room = _ROOMS[department].format(n=n, wing=100 + n)
            plan.teachers.append(Teacher(member=member, slot=slot, room=room))
            if slot.persona:
                self.persona_users[slot.persona] = member.user

    def plan_staff(self) -> None:
        for kind, plan in self.schools.items():
            if kind == HIGH:
                principal = self.new_staff(
                    first="Adaeze",
                    last="Okafor",
                    honorific="Ms.",
                    roles=[(StaffRole.Role.SCHOOL_ADMINISTRATOR, plan)],
                    username="okafor",
                )
                self.persona_users["okafor"] = principal.user
            else:
                first, last, honorific = self.random_adult()
                self.new_staff(
                    first=first,
                    last=last,
                    honorific=honorific,
                    roles=[(StaffRole.Role.SCHOOL_ADMINISTRATOR, plan)],
                )
            first, last, honorific = self.random_adult()
            plan.clerk = self.new_staff(
                first=first,
                last=last,
                honorific=honorific,
                roles=[(StaffRole.Role.ATTENDANCE_CLERK, plan)],
            )
        pat = self.new_staff(
            first="Pat",
            last="Morgan",
            honorific="",
            roles=[(StaffRole.Role.REGISTRAR, None)],
            username="pat",
        )
        sam = self.new_staff(
            first="Sam",
            last="Ito",
            honorific="",
            roles=[(StaffRole.Role.TECHNOLOGY, None)],
            username="sam",
        )
        self.persona_users["pat"], self.persona_users["sam"] = pat.user, sam.user
        self.random_adult()  # drawn as before, so the district that follows is the same
        lee = self.new_staff(
            first="Jordan",
            last="Lee",
            honorific="Dr.",
            roles=[(StaffRole.Role.DISTRICT_ADMINISTRATOR, None)],
            username="lee",
        )
        self.persona_users["lee"] = lee.user
        first, last, honorific = self.random_adult()
        self.new_staff(
            first=first,
            last=last,
            honorific=honorific,
            roles=[(StaffRole.Role.TECHNOLOGY, None)],
        )
        # The counselor came later than the rest of the cast: drawn from a stream of his
        # own, so adding him moved nothing else in the district.
        main, self.rng = self.rng, random.Random(f"{self.seed}:counselor")
        ruiz = self.new_staff(
            first="Luis",
            last="Ruiz",
            honorific="Mr.",
            roles=[(StaffRole.Role.COUNSELOR, self.schools[HIGH])],
            username="ruiz",
        )
        self.rng = main
        self.persona_users["ruiz"] = ruiz.user
        self.counselor = ruiz

    # --- Writing the people

    def save_people(self) -> None:
        guardian_users: list[User] = []
        active = {id(link.guardian) for link in self.links if link.activated_at}
        first_activation: dict[int, datetime.datetime] = {}
        for link in self.links:
            if link.activated_at:
                key = id(link.guardian)
                first_activation[key] = min(
                    first_activation.get(key, link.activated_at), link.activated_at
                )
        persona_by_guardian = {id(g): name for name, g in self.persona_guardians.items()}
        for guardian in self.guardians:
            if id(guardian) not in active:
                continue
            username = persona_by_guardian.get(id(guardian)) or self.username(
                guardian.first_name, guardian.last_name
            )
            user = User(
                username=username,
                password=self.password_hash,
                first_name=guardian.first_name,
                last_name=guardian.last_name,
                email=guardian.email,
                preferred_language=guardian.preferred_language,
                date_joined=first_activation[id(guardian)],
            )
            guardian.user = user
            guardian_users.append(user)
            if username in self.persona_guardians:
                self.persona_users[username] = user
        student_users = []
        for name in ("sofia", "alex"):
            pupil = self.persona_pupils[name]
            user = User(
                username=name,
                password=self.password_hash,
                first_name=pupil.row.first_name,
                last_name=pupil.row.last_name,
                email=pupil.row.email,
                date_joined=self.at(self.year.first_day, 10, 5),
            )
            pupil.row.user = user
            student_users.append(user)
            self.persona_users[name] = user

        self.bulk(User, self.users + guardian_users + student_users, "users")
        self.users += guardian_users + student_users
        group_for: dict[str, str] = {
            StaffRole.Role.REGISTRAR: REGISTRAR,
            StaffRole.Role.DISTRICT_ADMINISTRATOR: DISTRICT_ADMINISTRATOR,
            StaffRole.Role.TECHNOLOGY: TECHNOLOGY,
        }
        if Group.objects.filter(name__in=group_for.values()).count() < len(group_for):
            # Made by migrate's post_migrate handler; made here too for a database built
            # another way.
            sync_groups()
        groups = {group.name: group for group in Group.objects.filter(name__in=group_for.values())}
        memberships = [
            User.groups.through(user_id=member.user.pk, group_id=groups[group_for[role]].pk)
            for member in self.staff
            for role, _school in member.roles
            if role in group_for
        ]
        User.groups.through.objects.bulk_create(memberships)

        self.bulk(Student, [p.row for p in self.pupils], "students")
        self.bulk(Guardian, self.guardians, "guardians")
        self.bulk(Staff, [m.row for m in self.staff], "staff")
        self.bulk(
            StaffRole,
            [
                StaffRole(
                    staff=member.row,
                    role=role,
                    school=school.row if school else None,
                    start_date=member.hired,
                )
                for member in self.staff
                for role, school in member.roles
            ],
            "staff_roles",
        )
        self.bulk(GuardianLink, self.links, "guardian_links")
        self.bulk(
            Enrollment,
            [
                Enrollment(
                    sourced_id=self.sourced_id(),
                    student=pupil.row,
                    school=pupil.school.row,
                    grade_level=pupil.row.grade_level,
                    entry_date=pupil.entry,
                    exit_date=pupil.exit,
                    exit_reason=pupil.exit_reason,
                )
                for pupil in self.pupils
            ],
            "enrollments",
        )

    # --- Writing the classes

    def section_span(
        self, offering: Offering, course: catalogue.Course
    ) -> tuple[datetime.date, datetime.date]:
        session = self.sessions[course.term]
        return session.start_date, session.end_date

    def save_classes(self) -> None:
        courses: dict[tuple[str, str], Course] = {}
        for plan in self.schools.values():
            for offering in plan.offerings:
                for spec in offering.unit.courses:
                    if (plan.kind, spec.code) not in courses:
                        courses[plan.kind, spec.code] = Course(
                            sourced_id=self.sourced_id(),
                            school=plan.row,
                            school_year=self.sessions["year"],
                            title=spec.title,
                            code=spec.code,
                            subject=spec.subject,
                        )
        self.bulk(Course, list(courses.values()), "courses")

        sections: list[Section] = []
        terms = []
        teachers = []
        meetings = []
        rosters = []
        numbers: dict[tuple[str, str], int] = {}
        for plan in self.schools.values():
            room_of = {id(t.slot): t for t in plan.teachers}
            periods = {p.sequence: p for p in plan.periods}
            for offering in plan.offerings:
                teacher = room_of[id(offering.teacher)]
                for spec in offering.unit.courses:
                    numbers[plan.kind, spec.code] = numbers.get((plan.kind, spec.code), 0) + 1
                    term = self.sessions[spec.term]
                    start, end = term.start_date, term.end_date
                    section = Section(
                        sourced_id=self.sourced_id(),
                        course=courses[plan.kind, spec.code],
                        school=plan.row,
                        code=f"{numbers[plan.kind, spec.code]:02d}",
                        room=teacher.room,
                        start_date=start,
                        end_date=end,
                    )
                    sections.append(section)
                    offering.sections.append(section)
                    terms.append((section, self.sessions[spec.term]))
                    teachers.append(
                        SectionTeacher(section=section, staff=teacher.member.row, role="primary")
                    )
                    for weekday in spec.weekdays:
                        meetings.append(
                            SectionMeeting(
                                section=section, period=periods[offering.period], weekday=weekday
                            )
                        )
                    for pupil in offering.students:
                        first = max(start, pupil.entry)
                        last = end if pupil.exit is None else min(end, pupil.exit)
                        if first <= last:
                            rosters.append(
                                Roster(
                                    sourced_id=self.sourced_id(),
                                    section=section,
                                    student=pupil.row,
                                    start_date=first,
                                    end_date=last,
                                )
                            )
        self.bulk(Section, sections, "sections")
        Section.terms.through.objects.bulk_create(
            [
                Section.terms.through(section_id=section.pk, academicsession_id=session.pk)
                for section, session in terms
            ],
            batch_size=BATCH_SIZE,
        )
        self.bulk(SectionTeacher, teachers, "section_teachers")
        self.bulk(SectionMeeting, meetings, "section_meetings")
        self.bulk(Roster, rosters, "rosters")

    # --- The counselor's caseload

    def save_caseload(self) -> None:
        """Mr. Ruiz counsels Noah and about one high-school student in twenty, never Sofia:
        her record asks him for a reason (R12). Drawn from a stream of its own."""
        draw = random.Random(f"{self.seed}:caseload")
        high = self.schools[HIGH]
        chosen = [self.persona_pupils["noah"]] + [
            pupil
            for pupil in self.pupils
            if pupil.school is high
            and not pupil.persona
            and pupil.enrolled_on(self.today)
            and draw.random() < 0.05
        ]
        CaseloadEntry.objects.bulk_create(
            CaseloadEntry(
                staff=self.counselor.row,
                student=pupil.row,
                start_date=self.year.first_day,
            )
            for pupil in chosen
        )
        self.counts["caseload"] = len(chosen)

    # --- Restrictions and consents

    def save_policy_records(self) -> None:
        pat = self.persona_users["pat"]
        starts_on = self.today - datetime.timedelta(days=42)
        docket = f"FA-{starts_on.year % 100:02d}-{self.rng.randrange(6000000, 6100000)}"
        Restriction.objects.create(
            guardian=self.persona_guardians["kevin"],
            student=self.persona_pupils["emma"].row,
            reason=Restriction.Reason.COURT_ORDER,
            document_reference=f"Superior Court order {docket}",
            starts_on=starts_on,
            ends_on=None,
            whole_record=True,
            note="Protective order: no contact and no access to school records. "
            "Certified copy in the main office file.",
            placed_by=pat,
            placed_at=self.at(starts_on, 10, 15),
        )
        self.counts["restrictions"] = 1
        self.save_caseload()

        # Other students who are 18 already: most families have consent or a dependency
        # certification on file, so the rule that hides Alex is visibly the exception.
        consents = []
        certifications = []
        by_student: dict[int, list[GuardianLink]] = {}
        for link in self.links:
            by_student.setdefault(id(link.student), []).append(link)
        for pupil in self.pupils:
            if pupil.persona:
                continue
            born = pupil.row.date_of_birth
            eighteen = born.replace(year=born.year + 18, day=min(born.day, 28))
            if eighteen > self.today:
                continue
            signed_on = max(eighteen, self.year.first_day)
            if signed_on > self.today:
                signed_on = eighteen
            for link in by_student[id(pupil.row)]:
                if not link.activated_at:
                    continue
                roll = self.rng.random()
                if roll < 0.55:
                    consents.append(
                        StudentConsent(
                            student=pupil.row,
                            guardian=link.guardian,
                            purpose="Parent Portal access for my parent or guardian",
                            signed_on=signed_on,
                            recorded_by=pat,
                            recorded_at=self.at(signed_on, 11, self.rng.randrange(60)),
                        )
                    )
                elif roll < 0.75:
                    tax_year = self.today.year - 1
                    certifications.append(
                        DependencyCertification(
                            student=pupil.row,
                            guardian=link.guardian,
                            tax_year=tax_year,
                            expires_on=datetime.date(tax_year + 2, 4, 15),
                            document_reference=f"{tax_year} federal tax return, dependants "
                            "page (copy on file)",
                            recorded_by=pat,
                            recorded_at=self.at(signed_on, 13, self.rng.randrange(60)),
                        )
                    )
        self.bulk(StudentConsent, consents, "student_consents")
        self.bulk(DependencyCertification, certifications, "dependency_certifications")
