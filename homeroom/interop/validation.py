"""Reading a OneRoster 1.2 CSV package into typed rows, or into the list of what is wrong.

Pure: a package goes in, a `Package` of rows and a list of `Problem`s come out; nothing is
read from or written to the database. Every problem of the package is found in one pass and
reported as ``file:line: what is wrong, expected what``. References between files and to what
Homeroom already holds are checked next, by `importer.Planner`, in the same format.
"""

import dataclasses
import datetime
import functools
import operator
import re
from collections.abc import Callable, Generator, Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from homeroom.interop.csvio import CsvError, Source, read_records
from homeroom.lib import oneroster as spec

# Past this many, problems are counted but not kept: a broken file of a million rows would
# otherwise report a million lines.
MAX_PROBLEMS = 5000
TWO_PLACES = Decimal("0.01")

# Homeroom's grade levels (sis.GradeLevel), in order.
HOMEROOM_GRADES = ("PK", "KG", *(f"{n:02d}" for n in range(1, 13)))

_DATE = re.compile(
    r"(\d{4}-\d{2}-\d{2})"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_USER_IDS = re.compile(r"\{[^{}]*\}(?:\s*,\s*\{[^{}]*\})*")
_USER_ID = re.compile(r"\{([^{}:]*):([^{}]*)\}")
_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")


@dataclasses.dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class Problems:
    """The problems found so far, kept up to MAX_PROBLEMS and counted beyond."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.count = 0
        # A file could not be read whole (manifest, header, broken CSV): the rows read are
        # not the package, so references between files are not checked, to spare a list of
        # problems that are only echoes of the first.
        self.structural = False

    def add_structural(self, file: str, line: int, message: str) -> None:
        self.structural = True
        self.add(file, line, message)

    def add(self, file: str, line: int, message: str) -> None:
        self.count += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(Problem(file, line, message))

    def __bool__(self) -> bool:
        return self.count > 0

    def sorted(self) -> list[Problem]:
        return sorted(self.kept, key=lambda p: (_FILE_ORDER.get(p.file, 99), p.file, p.line))


_FILE_ORDER = {"manifest.csv": 0, **{s.filename: n for n, s in enumerate(spec.SPECS.values(), 1)}}


# --- Rows -------------------------------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class Row:
    line: int
    sourced_id: str
    deleted: bool
    modified: datetime.datetime | None


@dataclasses.dataclass(slots=True)
class OrgRow(Row):
    name: str = ""
    type: str = ""
    identifier: str = ""
    parent: str = ""


@dataclasses.dataclass(slots=True)
class SessionRow(Row):
    title: str = ""
    type: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None
    parent: str = ""
    school_year: int = 0


@dataclasses.dataclass(slots=True)
class CourseRow(Row):
    year: str = ""
    title: str = ""
    code: str = ""
    org: str = ""
    subject: str = ""


@dataclasses.dataclass(slots=True)
class ClassRow(Row):
    course: str = ""
    code: str = ""
    location: str = ""
    school: str = ""
    terms: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()


@dataclasses.dataclass(slots=True)
class UserRow(Row):
    given: str = ""
    family: str = ""
    middle: str = ""
    preferred_given: str = ""
    preferred_family: str = ""
    identifier: str = ""
    email: str = ""
    phone: str = ""
    sasid: str = ""
    agents: tuple[str, ...] = ()
    grade: str = ""


@dataclasses.dataclass(slots=True)
class RoleRow(Row):
    user: str = ""
    role_type: str = ""
    role: str = ""
    begin: datetime.date | None = None
    end: datetime.date | None = None
    org: str = ""


@dataclasses.dataclass(slots=True)
class EnrollmentRow(Row):
    klass: str = ""
    school: str = ""
    user: str = ""
    role: str = ""
    primary: bool = False
    begin: datetime.date | None = None
    end: datetime.date | None = None


@dataclasses.dataclass(slots=True)
class DemographicRow(Row):
    birth_date: datetime.date | None = None


@dataclasses.dataclass(slots=True)
class CategoryRow(Row):
    title: str = ""
    weight: Decimal | None = None
    klass: str = ""
    drop_lowest: int = 0


@dataclasses.dataclass(slots=True)
class LineItemRow(Row):
    title: str = ""
    description: str = ""
    assigned: datetime.date | None = None
    due: datetime.date | None = None
    klass: str = ""
    category: str = ""
    grading_period: str = ""
    points_possible: Decimal | None = None


@dataclasses.dataclass(slots=True)
class ResultRow(Row):
    line_item: str = ""
    student: str = ""
    status: str = ""
    score: Decimal | None = None
    score_date: datetime.date | None = None
    comment: str = ""
    incomplete: bool = False
    late: bool = False
    missing: bool = False


@dataclasses.dataclass
class Package:
    """A package read without fault: its modes and its rows, file by file."""

    modes: dict[str, str]
    system_name: str = ""
    system_code: str = ""
    rows: dict[str, list[Any]] = dataclasses.field(default_factory=dict)
    # The columns each file's header named.
    columns: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    # Rows of declared files that Homeroom has no place for.
    ignored: dict[str, int] = dataclasses.field(default_factory=dict)

    def mode(self, name: str) -> str:
        return self.modes.get(name, spec.ABSENT)

    def present(self, name: str) -> bool:
        return self.mode(name) != spec.ABSENT

    def of(self, name: str) -> list[Any]:
        return self.rows.get(name, [])


@dataclasses.dataclass
class Reading:
    """The rows read, and the problems found. `package` is None only when the manifest could
    not be read; with problems, its rows are still there so that references can be checked
    too, and every problem reported at once."""

    package: Package | None
    problems: Problems


# --- Values -----------------------------------------------------------------------------------


def parse_date(value: str) -> datetime.date:
    """A date, written YYYY-MM-DD, with or without a time after it (the date as written)."""
    match = _DATE.fullmatch(value)
    if match is None:
        raise ValueError(value)
    day = datetime.date.fromisoformat(match.group(1))
    if match.group(2) is not None:
        _time_of(match)
    return day


def _time_of(match: re.Match[str]) -> datetime.time:
    hour, minute = int(match.group(2)), int(match.group(3))
    second = int(match.group(4) or 0)
    fraction = (match.group(5) or "")[:6].ljust(6, "0")
    return datetime.time(hour, minute, second, int(fraction))


def parse_datetime(value: str) -> datetime.datetime:
    """An ISO 8601 moment; without a zone it is UTC (as OneRoster writes), a date alone is
    its midnight UTC."""
    match = _DATE.fullmatch(value)
    if match is None:
        raise ValueError(value)
    day = datetime.date.fromisoformat(match.group(1))
    if match.group(2) is None:
        return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
    moment = datetime.datetime.combine(day, _time_of(match))
    zone = match.group(6)
    if zone is None or zone == "Z":
        return moment.replace(tzinfo=datetime.UTC)
    sign = 1 if zone[0] == "+" else -1
    digits = zone[1:].replace(":", "")
    offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    if offset >= datetime.timedelta(hours=24):
        raise ValueError(value)
    return moment.replace(tzinfo=datetime.timezone(sign * offset)).astimezone(datetime.UTC)


def parse_decimal(value: str) -> Decimal:
    if _DECIMAL.fullmatch(value) is None:
        raise ValueError(value)
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(value) from None


# A district's files repeat the same dates, moments and scores on millions of rows.
_cached_date = functools.lru_cache(maxsize=65536)(parse_date)
_cached_datetime = functools.lru_cache(maxsize=65536)(parse_datetime)
_cached_decimal = functools.lru_cache(maxsize=65536)(parse_decimal)


def parse_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


# --- One file ---------------------------------------------------------------------------------


class _File:
    """Reads one data file: the header, then each row's values by column name."""

    def __init__(self, file_spec: spec.FileSpec, mode: str, problems: Problems) -> None:
        self.spec = file_spec
        self.filename = file_spec.filename
        self.mode = mode
        self.problems = problems
        self.index: dict[str, int] = {}
        self.width = 0
        self.line = 0
        self.values: list[str] = []
        self.seen: dict[str, int] = {}

    def problem(self, message: str, line: int | None = None) -> None:
        self.problems.add(self.filename, self.line if line is None else line, message)

    def broken(self, message: str, line: int) -> None:
        self.problems.add_structural(self.filename, line, message)

    def header(self, names: list[str]) -> bool:
        names = [name.strip() for name in names]
        self.width = len(names)
        ok = True
        known = {c.lower(): c for c in self.spec.columns}
        for n, name in enumerate(names):
            if name in self.index:
                self.broken(
                    f"the column {name} appears twice in the header, expected each column once", 1
                )
                ok = False
                continue
            self.index[name] = n
            if name not in self.spec.columns and name.lower() in known:
                self.broken(
                    f"the column {name} is not a OneRoster column, expected "
                    f"{known[name.lower()]} (column names are case-sensitive)",
                    1,
                )
                ok = False
        for column in self.spec.columns:
            if column in self.spec.required and column not in self.index:
                self.broken(
                    f"the header has no column {column}, expected the OneRoster 1.2 header: "
                    + ",".join(self.spec.columns),
                    1,
                )
                ok = False
        return ok

    def start_row(self, line: int, values: list[str]) -> bool:
        self.line = line
        if len(values) != self.width:
            self.problem(
                f"the row has {len(values)} fields, expected {self.width} (one per column of "
                "the header)"
            )
            return False
        self.values = [value.strip() for value in values]
        return True

    def raw(self, column: str) -> str:
        n = self.index.get(column)
        return "" if n is None else self.values[n]

    def text(self, column: str, *, limit: int | None = None, required: bool = False) -> str:
        value = self.raw(column)
        if not value:
            if required or column in self.spec.required:
                self.problem(f"{column} is empty, expected a value (the column is required)")
            return ""
        if limit is not None and len(value) > limit:
            self.problem(
                f"{column} is {len(value)} characters long, expected at most {limit} "
                "(Homeroom's limit)"
            )
            return value[:limit]
        return value

    def enum(self, column: str, choices: tuple[str, ...], *, extensible: bool = False) -> str:
        value = self.raw(column)
        if not value:
            if column in self.spec.required:
                self.problem(
                    f"{column} is empty, expected one of {', '.join(choices)} "
                    "(the column is required)"
                )
            return ""
        if value in choices or (
            extensible
            and value.startswith(spec.EXTENSION_PREFIX)
            and len(value) > len(spec.EXTENSION_PREFIX)
        ):
            return value
        extra = " or an ext: value" if extensible else ""
        self.problem(
            f"{column} '{value}' is not allowed, expected one of {', '.join(choices)}{extra}"
        )
        return ""

    def date(self, column: str, *, required: bool = False) -> datetime.date | None:
        value = self.raw(column)
        if not value:
            if required or column in self.spec.required:
                self.problem(
                    f"{column} is empty, expected a date YYYY-MM-DD (the column is required)"
                )
            return None
        try:
            return _cached_date(value)
        except ValueError:
            self.problem(
                f"{column} '{value}' is not a date, expected YYYY-MM-DD (a time may follow, as "
                "in 2026-08-27T00:00:00Z)"
            )
            return None

    def moment(self, column: str, *, required: bool = False) -> datetime.datetime | None:
        value = self.raw(column)
        if not value:
            if required:
                self.problem(
                    f"{column} is empty, expected a date and time such as "
                    "2026-08-27T14:05:00.000Z (required in a delta file)"
                )
            return None
        try:
            return _cached_datetime(value)
        except ValueError:
            self.problem(
                f"{column} '{value}' is not a date and time, expected ISO 8601 such as "
                "2026-08-27T14:05:00.000Z (or a date YYYY-MM-DD)"
            )
            return None

    def decimal(
        self,
        column: str,
        *,
        minimum: Decimal = Decimal(0),
        maximum: Decimal,
        required: bool = False,
    ) -> Decimal | None:
        value = self.raw(column)
        if not value:
            if required or column in self.spec.required:
                self.problem(f"{column} is empty, expected a number (Homeroom needs it)")
            return None
        try:
            number = _cached_decimal(value)
        except ValueError:
            self.problem(f"{column} '{value}' is not a number, expected digits such as 12.5")
            return None
        if not minimum <= number <= maximum:
            self.problem(f"{column} {value} is out of range, expected {minimum} to {maximum}")
            return None
        return number.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)

    def flag(self, column: str) -> bool | None:
        value = self.enum(column, spec.TRUE_FALSE)
        return None if not value else value == "true"

    def grades(self, column: str) -> tuple[str, ...]:
        grades = parse_list(self.raw(column))
        for grade in grades:
            if grade not in spec.GRADES:
                self.problem(
                    f"{column} '{grade}' is not a grade level, expected one of "
                    + ", ".join(spec.GRADES)
                )
                return ()
        return grades

    def common(self) -> tuple[str, bool, datetime.datetime | None] | None:
        """sourcedId, whether the row is to be deleted, and when it was last modified."""
        sourced_id = self.raw("sourcedId")
        delta = self.mode == spec.DELTA
        if not sourced_id:
            self.problem("sourcedId is empty, expected the row's identifier (required)")
            return None
        if len(sourced_id) > 255:
            self.problem("sourcedId is longer than 255 characters, expected at most 255")
            return None
        earlier = self.seen.get(sourced_id)
        if earlier is not None:
            self.problem(
                f"sourcedId '{sourced_id}' is already used on line {earlier}, expected each "
                "sourcedId once in a file"
            )
            return None
        self.seen[sourced_id] = self.line
        status = self.raw("status")
        if status and status not in spec.STATUSES:
            self.problem(f"status '{status}' is not allowed, expected active or tobedeleted")
        elif not status and delta:
            self.problem(
                "status is empty, expected active or tobedeleted (required in a delta file)"
            )
        modified = self.moment("dateLastModified", required=delta)
        return sourced_id, status == spec.TO_BE_DELETED, modified


# --- The files --------------------------------------------------------------------------------

ROW_READERS: dict[str, Callable[[_File, str, bool, Any], Any]] = {}


def _reader(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        ROW_READERS[name] = function
        return function

    return register


@_reader("orgs")
def _org(f: _File, sid: str, deleted: bool, modified: Any) -> OrgRow:
    return OrgRow(
        f.line,
        sid,
        deleted,
        modified,
        name=f.text("name", limit=200),
        type=f.enum("type", spec.ORG_TYPES, extensible=True),
        identifier=f.text("identifier", limit=64),
        parent=f.raw("parentSourcedId"),
    )


@_reader("academicSessions")
def _session(f: _File, sid: str, deleted: bool, modified: Any) -> SessionRow:
    row = SessionRow(
        f.line,
        sid,
        deleted,
        modified,
        title=f.text("title", limit=100),
        type=f.enum("type", spec.SESSION_TYPES),
        start=f.date("startDate"),
        end=f.date("endDate"),
        parent=f.raw("parentSourcedId"),
    )
    year = f.raw("schoolYear")
    if not year:
        f.problem("schoolYear is empty, expected the year the session ends in, such as 2027")
    elif not re.fullmatch(r"\d{4}", year):
        f.problem(f"schoolYear '{year}' is not a year, expected four digits such as 2027")
    else:
        row.school_year = int(year)
    if row.start and row.end and row.end < row.start:
        f.problem(
            f"endDate {row.end} is before startDate {row.start}, expected a session that ends "
            "on or after its first day"
        )
    return row


@_reader("courses")
def _course(f: _File, sid: str, deleted: bool, modified: Any) -> CourseRow:
    f.grades("grades")
    subjects = ", ".join(parse_list(f.raw("subjects")))
    if len(subjects) > 64:
        f.problem(
            f"subjects is {len(subjects)} characters long, expected at most 64 (Homeroom's limit)"
        )
        subjects = ""
    return CourseRow(
        f.line,
        sid,
        deleted,
        modified,
        year=f.raw("schoolYearSourcedId"),
        title=f.text("title", limit=200),
        code=f.text("courseCode", limit=32),
        org=f.raw("orgSourcedId"),
        subject=subjects,
    )


@_reader("classes")
def _class(f: _File, sid: str, deleted: bool, modified: Any) -> ClassRow:
    f.text("title")
    f.grades("grades")
    f.enum("classType", spec.CLASS_TYPES, extensible=True)
    terms = parse_list(f.raw("termSourcedIds"))
    if not terms:
        f.problem(
            "termSourcedIds is empty, expected the sourcedIds of the class's terms (required)"
        )
    periods = parse_list(f.raw("periods"))
    for period in periods:
        if len(period) > 32:
            f.problem(f"periods: '{period[:40]}' is longer than 32 characters, expected at most 32")
    return ClassRow(
        f.line,
        sid,
        deleted,
        modified,
        course=f.raw("courseSourcedId"),
        code=f.text("classCode", limit=32),
        location=f.text("location", limit=32),
        school=f.raw("schoolSourcedId"),
        terms=terms,
        periods=periods,
    )


@_reader("users")
def _user(f: _File, sid: str, deleted: bool, modified: Any) -> UserRow:
    f.enum("enabledUser", spec.TRUE_FALSE)
    row = UserRow(
        f.line,
        sid,
        deleted,
        modified,
        given=f.text("givenName", limit=100),
        family=f.text("familyName", limit=100),
        middle=f.text("middleName", limit=100),
        preferred_given=f.text("preferredGivenName", limit=100),
        preferred_family=f.text("preferredFamilyName", limit=100),
        identifier=f.text("identifier", limit=32),
        email=f.text("email", limit=254),
        phone=f.text("phone", limit=32),
        agents=parse_list(f.raw("agentSourcedIds")),
    )
    if row.email and _EMAIL.fullmatch(row.email) is None:
        f.problem(f"email '{row.email}' is not an email address, expected name@domain")
        row.email = ""
    user_ids = f.raw("userIds")
    if user_ids:
        if _USER_IDS.fullmatch(user_ids) is None:
            f.problem(
                f"userIds '{user_ids[:60]}' cannot be read, expected {{type:identifier}} "
                "entries separated by commas, such as {SASID:1234567890}"
            )
        for kind, value in _USER_ID.findall(user_ids):
            if kind.strip().upper() == spec.USER_ID_SASID:
                if len(value.strip()) > 32:
                    f.problem(
                        "userIds: the SASID is longer than 32 characters, expected at most 32"
                    )
                else:
                    row.sasid = value.strip()
    grades = f.grades("grades")
    if grades:
        row.grade = grades[0]
    return row


@_reader("roles")
def _role(f: _File, sid: str, deleted: bool, modified: Any) -> RoleRow:
    row = RoleRow(
        f.line,
        sid,
        deleted,
        modified,
        user=f.text("userSourcedId"),
        role_type=f.enum("roleType", spec.ROLE_TYPES),
        role=f.enum("role", spec.USER_ROLES, extensible=True),
        begin=f.date("beginDate"),
        end=f.date("endDate"),
        org=f.text("orgSourcedId"),
    )
    if row.begin and row.end and row.end < row.begin:
        f.problem(
            f"endDate {row.end} is before beginDate {row.begin}, expected a role that ends on "
            "or after it begins"
        )
    return row


@_reader("enrollments")
def _enrollment(f: _File, sid: str, deleted: bool, modified: Any) -> EnrollmentRow:
    row = EnrollmentRow(
        f.line,
        sid,
        deleted,
        modified,
        klass=f.text("classSourcedId"),
        school=f.text("schoolSourcedId"),
        user=f.text("userSourcedId"),
        role=f.enum("role", spec.ENROLLMENT_ROLES, extensible=True),
        primary=bool(f.flag("primary")),
        begin=f.date("beginDate"),
        end=f.date("endDate"),
    )
    if row.begin and row.end and row.end < row.begin:
        f.problem(
            f"endDate {row.end} is before beginDate {row.begin}, expected an enrollment that "
            "ends on or after it begins"
        )
    return row


@_reader("demographics")
def _demographic(f: _File, sid: str, deleted: bool, modified: Any) -> DemographicRow:
    f.enum("sex", spec.SEXES, extensible=True)
    for column in (
        "americanIndianOrAlaskaNative",
        "asian",
        "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander",
        "white",
        "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity",
    ):
        f.flag(column)
    return DemographicRow(f.line, sid, deleted, modified, birth_date=f.date("birthDate"))


@_reader("categories")
def _category(f: _File, sid: str, deleted: bool, modified: Any) -> CategoryRow:
    row = CategoryRow(
        f.line,
        sid,
        deleted,
        modified,
        title=f.text("title", limit=100),
        weight=f.decimal("weight", maximum=Decimal("999.99")),
        klass=f.raw(spec.METADATA_PREFIX + "classSourcedId"),
    )
    drop = f.raw(spec.METADATA_PREFIX + "dropLowest")
    if drop:
        if drop.isdigit() and int(drop) <= 100:
            row.drop_lowest = int(drop)
        else:
            f.problem(f"metadata.dropLowest '{drop}' is not a count, expected 0 to 100")
    return row


@_reader("lineItems")
def _line_item(f: _File, sid: str, deleted: bool, modified: Any) -> LineItemRow:
    row = LineItemRow(
        f.line,
        sid,
        deleted,
        modified,
        title=f.text("title", limit=200),
        description=f.raw("description"),
        assigned=f.date("assignDate"),
        due=f.date("dueDate", required=True),
        klass=f.raw("classSourcedId"),
        category=f.raw("categorySourcedId"),
        grading_period=f.raw("gradingPeriodSourcedId"),
    )
    f.decimal("resultValueMin", minimum=Decimal("-99999.99"), maximum=Decimal("99999.99"))
    row.points_possible = f.decimal("resultValueMax", maximum=Decimal("99999.99"), required=True)
    if row.points_possible is not None and row.points_possible <= 0:
        f.problem(
            f"resultValueMax {row.points_possible} is not positive, expected the points "
            "possible, more than 0"
        )
        row.points_possible = None
    if row.assigned and row.due and row.due < row.assigned:
        f.problem(
            f"dueDate {row.due} is before assignDate {row.assigned}, expected work due on or "
            "after the day it is assigned"
        )
    return row


@_reader("results")
def _result(f: _File, sid: str, deleted: bool, modified: Any) -> ResultRow:
    status = f.enum("scoreStatus", spec.SCORE_STATUSES, extensible=True)
    row = ResultRow(
        f.line,
        sid,
        deleted,
        modified,
        line_item=f.raw("lineItemSourcedId"),
        student=f.raw("studentSourcedId"),
        status=status,
        score=f.decimal("score", maximum=Decimal("99999.99")),
        score_date=f.date("scoreDate"),
        comment=f.text("comment", limit=500),
        incomplete=bool(f.flag("incomplete")),
        late=bool(f.flag("late")),
        missing=bool(f.flag("missing")),
    )
    f.flag("inProgress")
    if status == "exempt" and row.missing:
        f.problem(
            "scoreStatus is exempt and missing is true, expected one or the other (exempt work "
            "cannot be missing)"
        )
    return row


# --- The package ------------------------------------------------------------------------------


def _read_manifest(source: Source, problems: Problems) -> dict[str, str] | None:
    """The manifest's properties, or None when the package cannot be read without it."""
    name = "manifest.csv"
    if name not in source.names:
        problems.add_structural(
            name,
            0,
            "the package has no manifest.csv, expected manifest.csv at the root of the zip or "
            "folder, beside the other CSV files",
        )
        return None
    properties: dict[str, str] = {}
    lines: dict[str, int] = {}
    try:
        with source.open(name) as raw:
            records = read_records(raw)
            first = next(records, None)
            if first is None or [v.strip() for v in first[1]] != list(spec.MANIFEST_HEADER):
                problems.add_structural(
                    name, 1, "the header is not propertyName,value, expected exactly that"
                )
                return None
            for line, values in records:
                if len(values) != 2:
                    problems.add_structural(
                        name,
                        line,
                        f"the row has {len(values)} fields, expected 2: a name and a value",
                    )
                    continue
                key, value = values[0].strip(), values[1].strip()
                if key in properties:
                    problems.add_structural(
                        name,
                        line,
                        f"{key} is given again (first on line {lines[key]}), expected once",
                    )
                    continue
                properties[key], lines[key] = value, line
    except CsvError as error:
        problems.add_structural(name, error.line, error.message)
        return None
    _check_manifest(source, properties, lines, problems)
    return properties


def _check_manifest(
    source: Source, properties: dict[str, str], lines: dict[str, int], problems: Problems
) -> None:
    name = "manifest.csv"
    version = properties.get("manifest.version")
    if version is None:
        problems.add_structural(
            name, 1, "manifest.version is missing, expected manifest.version,1.0"
        )
    elif version != spec.MANIFEST_VERSION:
        problems.add_structural(
            name, lines["manifest.version"], f"manifest.version is '{version}', expected 1.0"
        )
    version = properties.get("oneroster.version")
    if version is None:
        problems.add_structural(
            name, 1, "oneroster.version is missing, expected oneroster.version,1.2"
        )
    elif version not in (spec.ONEROSTER_VERSION, "1.2.1"):
        problems.add_structural(
            name,
            lines["oneroster.version"],
            f"oneroster.version is '{version}', expected 1.2 (Homeroom reads OneRoster 1.2 CSV)",
        )
    for key, value in properties.items():
        if not key.startswith("file."):
            continue
        file = key[len("file.") :]
        if file not in spec.ALL_FILES:
            problems.add_structural(
                name,
                lines[key],
                f"{key} names no OneRoster 1.2 file, expected file.<name> for one of "
                + ", ".join(spec.ALL_FILES),
            )
        elif value not in spec.MODES:
            problems.add_structural(
                name, lines[key], f"{key} is '{value}', expected bulk, delta or absent"
            )
        elif value != spec.ABSENT and f"{file}.csv" not in source.names:
            problems.add_structural(
                name,
                lines[key],
                f"{key} is '{value}' but {file}.csv is not in the package, expected the file "
                f"or {key}=absent",
            )
    for member in source.names:
        if not member.lower().endswith(".csv") or member == name:
            continue
        file = member[: -len(".csv")]
        if file not in spec.ALL_FILES:
            close = [f for f in spec.ALL_FILES if f.lower() == file.lower()]
            hint = (
                f"{close[0]}.csv (file names are case-sensitive)"
                if close
                else ("only the files of OneRoster 1.2 beside manifest.csv")
            )
            problems.add_structural(
                member, 1, f"{member} is not a OneRoster 1.2 file, expected {hint}"
            )
        elif properties.get(f"file.{file}", spec.ABSENT) == spec.ABSENT:
            problems.add_structural(
                member,
                1,
                f"{member} is in the package but manifest.csv declares it absent or not at all, "
                f"expected file.{file}=bulk or delta in manifest.csv",
            )


def read_package(source: Source, progress: Callable[[str], None] | None = None) -> Reading:
    """Read and check every file of the package."""
    steps = reading_steps(source, progress)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def reading_steps(
    source: Source, progress: Callable[[str], None] | None = None
) -> Generator[None, None, Reading]:
    """read_package one file at a time: it pauses after each, so a caller can show progress
    in between (the admin page streams it)."""
    problems = Problems()
    properties = _read_manifest(source, problems)
    if properties is None:
        return Reading(None, problems)
    modes = {
        key[len("file.") :]: value
        for key, value in properties.items()
        if key.startswith("file.") and value in spec.MODES
    }
    package = Package(
        modes=modes,
        system_name=properties.get("source.systemName", ""),
        system_code=properties.get("source.systemCode", ""),
    )
    for name, file_spec in spec.SPECS.items():
        mode = package.mode(name)
        if mode == spec.ABSENT or file_spec.filename not in source.names:
            continue
        file = _File(file_spec, mode, problems)
        package.rows[name] = list(_read_file(source, file, progress))
        package.columns[name] = frozenset(file.index)
        if not package.rows[name] and not any(p.file == file_spec.filename for p in problems.kept):
            problems.add_structural(
                file_spec.filename,
                2,
                f"the file has no rows, expected at least one row (or file.{name}=absent in "
                "manifest.csv)",
            )
        yield
    for name in spec.IGNORED_FILES:
        if package.present(name) and f"{name}.csv" in source.names:
            package.ignored[name] = _count_rows(source, f"{name}.csv", problems)
    return Reading(package, problems)


def _count_rows(source: Source, filename: str, problems: Problems) -> int:
    try:
        with source.open(filename) as raw:
            return max(0, sum(1 for _ in read_records(raw)) - 1)
    except CsvError as error:
        problems.add_structural(filename, error.line, error.message)
        return 0


def _read_file(
    source: Source, file: _File, progress: Callable[[str], None] | None
) -> Iterator[Any]:
    file_spec, problems = file.spec, file.problems
    reader = ROW_READERS[file_spec.name]
    try:
        with source.open(file_spec.filename) as raw:
            records = read_records(raw)
            first = next(records, None)
            if first is None:
                problems.add_structural(
                    file_spec.filename, 1, "the file is empty, expected a header row"
                )
                return
            if not file.header(first[1]):
                return
            count = 0
            fast = _FAST_READERS.get(file_spec.name)
            quick = fast(file) if fast is not None else None
            for line, values in records:
                if quick is not None:
                    row = quick(line, values)
                    if row is not None:
                        yield row
                        count += 1
                        if progress is not None and count % 100_000 == 0:
                            progress(f"{file_spec.filename}: {count:,} rows read")
                        continue
                if not file.start_row(line, values):
                    continue
                common = file.common()
                if common is None:
                    continue
                yield reader(file, *common)
                count += 1
                if progress is not None and count % 100_000 == 0:
                    progress(f"{file_spec.filename}: {count:,} rows read")
            if progress is not None:
                progress(f"{file_spec.filename}: {count:,} rows read")
    except CsvError as error:
        problems.add_structural(file_spec.filename, error.line, error.message)


def _fast_results(file: _File) -> Callable[[int, list[str]], ResultRow | None]:
    """results.csv, the file of millions of rows: a row whose every value is plainly right
    is read here in one pass; any other row returns None and goes through the full checks,
    which say what is wrong with it."""
    columns = RESULT_COLUMNS
    width = file.width
    # Absent optional columns read from one padded blank at the end of each row.
    positions = [file.index.get(column, width) for column in columns]
    pick = operator.itemgetter(*positions)
    seen = file.seen
    delta = file.mode == spec.DELTA
    statuses = ("active", "tobedeleted") if delta else ("", "active", "tobedeleted")
    scores = frozenset(spec.SCORE_STATUSES)
    flags = ("", "true", "false")

    def quick(line: int, values: list[str]) -> ResultRow | None:
        if len(values) != width:
            return None
        (
            sid,
            status,
            modified_text,
            line_item,
            student,
            score_status,
            score_text,
            _text_score,
            date_text,
            comment,
            in_progress,
            incomplete,
            late,
            missing,
        ) = pick([*values, ""])
        if (
            not sid
            or sid in seen
            or len(sid) > 255
            or sid != sid.strip()
            or status not in statuses
            or score_status not in scores
            or not line_item
            or not student
            or incomplete not in flags
            or late not in flags
            or missing not in flags
            or in_progress not in flags
            or len(comment) > 500
            or (score_status == "exempt" and missing == "true")
            or (delta and not modified_text)
        ):
            return None
        try:
            modified = _cached_datetime(modified_text) if modified_text else None
            score_date = _cached_date(date_text) if date_text else None
            score = None
            if score_text:
                score = _cached_decimal(score_text)
                if not Decimal(0) <= score <= _MAX_POINTS:
                    return None
                score = score.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        except ValueError:
            return None
        seen[sid] = line
        return ResultRow(
            line,
            sid,
            status == spec.TO_BE_DELETED,
            modified,
            line_item.strip(),
            student.strip(),
            score_status,
            score,
            score_date,
            comment.strip(),
            incomplete == "true",
            late == "true",
            missing == "true",
        )

    return quick


RESULT_COLUMNS = (
    "sourcedId",
    "status",
    "dateLastModified",
    "lineItemSourcedId",
    "studentSourcedId",
    "scoreStatus",
    "score",
    "textScore",
    "scoreDate",
    "comment",
    "inProgress",
    "incomplete",
    "late",
    "missing",
)
_MAX_POINTS = Decimal("99999.99")
_FAST_READERS: dict[str, Callable[[_File], Callable[[int, list[str]], Any]]] = {
    "results": _fast_results
}


def grade_rank(grade: str) -> int:
    """Order of a Homeroom grade level, -1 for a grade Homeroom does not serve."""
    try:
        return HOMEROOM_GRADES.index(grade)
    except ValueError:
        return -1
