"""Importing a OneRoster 1.2 CSV package: checked whole, then written in one transaction.

Three steps, nothing written before the last:

1. `validation.read_package` reads every file and checks what each row says on its own.
2. `Planner` checks what rows say of each other and of what Homeroom already holds
   (references, uniqueness, dates within dates), and works out what to add, change and
   end. It reads the database once, through `Snapshot`, and never writes.
3. `_Writer` writes the plan with bulk statements inside one `transaction.atomic()`, with the
   audit event of the import in the same transaction.

Any problem at step 1 or 2 stops the import: the database is exactly as before. A dry run
stops after step 2 and reports what would change.

What an import never does (R62, R63, R33): delete an education record; touch a restriction,
a denial, a consent, a dependency certification or an activation code; change a guardian
link's portal status or activation; change who a user account belongs to. Removal ends things
(a link's ended_on, an enrollment's exit date, a roster's end date) from today, and the access
policy reads those on every request.
"""

import contextlib
import dataclasses
import datetime
import functools
import gc
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection, models, transaction
from django.db.models import Exists, OuterRef, Q

from homeroom.access.policy import currently_enrolled
from homeroom.accounts.models import User
from homeroom.accounts.services import sessions_end_all
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, event_record
from homeroom.gradebook.models import Assignment, Category, Score
from homeroom.interop import ids, mapping
from homeroom.interop.csvio import PackageError, Source
from homeroom.interop.mapping import GUARDIAN, STAFF, STUDENT
from homeroom.interop.models import SourcedAlias
from homeroom.interop.validation import (
    ClassRow,
    CourseRow,
    LineItemRow,
    Package,
    Problem,
    Problems,
    SessionRow,
    UserRow,
    grade_rank,
    reading_steps,
)
from homeroom.lib import clock
from homeroom.lib import oneroster as spec
from homeroom.sis.models import (
    AcademicSession,
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

Progress = Callable[[str], None]
BATCH = 2000
DEFAULT_CATEGORY_WEIGHT = Decimal(100)
COUNTED_FILES = (*spec.SPECS, "guardianLinks")


def _quiet(message: str) -> None:
    pass


@dataclasses.dataclass
class Counts:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    ignored: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)

    @property
    def total(self) -> int:
        return self.added + self.changed + self.removed


@dataclasses.dataclass
class Report:
    """What an import did, or a dry run would do: counts per file, problems, notes."""

    dry_run: bool
    counts: dict[str, Counts] = dataclasses.field(default_factory=dict)
    problems: list[Problem] = dataclasses.field(default_factory=list)
    problem_count: int = 0
    notes: list[str] = dataclasses.field(default_factory=list)
    imported: bool = False
    seconds: float = 0.0
    modes: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def as_dict(self) -> dict[str, Any]:
        """For the audit event and the admin's record: counts and ids, never contents."""
        return {
            "dry_run": self.dry_run,
            "imported": self.imported,
            "modes": self.modes,
            "counts": {name: c.as_dict() for name, c in self.counts.items()},
            "problem_count": self.problem_count,
            "problems": [str(p) for p in self.problems],
            "notes": self.notes,
            "seconds": round(self.seconds, 1),
        }


def run_import(
    location: Any,
    *,
    actor: Actor,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Report:
    """Check a package (a folder, a zip file, or zip bytes) and, unless `dry_run`, import it.

    Never raises for a bad package: what is wrong is in the report's problems, and nothing
    was written.
    """
    return drain(import_steps(location, actor=actor, dry_run=dry_run, progress=progress))


def drain(steps: Generator[None, None, Any]) -> Any:
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Millions of rows are millions of objects that live until the end: the cyclic garbage
    collector would walk them all again and again, for nothing (they hold no cycles)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_steps(
    location: Any, *, actor: Actor, dry_run: bool = False, progress: Progress | None = None
) -> Generator[None, None, Report]:
    """run_import, pausing between its steps (each file read, each check, each table
    written) so that a caller can show `progress` as it comes. Exhausting it runs the whole
    import; a caller that stops early (a closed page) rolls it back."""
    started = time.monotonic()
    say = progress or _quiet
    report = Report(dry_run=dry_run)
    with collector_paused():
        try:
            with Source(location) as source:
                reading = yield from reading_steps(source, say)
        except PackageError as error:
            report.problems = [Problem("", 0, str(error))]
            report.problem_count = 1
            return report
        problems = reading.problems
        package = reading.package
        if package is not None and not problems.structural:
            report.modes = {
                name: package.mode(name) for name in spec.SPECS if package.present(name)
            }
            try:
                if dry_run:
                    yield from _plan(package, problems, report, say)
                else:
                    with transaction.atomic():
                        plan = yield from _plan(package, problems, report, say)
                        if not problems:
                            plan.actor = actor
                            yield from plan.steps(say)
                            report.imported = True
                            report.seconds = time.monotonic() - started
                            _audit(actor, report)
            except DatabaseError as error:
                # Checked beforehand, so a rule the checks missed: report it, keep nothing.
                problems.add(
                    "", 0, f"the database refused the import ({error}); nothing was written"
                )
                report.imported = False
        report.problems = problems.sorted()
        report.problem_count = problems.count
        report.seconds = time.monotonic() - started
        return report


def _plan(
    package: Package, problems: Problems, report: Report, say: Progress
) -> Generator[None, None, "_Writer"]:
    say("Reading what Homeroom holds…")
    snapshot = Snapshot.load(package)
    yield
    planner = Planner(package, snapshot, problems, say)
    writer = yield from planner.steps()
    report.counts = planner.counts
    report.notes = planner.notes
    return writer


def _audit(actor: Actor, report: Report) -> None:
    event_record(
        actor=actor,
        event=Event(
            action=Action.IMPORT,
            object_type="interop.oneroster",
            detail={
                "format": "OneRoster 1.2 CSV",
                "modes": report.modes,
                "counts": {name: c.as_dict() for name, c in report.counts.items()},
            },
        ),
    )


# --- What Homeroom holds ----------------------------------------------------------------------


class Snapshot:
    """The rows an import can touch, loaded once, keyed by sourcedId (or by what joins them)."""

    def __init__(self) -> None:
        self.districts: dict[str, District] = {}
        self.schools: dict[str, School] = {}
        self.sessions: dict[str, AcademicSession] = {}
        self.courses: dict[str, Course] = {}
        self.sections: dict[str, Section] = {}
        self.section_terms: dict[int, set[int]] = defaultdict(set)
        self.meetings: dict[int, list[SectionMeeting]] = defaultdict(list)
        self.periods: dict[int, dict[str, Period]] = defaultdict(dict)
        self.students: dict[str, Student] = {}
        self.guardians: dict[str, Guardian] = {}
        self.staff: dict[str, Staff] = {}
        self.staff_roles: dict[tuple[int, str, int | None], StaffRole] = {}
        self.enrollments: dict[str, Enrollment] = {}
        self.links: dict[tuple[int, int], GuardianLink] = {}
        self.rosters: dict[str, Roster] = {}
        self.section_teachers: dict[tuple[int, int], SectionTeacher] = {}
        self.aliases: dict[tuple[str, str], SourcedAlias] = {}
        self.categories: dict[str, Category] = {}
        self.assignments: dict[str, Assignment] = {}
        # sourcedId → (pk, assignment_id, student_id, points, missing, late, exempt,
        # incomplete, comment, release_at, was_released, released values…, modified)
        self.scores: dict[str, tuple[Any, ...]] = {}
        self.score_pairs: dict[tuple[int, int], str] = {}

    @classmethod
    def load(cls, package: Package) -> "Snapshot":
        self = cls()
        self.districts = {d.sourced_id: d for d in District.objects.all()}
        self.schools = {s.sourced_id: s for s in School.objects.all()}
        self.sessions = {s.sourced_id: s for s in AcademicSession.objects.all()}
        self.courses = {c.sourced_id: c for c in Course.objects.all()}
        self.sections = {s.sourced_id: s for s in Section.objects.all()}
        for section_id, session_id in Section.terms.through.objects.values_list(
            "section_id", "academicsession_id"
        ):
            self.section_terms[section_id].add(session_id)
        for period in Period.objects.all():
            self.periods[period.school_id][period.name] = period
        for meeting in SectionMeeting.objects.all():
            self.meetings[meeting.section_id].append(meeting)
        self.students = {s.sourced_id: s for s in Student.objects.all()}
        self.guardians = {g.sourced_id: g for g in Guardian.objects.all()}
        self.staff = {s.sourced_id: s for s in Staff.objects.all()}
        self.staff_roles = {(r.staff_id, r.role, r.school_id): r for r in StaffRole.objects.all()}
        self.enrollments = {e.sourced_id: e for e in Enrollment.objects.all()}
        self.links = {(k.guardian_id, k.student_id): k for k in GuardianLink.objects.all()}
        if package.present("enrollments") or package.present("users") or package.present("roles"):
            self.rosters = {r.sourced_id: r for r in Roster.objects.all()}
        self.section_teachers = {
            (t.section_id, t.staff_id): t for t in SectionTeacher.objects.all()
        }
        self.aliases = {(a.file, a.sourced_id): a for a in SourcedAlias.objects.all()}
        if any(package.present(n) for n in ("categories", "lineItems", "results")):
            self.categories = {c.sourced_id: c for c in Category.objects.all()}
            self.assignments = {a.sourced_id: a for a in Assignment.objects.all()}
        if package.present("results"):
            for row in Score.objects.values_list(
                "sourced_id",
                "pk",
                "assignment_id",
                "student_id",
                "points",
                "missing",
                "late",
                "exempt",
                "incomplete",
                "comment",
                "release_at",
                "was_released",
                "released_points",
                "released_missing",
                "released_late",
                "released_exempt",
                "released_incomplete",
                "released_comment",
                "source_modified_at",
            ).iterator(chunk_size=20000):
                self.scores[row[0]] = row[1:]
                self.score_pairs[(row[2], row[3])] = row[0]
        return self


# --- Planning ---------------------------------------------------------------------------------

_UNSET = object()


class Planner:
    """Checks the package against itself and against the snapshot, and plans the writes."""

    def __init__(
        self, package: Package, snapshot: Snapshot, problems: Problems, say: Progress
    ) -> None:
        self.package = package
        self.db = snapshot
        self.problems = problems
        self.say = say
        self.today = clock.today()
        self.yesterday = self.today - datetime.timedelta(days=1)
        self.now = clock.now()
        self.counts: dict[str, Counts] = {name: Counts() for name in COUNTED_FILES}
        self.notes: list[str] = []
        self.w = _Writer(self)
        # Active rows of each file by sourcedId, and the sourcedIds it deletes.
        self.active: dict[str, dict[str, Any]] = {}
        self.deleted: dict[str, set[str]] = {}
        for name in spec.SPECS:
            rows = package.of(name)
            if name == "results":
                # Millions of rows, read in order by plan_results; only deletions are looked up.
                self.active[name] = {}
                self.deleted[name] = {r.sourced_id for r in rows if r.deleted}
                continue
            self.active[name] = {r.sourced_id: r for r in rows if not r.deleted}
            self.deleted[name] = {r.sourced_id for r in rows if r.deleted}
        # What each sourcedId stands for once the import is written (new or existing rows).
        self.org: dict[str, District | School] = {}
        self.org_type: dict[str, str] = {}
        self.session: dict[str, AcademicSession] = {}
        self.course: dict[str, Course] = {}
        self.section: dict[str, Section] = {}
        self.section_terms: dict[str, list[AcademicSession]] = {}
        self.students: dict[str, Student] = {}
        self.guardians: dict[str, Guardian] = {}
        self.staff: dict[str, Staff] = {}
        self.kinds: dict[str, set[str]] = defaultdict(set)
        self.category: dict[tuple[str, str], Category] = {}
        self.assignment: dict[str, Assignment] = {}

    # --- Small helpers

    def problem(self, file: str, line: int, message: str) -> None:
        self.problems.add(f"{file}.csv", line, message)

    def bulk(self, name: str) -> bool:
        return self.package.mode(name) == spec.BULK

    def change(self, obj: models.Model, file: str, **values: Any) -> bool:
        """Give an existing row new values; count it changed or unchanged under `file`."""
        changed = self.w.update(obj, **values)
        if file:
            if changed:
                self.counts[file].changed += 1
            else:
                self.counts[file].unchanged += 1
        return changed

    def add(self, obj: models.Model, file: str) -> None:
        self.w.create(obj)
        if file:
            self.counts[file].added += 1

    def note(self, text: str) -> None:
        if len(self.notes) < 200:
            self.notes.append(text)

    # --- The plan, file by file

    def plan(self) -> "_Writer":
        return drain(self.steps())

    def steps(self) -> Generator[None, None, "_Writer"]:
        self.say("Checking orgs…")
        self.plan_orgs()
        self.say("Checking academic sessions…")
        self.plan_sessions()
        self.say("Checking courses and classes…")
        self.plan_courses()
        self.plan_classes()
        yield
        self.say("Checking users and roles…")
        self.plan_kinds()
        self.plan_users()
        self.plan_person_removals()
        self.plan_roles()
        self.plan_links()
        yield
        self.say("Checking enrollments…")
        self.plan_enrollments()
        yield
        self.say("Checking the grade book…")
        self.plan_categories()
        self.plan_line_items()
        yield
        self.plan_results()
        self.plan_kept_files()
        yield
        return self.w

    # --- orgs.csv

    def known_org_type(self, sid: str) -> str | None:
        row = self.active["orgs"].get(sid)
        if row is not None:
            return row.type
        if sid in self.deleted["orgs"] or self.bulk("orgs"):
            return None
        if sid in self.db.districts:
            return "district"
        if sid in self.db.schools:
            return "school"
        return None

    def plan_orgs(self) -> None:
        rows = self.active["orgs"].values()
        for row in rows:
            self.org_type[row.sourced_id] = row.type
        districts = [r for r in rows if r.type == "district"]
        for row in districts:
            if row.sourced_id in self.db.schools:
                self.problem(
                    "orgs",
                    row.line,
                    f"type is district but '{row.sourced_id}' is a school in Homeroom, expected "
                    "type school (an org does not change type)",
                )
                continue
            district: Any = self.db.districts.get(row.sourced_id)
            values = dict(name=row.name, identifier=row.identifier, source_modified_at=row.modified)
            if district is None:
                district = District(sourced_id=row.sourced_id, **values)
                self.add(district, "orgs")
            else:
                self.change(district, "orgs", **values)
            self.org[row.sourced_id] = district
        for sid, district in self.db.districts.items():
            self.org.setdefault(sid, district)
            self.org_type.setdefault(sid, "district")
        known_districts = [
            sid
            for sid in self.org
            if self.org_type.get(sid) == "district" and sid not in self.deleted["orgs"]
        ]
        highest = self.highest_grades()
        names: dict[tuple[str, str], int] = {}
        for row in rows:
            if row.type == "district":
                continue
            if row.type != "school":
                self.counts["orgs"].ignored += 1
                continue
            if row.sourced_id in self.db.districts:
                self.problem(
                    "orgs",
                    row.line,
                    f"type is school but '{row.sourced_id}' is a district in Homeroom, expected "
                    "type district (an org does not change type)",
                )
                continue
            parent = row.parent
            if not parent:
                if len(known_districts) == 1:
                    parent = known_districts[0]
                else:
                    self.problem(
                        "orgs",
                        row.line,
                        "parentSourcedId is empty, expected the sourcedId of the school's "
                        "district (there is not exactly one district to place it in)",
                    )
                    continue
            if self.known_org_type(parent) != "district" or parent not in self.org:
                self.problem(
                    "orgs",
                    row.line,
                    f"parentSourcedId '{parent}' is not a district in orgs.csv or in Homeroom, "
                    "expected the sourcedId of the school's district",
                )
                continue
            key = (parent, row.name)
            if key in names:
                self.problem(
                    "orgs",
                    row.line,
                    f"name '{row.name}' is already the name of the school on line "
                    f"{names[key]}, expected each school of a district to have its own name",
                )
            names[key] = row.line
            district = self.org[parent]
            school = self.db.schools.get(row.sourced_id)
            values = dict(
                district=district,
                name=row.name,
                identifier=row.identifier,
                source_modified_at=row.modified,
            )
            if school is None:
                school = School(
                    sourced_id=row.sourced_id,
                    kind=mapping.school_kind(highest.get(row.sourced_id), row.name),
                    **values,
                )
                self.add(school, "orgs")
            else:
                self.change(school, "orgs", **values)
            self.org[row.sourced_id] = school
        for sid, school in self.db.schools.items():
            if sid not in self.active["orgs"]:
                self.org.setdefault(sid, school)
                self.org_type.setdefault(sid, "school")
            district_sid = next(
                (s for s, d in self.db.districts.items() if d.pk == school.district_id), ""
            )
            key = (district_sid, school.name)
            if sid not in self.active["orgs"] and key in names:
                line = names[key]
                self.problem(
                    "orgs",
                    line,
                    f"name '{school.name}' is the name of another school in Homeroom "
                    f"('{sid}'), expected each school of a district to have its own name",
                )
        self.kept("orgs", set(self.db.districts) | set(self.db.schools))

    def highest_grades(self) -> dict[str, str]:
        """The highest grade of the students each school enrolls, by the package."""
        grade_of = {sid: row.grade for sid, row in self.active["users"].items() if row.grade}
        highest: dict[str, str] = {}
        for role in self.active["roles"].values():
            if role.role != "student":
                continue
            grade = grade_of.get(role.user)
            if grade and grade_rank(grade) > grade_rank(highest.get(role.org, "")):
                highest[role.org] = grade
        return highest

    def kept(self, name: str, existing: Iterable[str]) -> None:
        """Rows a bulk file leaves out, or a delta deletes, that Homeroom keeps regardless."""
        if not self.package.present(name) or not existing:
            return
        if self.bulk(name):
            active: Any = self.active[name]
            if name == "results":
                active = {r.sourced_id for r in self.package.of(name) if not r.deleted}
            gone = [sid for sid in existing if sid not in active]
        else:
            gone = [sid for sid in self.deleted[name] if sid in set(existing)]
        if gone:
            self.counts[name].ignored += len(gone)
            self.note(
                f"{name}.csv: {len(gone):,} record(s) that Homeroom holds are left out or "
                "deleted by the package; Homeroom keeps them (it does not delete "
                f"{name} through an import)."
            )

    # --- academicSessions.csv

    def known_session(self, sid: str) -> SessionRow | AcademicSession | None:
        row = self.active["academicSessions"].get(sid)
        if row is not None:
            return row
        if sid in self.deleted["academicSessions"] or self.bulk("academicSessions"):
            return None
        return self.db.sessions.get(sid)

    def session_parent(self, row: SessionRow) -> str:
        """The parent of a session: as given, or the school year that holds it."""
        if row.type == "schoolYear":
            return ""
        if row.parent:
            return row.parent
        candidates = sorted(
            sid
            for sid, other in (
                *self.active["academicSessions"].items(),
                *(
                    (s, o)
                    for s, o in self.db.sessions.items()
                    if s not in self.active["academicSessions"]
                ),
            )
            if _kind(other) == "schoolYear"
            and _year(other) == row.school_year
            and row.start is not None
            and row.end is not None
            and _start(other) is not None
            and _start(other) <= row.start
            and row.end <= _end(other)
        )
        if len(candidates) == 1:
            return candidates[0]
        self.problem(
            "academicSessions",
            row.line,
            f"parentSourcedId is empty, expected the sourcedId of the session holding this "
            f"{row.type} (Homeroom places every session other than a school year inside one; "
            f"no single schoolYear {row.school_year} session holds these dates)",
        )
        return ""

    def plan_sessions(self) -> None:
        rows = self.active["academicSessions"]
        parents: dict[str, str] = {}
        for sid, row in rows.items():
            parent = self.session_parent(row)
            if parent and self.known_session(parent) is None:
                self.problem(
                    "academicSessions",
                    row.line,
                    f"parentSourcedId '{parent}' is not a session in academicSessions.csv or "
                    "in Homeroom, expected the sourcedId of the session that holds this one",
                )
                parent = ""
            parents[sid] = parent
        # The sessions as they will stand, to check each lies within its parent.
        final: dict[str, tuple[Any, Any, str]] = {}
        for sid, held in self.db.sessions.items():
            parent_sid = (
                next((s for s, o in self.db.sessions.items() if o.pk == held.parent_id), "")
                if held.parent_id
                else ""
            )
            final[sid] = (held.start_date, held.end_date, parent_sid)
        for sid, row in rows.items():
            final[sid] = (row.start, row.end, parents[sid])
        for sid, (start, end, parent) in final.items():
            if not parent or parent not in final or start is None or end is None:
                continue
            p_start, p_end, _ = final[parent]
            if p_start is None or p_end is None or (p_start <= start and end <= p_end):
                continue
            if sid in rows:
                self.problem(
                    "academicSessions",
                    rows[sid].line,
                    f"the dates {start} to {end} are not within the parent session "
                    f"'{parent}' ({p_start} to {p_end}), expected a session inside its parent",
                )
            elif parent in rows:
                self.problem(
                    "academicSessions",
                    rows[parent].line,
                    f"the dates {p_start} to {p_end} no longer hold the session '{sid}' that "
                    f"Homeroom keeps inside it ({start} to {end}), expected dates that hold it",
                )
        depth: dict[str, int] = {}
        for sid in rows:
            chain, current = [], sid
            while current and current not in depth and current not in chain:
                chain.append(current)
                current = final.get(current, (None, None, ""))[2]
            if current in chain:
                self.problem(
                    "academicSessions",
                    rows[sid].line,
                    "parentSourcedId leads back to this session, expected sessions nested "
                    "without a cycle",
                )
                for item in chain:
                    depth[item] = 0
                continue
            base = depth.get(current, -1) if current else -1
            for item in reversed(chain):
                base += 1
                depth[item] = base
        self.w.session_depth = depth
        for sid, row in sorted(rows.items(), key=lambda item: depth.get(item[0], 0)):
            session = self.db.sessions.get(sid)
            values = dict(
                title=row.title,
                kind=row.type,
                start_date=row.start,
                end_date=row.end,
                school_year=row.school_year,
                source_modified_at=row.modified,
            )
            if session is None:
                session = AcademicSession(sourced_id=sid, **values)
                self.add(session, "academicSessions")
                self.w.new_sessions.append(session)
            else:
                if self.w.update(session, **values):
                    self.w.changed_sessions.append(session)
                    self.counts["academicSessions"].changed += 1
                else:
                    self.counts["academicSessions"].unchanged += 1
            self.session[sid] = session
        for sid, session in self.db.sessions.items():
            self.session.setdefault(sid, session)
        for sid in rows:
            parent = parents[sid]
            session = self.session[sid]
            target = self.session.get(parent) if parent else None
            if session.pk is None:
                session.parent = target
            elif (target.pk if target else None) != session.parent_id or (
                target is not None and target.pk is None
            ):
                session.parent = target
                self.w.mark(session, "parent")
                if session not in self.w.changed_sessions:
                    self.w.changed_sessions.append(session)
        self.kept("academicSessions", self.db.sessions)

    # --- courses.csv

    def known_course(self, sid: str) -> CourseRow | Course | None:
        row = self.active["courses"].get(sid)
        if row is not None:
            return row
        if sid in self.deleted["courses"] or self.bulk("courses"):
            return None
        return self.db.courses.get(sid)

    def root_year(self, sid: str) -> str:
        seen = set()
        while sid and sid not in seen:
            seen.add(sid)
            session = self.session.get(sid)
            if session is None:
                return ""
            if session.kind == AcademicSession.Kind.SCHOOL_YEAR:
                return sid
            row = self.active["academicSessions"].get(sid)
            if row is not None:
                sid = self.session_parent_sid(sid)
            else:
                parent_pk = session.parent_id
                sid = next(
                    (s for s, o in self.session.items() if parent_pk and o.pk == parent_pk), ""
                )
        return ""

    def session_parent_sid(self, sid: str) -> str:
        session = self.session[sid]
        parent = session.parent if session.parent_id or session.pk is None else None
        if parent is None:
            return ""
        return parent.sourced_id

    def plan_courses(self) -> None:
        classes_of: dict[str, list[ClassRow]] = defaultdict(list)
        for row in self.active["classes"].values():
            classes_of[row.course].append(row)
        codes: dict[tuple[str, str, str], int] = {}
        taken = {(c.school_id, c.school_year_id, c.code): sid for sid, c in self.db.courses.items()}
        for sid, row in self.active["courses"].items():
            school_sid = self.course_school(row, classes_of[sid])
            year_sid = self.course_year(row, classes_of[sid])
            code = row.code or ids.code_for(sid)
            if school_sid and year_sid:
                key = (school_sid, year_sid, code)
                if key in codes:
                    self.problem(
                        "courses",
                        row.line,
                        f"courseCode '{code}' is already the code of the course on line "
                        f"{codes[key]} in the same school and year, expected one code per course",
                    )
                codes[key] = row.line
                school, year = self.org[school_sid], self.session[year_sid]
                other = taken.get((school.pk, year.pk, code)) if school.pk and year.pk else None
                if other and other != sid and other not in self.active["courses"]:
                    self.problem(
                        "courses",
                        row.line,
                        f"courseCode '{code}' is the code of another course in Homeroom "
                        f"('{other}') in the same school and year, expected one code per course",
                    )
            else:
                continue
            course = self.db.courses.get(sid)
            values = dict(
                school=self.org[school_sid],
                school_year=self.session[year_sid],
                title=row.title,
                code=code,
                subject=row.subject,
                source_modified_at=row.modified,
            )
            if course is None:
                course = Course(sourced_id=sid, **values)
                self.add(course, "courses")
            else:
                self.change(course, "courses", **values)
            self.course[sid] = course
        for sid, course in self.db.courses.items():
            self.course.setdefault(sid, course)
        self.kept("courses", self.db.courses)

    def course_school(self, row: CourseRow, classes: list[ClassRow]) -> str:
        kind = self.known_org_type(row.org)
        if kind == "school":
            # An org whose own row was refused is not placed; its problem is reported there.
            return row.org if row.org in self.org else ""
        if kind is None:
            self.problem(
                "courses",
                row.line,
                f"orgSourcedId '{row.org}' is not an org in orgs.csv or in Homeroom, expected "
                "the sourcedId of the course's school",
            )
            return ""
        schools = sorted({c.school for c in classes if c.school})
        if len(schools) == 1 and self.known_org_type(schools[0]) == "school":
            return schools[0] if schools[0] in self.org else ""
        self.problem(
            "courses",
            row.line,
            f"orgSourcedId '{row.org}' is a {kind}, not a school, and the course's classes are "
            f"in {len(schools)} schools, expected the sourcedId of one school (Homeroom keeps "
            "a course per school)",
        )
        return ""

    def course_year(self, row: CourseRow, classes: list[ClassRow]) -> str:
        if row.year:
            session = self.known_session(row.year)
            if session is None:
                self.problem(
                    "courses",
                    row.line,
                    f"schoolYearSourcedId '{row.year}' is not a session in "
                    "academicSessions.csv or in Homeroom, expected the sourcedId of a schoolYear",
                )
                return ""
            if _kind(session) != "schoolYear":
                self.problem(
                    "courses",
                    row.line,
                    f"schoolYearSourcedId '{row.year}' is a {_kind(session)}, expected the "
                    "sourcedId of a session of type schoolYear",
                )
                return ""
            return row.year
        years = sorted(
            {self.root_year(term) for c in classes for term in c.terms if term in self.session}
            - {""}
        )
        if len(years) == 1:
            return years[0]
        self.problem(
            "courses",
            row.line,
            "schoolYearSourcedId is empty and the terms of the course's classes do not name "
            "one school year, expected the sourcedId of the course's schoolYear session",
        )
        return ""

    # --- classes.csv

    def plan_classes(self) -> None:
        codes: dict[tuple[str, str], int] = {}
        taken = {(s.course_id, s.code): sid for sid, s in self.db.sections.items()}
        for sid, row in self.active["classes"].items():
            ok = True
            course = self.known_course(row.course)
            if course is None:
                self.problem(
                    "classes",
                    row.line,
                    f"courseSourcedId '{row.course}' is not a course in courses.csv or in "
                    "Homeroom, expected the sourcedId of the class's course",
                )
                ok = False
            school_type = self.known_org_type(row.school)
            if school_type != "school":
                self.problem(
                    "classes",
                    row.line,
                    f"schoolSourcedId '{row.school}' is not a school in orgs.csv or in "
                    "Homeroom, expected the sourcedId of the class's school",
                )
                ok = False
            terms = []
            for term in row.terms:
                if self.known_session(term) is None:
                    self.problem(
                        "classes",
                        row.line,
                        f"termSourcedIds names '{term}', which is not a session in "
                        "academicSessions.csv or in Homeroom, expected the sourcedIds of "
                        "the class's terms",
                    )
                    ok = False
                elif term in self.session:
                    terms.append(self.session[term])
            if not ok or row.course not in self.course or not terms or row.school not in self.org:
                continue
            course_obj = self.course[row.course]
            school = self.org[row.school]
            if course_obj.school is not school and course_obj.school_id != school.pk:
                self.problem(
                    "classes",
                    row.line,
                    f"schoolSourcedId '{row.school}' is not the school of the course "
                    f"'{row.course}', expected the course's school (Homeroom keeps a course "
                    "per school)",
                )
                continue
            code = row.code or ids.code_for(sid)
            key = (row.course, code)
            if key in codes:
                self.problem(
                    "classes",
                    row.line,
                    f"classCode '{code}' is already the code of the class on line {codes[key]} "
                    "of the same course, expected one code per class of a course",
                )
            codes[key] = row.line
            other = taken.get((course_obj.pk, code)) if course_obj.pk else None
            if other and other != sid and other not in self.active["classes"]:
                self.problem(
                    "classes",
                    row.line,
                    f"classCode '{code}' is the code of another class of the course in "
                    f"Homeroom ('{other}'), expected one code per class of a course",
                )
            starts = [t.start_date for t in terms if t.start_date]
            ends = [t.end_date for t in terms if t.end_date]
            section = self.db.sections.get(sid)
            values = dict(
                course=course_obj,
                school=school,
                code=code,
                room=row.location,
                start_date=min(starts) if starts else None,
                end_date=max(ends) if ends else None,
                source_modified_at=row.modified,
            )
            if section is None:
                section = Section(sourced_id=sid, **values)
                self.add(section, "classes")
                changed = True
            else:
                changed = self.w.update(section, **values)
            changed |= self.w.section_terms(section, terms)
            changed |= self.w.section_meetings(section, school, row.periods)  # type: ignore[arg-type]
            if section.pk is not None:
                if changed:
                    self.counts["classes"].changed += 1
                else:
                    self.counts["classes"].unchanged += 1
            self.section[sid] = section
        for sid, section in self.db.sections.items():
            self.section.setdefault(sid, section)
        self.refresh_section_spans()
        self.kept("classes", self.db.sections)

    def refresh_section_spans(self) -> None:
        """Sections the package leaves alone still follow their terms' new dates."""
        changed = {s.pk for s in self.w.changed_sessions if s.pk}
        if not changed:
            return
        by_pk = {s.pk: s for s in self.session.values() if s.pk}
        for sid, section in self.db.sections.items():
            if sid in self.active["classes"]:
                continue
            terms = self.db.section_terms.get(section.pk, set())
            if not terms & changed:
                continue
            # A session whose dates were refused above has none; the import stops anyway.
            sessions = [
                by_pk[t] for t in terms if t in by_pk and by_pk[t].start_date and by_pk[t].end_date
            ]
            if not sessions:
                continue
            self.w.update(
                section,
                start_date=min(s.start_date for s in sessions),
                end_date=max(s.end_date for s in sessions),
            )

    # --- users.csv and roles.csv

    def plan_kinds(self) -> None:
        """What Homeroom record each user is (student, guardian, staff), from their roles."""
        for role in self.active["roles"].values():
            self.kinds[role.user].add(mapping.kind_of_role(role.role))
        if not self.bulk("roles"):
            deleted_roles = self.deleted["roles"]
            for sid in self.db.students:
                self.kinds[sid].add(STUDENT)
            for sid in self.db.guardians:
                self.kinds[sid].add(GUARDIAN)
            for sid in self.db.staff:
                self.kinds[sid].add(STAFF)
            del deleted_roles

    def user_exists(self, sid: str) -> bool:
        if sid in self.active["users"]:
            return True
        if sid in self.deleted["users"] or self.bulk("users"):
            return False
        return sid in self.db.students or sid in self.db.guardians or sid in self.db.staff

    def plan_users(self) -> None:
        demographics = self.active["demographics"]
        # Local ids and SASIDs held by students the package leaves as they are.
        users = self.active["users"]
        self.held_local_ids = {
            s.local_id: sid for sid, s in self.db.students.items() if sid not in users
        }
        self.held_state_ids = {
            s.state_id: sid
            for sid, s in self.db.students.items()
            if s.state_id and sid not in self.active["users"]
        }
        local_ids: dict[str, int] = {}
        state_ids: dict[str, int] = {}
        for sid, row in self.active["users"].items():
            kinds = self.kinds.get(sid, set())
            if not kinds:
                self.problem(
                    "users",
                    row.line,
                    f"the user '{sid}' has no role in roles.csv or in Homeroom, expected at "
                    "least one role (student, teacher, parent …) for each user",
                )
                continue
            results = set()
            if STUDENT in kinds:
                results.add(self.plan_student(row, demographics.get(sid), local_ids, state_ids))
            if GUARDIAN in kinds:
                results.add(self.plan_guardian(row))
            if STAFF in kinds:
                results.add(self.plan_staff(row))
            counts = self.counts["users"]
            if "added" in results:
                counts.added += 1
            elif "changed" in results:
                counts.changed += 1
            else:
                counts.unchanged += 1
        for sid, student in self.db.students.items():
            self.students.setdefault(sid, student)
        for sid, guardian in self.db.guardians.items():
            self.guardians.setdefault(sid, guardian)
        for sid, staff in self.db.staff.items():
            self.staff.setdefault(sid, staff)
        for sid, row in demographics.items():
            if not self.user_exists(sid):
                self.problem(
                    "demographics",
                    row.line,
                    f"sourcedId '{sid}' is not a user in users.csv or in Homeroom, expected "
                    "the sourcedId of the user these demographics describe",
                )
            elif STUDENT not in self.kinds.get(sid, set()):
                self.counts["demographics"].ignored += 1
            elif sid not in self.active["users"]:
                found_student = self.students.get(sid)
                if found_student is not None and row.birth_date is not None:
                    changed = self.w.update(found_student, date_of_birth=row.birth_date)
                    counts = self.counts["demographics"]
                    if changed:
                        counts.changed += 1
                    else:
                        counts.unchanged += 1

    def plan_student(
        self,
        row: UserRow,
        demographic: Any,
        local_ids: dict[str, int],
        state_ids: dict[str, int],
    ) -> str:
        sid = row.sourced_id
        student = self.db.students.get(sid)
        if not row.identifier:
            self.problem(
                "users",
                row.line,
                "identifier is empty, expected the student's local id (Homeroom needs one for "
                "every student)",
            )
        for value, seen, held, label in (
            (row.identifier, local_ids, self.held_local_ids, "identifier"),
            (row.sasid, state_ids, self.held_state_ids, "userIds SASID"),
        ):
            if not value:
                continue
            if value in seen:
                self.problem(
                    "users",
                    row.line,
                    f"{label} '{value}' is already the {label} of the student on line "
                    f"{seen[value]}, expected each student's own",
                )
                continue
            seen[value] = row.line
            if held.get(value, sid) != sid:
                self.problem(
                    "users",
                    row.line,
                    f"{label} '{value}' belongs to another student in Homeroom "
                    f"('{held[value]}'), expected a value no other student has",
                )
        grade = row.grade
        if grade and grade_rank(grade) < 0:
            self.problem(
                "users",
                row.line,
                f"grades '{grade}' is a grade Homeroom does not serve, expected one of PK, KG, "
                "01 to 12",
            )
            grade = ""
        birth = demographic.birth_date if demographic is not None else None
        if student is None:
            if not row.grade:
                self.problem(
                    "users",
                    row.line,
                    "grades is empty, expected the student's grade level (Homeroom needs it "
                    "for a new student)",
                )
            if birth is None:
                self.problem(
                    "users",
                    row.line,
                    f"the student '{sid}' has no birthDate in demographics.csv, expected one "
                    "(Homeroom needs a date of birth for a new student)",
                )
        values: dict[str, Any] = dict(
            legal_first_name=row.given,
            legal_middle_name=row.middle,
            legal_last_name=row.family,
            preferred_first_name=row.preferred_given,
            preferred_last_name=row.preferred_family,
            email=row.email,
            state_id=row.sasid or None,
            source_modified_at=row.modified,
        )
        if row.identifier:
            values["local_id"] = row.identifier
        if grade:
            values["grade_level"] = grade
        demographics = self.counts["demographics"]
        if student is None:
            student = Student(sourced_id=sid, date_of_birth=birth, **values)  # type: ignore[misc]
            self.w.create(student)
            self.students[sid] = student
            if demographic is not None:
                demographics.added += 1
            return "added"
        self.students[sid] = student
        if birth is not None:
            if self.w.update(student, date_of_birth=birth):
                demographics.changed += 1
            else:
                demographics.unchanged += 1
        return "changed" if self.w.update(student, **values) else "unchanged"

    def plan_guardian(self, row: UserRow) -> str:
        sid = row.sourced_id
        guardian = self.db.guardians.get(sid)
        values: dict[str, Any] = dict(
            first_name=row.given, last_name=row.family, source_modified_at=row.modified
        )
        # Contact data is left out of exports by default (R64): a blank never erases it.
        if row.email:
            values["email"] = row.email
        if row.phone:
            values["phone"] = row.phone
        if guardian is None:
            guardian = Guardian(sourced_id=sid, **values)
            self.w.create(guardian)
            self.guardians[sid] = guardian
            return "added"
        self.guardians[sid] = guardian
        return "changed" if self.w.update(guardian, **values) else "unchanged"

    def plan_staff(self, row: UserRow) -> str:
        sid = row.sourced_id
        staff = self.db.staff.get(sid)
        values = dict(
            first_name=row.given,
            last_name=row.family,
            email=row.email,
            identifier=row.identifier,
            source_modified_at=row.modified,
        )
        if staff is None:
            staff = Staff(sourced_id=sid, **values)
            self.w.create(staff)
            self.staff[sid] = staff
            return "added"
        self.staff[sid] = staff
        return "changed" if self.w.update(staff, **values) else "unchanged"

    def school_year_start(self) -> datetime.date:
        """When an enrollment with no beginDate began: the current school year's first day."""
        for session in self.session.values():
            if (
                session.kind == AcademicSession.Kind.SCHOOL_YEAR
                and session.start_date
                and session.end_date
                and session.start_date <= self.today <= session.end_date
            ):
                return session.start_date
        return self.today

    def plan_roles(self) -> None:
        self.guardian_roles: dict[str, list[tuple[int, str]]] = defaultdict(list)
        wanted_staff_roles: set[tuple[int, str, int | None]] = set()
        self.staff_role_objects: dict[tuple[str, str, str], StaffRole] = {}
        seen_enrollments: set[str] = set()
        for sid, row in self.active["roles"].items():
            if not self.user_exists(row.user):
                self.problem(
                    "roles",
                    row.line,
                    f"userSourcedId '{row.user}' is not a user in users.csv or in Homeroom, "
                    "expected the sourcedId of the user who holds the role",
                )
                continue
            org_type = self.known_org_type(row.org)
            if org_type in ("district", "school") and row.org not in self.org:
                continue  # the org's own row was refused, and said why
            if org_type is None:
                self.problem(
                    "roles",
                    row.line,
                    f"orgSourcedId '{row.org}' is not an org in orgs.csv or in Homeroom, "
                    "expected the sourcedId of the school or district of the role",
                )
                continue
            kind = mapping.kind_of_role(row.role)
            if kind == STUDENT:
                seen_enrollments.add(sid)
                self.plan_enrollment(row, org_type)
            elif kind == GUARDIAN:
                self.guardian_roles[row.user].append((row.line, row.role))
                key = ids.guardian_role_key(row.user, row.role, row.org)
                new = (("roles", sid)) not in self.db.aliases
                changed = self.alias("roles", sid, key, row)
                counts = self.counts["roles"]
                if new:
                    counts.added += 1
                elif changed:
                    counts.changed += 1
                else:
                    counts.unchanged += 1
            else:
                self.plan_staff_role(row, org_type, wanted_staff_roles)
        # Enrollments and staff roles the package ends.
        if self.package.present("roles"):
            removed_enrollments = [
                e
                for sid, e in self.db.enrollments.items()
                if sid in self.deleted["roles"]
                or (self.bulk("roles") and sid not in self.active["roles"])
            ]
            for enrollment in removed_enrollments:
                if self.end_enrollment(enrollment):
                    self.counts["roles"].removed += 1
            self.plan_staff_role_removals(wanted_staff_roles)
            self.plan_guardian_role_removals()

    def alias(self, file: str, sid: str, key: str, row: Any) -> bool:
        """Keep the sourcedId of a row held inside another Homeroom record; True if new or
        changed."""
        existing = self.db.aliases.get((file, sid))
        if existing is None:
            self.w.create(
                SourcedAlias(file=file, sourced_id=sid, key=key, source_modified_at=row.modified)
            )
            return True
        return self.w.update(existing, key=key, source_modified_at=row.modified)

    def plan_enrollment(self, row: Any, org_type: str) -> None:
        if org_type != "school":
            self.problem(
                "roles",
                row.line,
                f"orgSourcedId '{row.org}' is a {org_type}, expected the sourcedId of the "
                "school that enrolls the student (Homeroom enrolls students in schools)",
            )
            return
        student = self.students.get(row.user)
        if student is None:
            self.problem(
                "roles",
                row.line,
                f"the user '{row.user}' is not a student in Homeroom, expected their row in "
                "users.csv with this student role",
            )
            return
        enrollment = self.db.enrollments.get(row.sourced_id)
        entry = row.begin or (enrollment.entry_date if enrollment else self.school_year_start())
        if row.end is not None and row.end < entry:
            self.problem(
                "roles",
                row.line,
                f"endDate {row.end} is before the enrollment's first day {entry}, expected a "
                "beginDate on or before the endDate",
            )
            return
        reason = ""
        if row.end is not None:
            reason = (enrollment.exit_reason if enrollment else "") or (Enrollment.ExitReason.OTHER)
        values = dict(
            student=student,
            school=self.org[row.org],
            entry_date=entry,
            exit_date=row.end,
            exit_reason=reason,
            source_modified_at=row.modified,
        )
        if enrollment is None:
            user = self.active["users"].get(row.user)
            grade = user.grade if user is not None and grade_rank(user.grade) >= 0 else ""
            enrollment = Enrollment(
                sourced_id=row.sourced_id, grade_level=grade or student.grade_level, **values
            )
            self.add(enrollment, "roles")
        else:
            self.change(enrollment, "roles", **values)

    def plan_staff_role(
        self, row: Any, org_type: str, wanted: set[tuple[int, str, int | None]]
    ) -> None:
        role = mapping.STAFF_ROLE_FROM_ONEROSTER.get(row.role)
        staff = self.staff.get(row.user)
        counts = self.counts["roles"]
        if staff is None:
            self.problem(
                "roles",
                row.line,
                f"the user '{row.user}' is not staff in Homeroom, expected their row in "
                f"users.csv with this {row.role} role",
            )
            return
        if role is None:
            # aide, counselor, proctor: a staff member, without a role Homeroom knows.
            counts.ignored += 1
            return
        school_role = role not in StaffRole.DISTRICT_ROLES and role != StaffRole.Role.REGISTRAR
        if school_role and org_type != "school":
            self.problem(
                "roles",
                row.line,
                f"orgSourcedId '{row.org}' is a {org_type}, expected the sourcedId of a school "
                f"(a {row.role} works in a school)",
            )
            return
        school = self.org[row.org] if school_role else None
        key = (row.user, role, row.org if school_role else "")
        alias_new = ("roles", row.sourced_id) not in self.db.aliases
        alias_changed = self.alias("roles", row.sourced_id, ids.staff_role_key(*key), row)
        if key in self.staff_role_objects:
            # principal and siteAdministrator of one school are one role in Homeroom.
            counts.unchanged += 1
            return
        db_key = (staff.pk, role, school.pk if school else None)
        current = (
            self.db.staff_roles.get(db_key) if staff.pk and (school is None or school.pk) else None
        )
        values = dict(start_date=row.begin, end_date=row.end)
        if current is None:
            current = StaffRole(staff=staff, role=role, school=school, **values)  # type: ignore[misc]
            self.w.create(current)
            counts.added += 1
        else:
            wanted.add(db_key)
            if self.w.update(current, **values) or alias_changed:
                counts.changed += 1
            elif alias_new:
                counts.added += 1
            else:
                counts.unchanged += 1
        self.staff_role_objects[key] = current

    def plan_staff_role_removals(self, wanted: set[tuple[int, str, int | None]]) -> None:
        derived: dict[str, tuple[int, str, int | None]] = {}
        staff_sid = {s.pk: sid for sid, s in self.db.staff.items()}
        school_sid = {s.pk: sid for sid, s in self.db.schools.items()}
        for key in self.db.staff_roles:
            staff_pk, role, school_pk = key
            school = school_sid.get(school_pk, "") if school_pk else ""
            text = ids.staff_role_key(staff_sid.get(staff_pk, ""), role, school)
            derived[text] = key
        by_alias = {
            alias.sourced_id: derived.get(alias.key)
            for (file, _sid), alias in self.db.aliases.items()
            if file == "roles"
        }
        by_derived = {ids.derived(*ids.parts(text)): key for text, key in derived.items()}
        ended: set[tuple[int, str, int | None]] = set()
        for sid in self.deleted["roles"]:
            found = by_alias.get(sid) or by_derived.get(sid)
            if found is not None:
                ended.add(found)
        if self.bulk("roles"):
            for key in self.db.staff_roles:
                if key not in wanted and key[1] not in mapping.HOMEROOM_ONLY_ROLES:
                    ended.add(key)
        for key in ended:
            if key in wanted:
                continue
            if self.end_staff_role(self.db.staff_roles[key]):
                self.counts["roles"].removed += 1

    def plan_guardian_role_removals(self) -> None:
        """A guardian left with no guardian role is no longer anyone's guardian."""
        gone: set[str] = set()
        for (file, sid), alias in self.db.aliases.items():
            if file != "roles" or not alias.key.startswith('["guardian"'):
                continue
            if sid in self.deleted["roles"] or (
                self.bulk("roles") and sid not in self.active["roles"]
            ):
                gone.add(ids.parts(alias.key)[1])
                self.w.delete(alias)
        if self.bulk("roles"):
            gone |= {sid for sid in self.db.guardians if sid not in self.guardian_roles}
        for sid in gone:
            if sid in self.guardian_roles:
                continue
            guardian = self.db.guardians.get(sid)
            if guardian is not None and self.end_links(guardian=guardian):
                self.counts["roles"].removed += 1

    # --- Guardian links, from agentSourcedIds

    def relationship_for(self, guardian_sid: str) -> str | None:
        """The relationship the guardian's role in this package gives, None without one."""
        roles = sorted(self.guardian_roles.get(guardian_sid, []))
        if not roles:
            return None
        return mapping.RELATIONSHIP_FROM_ROLE.get(roles[0][1], GuardianLink.Relationship.PARENT)

    def relationship_held(self, guardian: Guardian) -> str:
        """For a new link of a guardian the package gives no role: as the guardian's other
        links say, else parent."""
        if not hasattr(self, "_held"):
            self._held: dict[int, str] = {}
            for (g_pk, _s_pk), link in self.db.links.items():
                self._held.setdefault(g_pk, link.relationship)
        return self._held.get(guardian.pk or 0, GuardianLink.Relationship.PARENT)

    def plan_links(self) -> None:
        if "agentSourcedIds" not in self.package.columns.get("users", frozenset()):
            return
        wanted: dict[tuple[str, str], int] = {}
        users = self.active["users"]
        for sid, row in users.items():
            kinds = self.kinds.get(sid, set())
            for agent in row.agents:
                agent_kinds = self.kinds.get(agent, set()) if self.user_exists(agent) else set()
                if not self.user_exists(agent):
                    self.problem(
                        "users",
                        row.line,
                        f"agentSourcedIds names '{agent}', who is not a user in users.csv or "
                        "in Homeroom, expected the sourcedIds of the user's parents, guardians "
                        "or children",
                    )
                elif STUDENT in kinds and GUARDIAN in agent_kinds:
                    wanted.setdefault((agent, sid), row.line)
                elif GUARDIAN in kinds and STUDENT in agent_kinds:
                    wanted.setdefault((sid, agent), row.line)
                else:
                    self.problem(
                        "users",
                        row.line,
                        f"agentSourcedIds names '{agent}', expected a parent, guardian or "
                        "relative of a student, or a student of a parent, guardian or relative",
                    )
        counts = self.counts["guardianLinks"]
        for (g_sid, s_sid), _line in wanted.items():
            guardian, student = self.guardians.get(g_sid), self.students.get(s_sid)
            if guardian is None or student is None:
                continue
            relationship = self.relationship_for(g_sid)
            link = (
                self.db.links.get((guardian.pk, student.pk)) if guardian.pk and student.pk else None
            )
            if link is None:
                self.add(
                    GuardianLink(
                        sourced_id=ids.link_sourced_id(g_sid, s_sid),
                        guardian=guardian,
                        student=student,
                        relationship=relationship or self.relationship_held(guardian),
                    ),
                    "guardianLinks",
                )
                continue
            values: dict[str, Any] = {}
            if relationship is not None and mapping.ROLE_FROM_RELATIONSHIP.get(
                link.relationship
            ) != mapping.ROLE_FROM_RELATIONSHIP.get(relationship):
                values["relationship"] = relationship
            if link.ended_on is not None:
                if link.portal_status == GuardianLink.PortalStatus.ACTIVE:
                    self.note(
                        f"The link of guardian '{g_sid}' to student '{s_sid}' is listed again "
                        "but was ended while activated: it stays ended; issue a new "
                        "activation code to open it (R14)."
                    )
                else:
                    values["ended_on"] = None
            self.change(link, "guardianLinks", **values)
        # Links of the users in the package that no row names any more.
        present = set(users)
        guardian_sid = {g.pk: sid for sid, g in self.db.guardians.items()}
        student_sid = {s.pk: sid for sid, s in self.db.students.items()}
        for (g_pk, s_pk), link in self.db.links.items():
            g_sid, s_sid = guardian_sid.get(g_pk, ""), student_sid.get(s_pk, "")
            if (g_sid, s_sid) in wanted:
                continue
            if (g_sid in present or s_sid in present) and self.end_link(link):
                counts.removed += 1

    # --- enrollments.csv

    def plan_enrollments(self) -> None:
        rosters: dict[tuple[str, str, Any], int] = {}
        taken = {
            (r.section_id, r.student_id, r.start_date): sid for sid, r in self.db.rosters.items()
        }
        wanted_teachers: set[tuple[str, str]] = set()
        for sid, row in self.active["enrollments"].items():
            section = self.section.get(row.klass) if self.known_class(row.klass) else None
            if section is None:
                self.problem(
                    "enrollments",
                    row.line,
                    f"classSourcedId '{row.klass}' is not a class in classes.csv or in "
                    "Homeroom, expected the sourcedId of the class",
                )
                continue
            if not self.user_exists(row.user):
                self.problem(
                    "enrollments",
                    row.line,
                    f"userSourcedId '{row.user}' is not a user in users.csv or in Homeroom, "
                    "expected the sourcedId of the enrolled user",
                )
                continue
            school = self.org.get(row.school) if self.known_org_type(row.school) else None
            if school is None or (school is not section.school and school.pk != section.school_id):
                self.problem(
                    "enrollments",
                    row.line,
                    f"schoolSourcedId '{row.school}' is not the school of the class "
                    f"'{row.klass}', expected the sourcedId of the class's school",
                )
                continue
            kinds = self.kinds.get(row.user, set())
            if row.role == "student":
                if STUDENT not in kinds or row.user not in self.students:
                    self.problem(
                        "enrollments",
                        row.line,
                        f"role is student but '{row.user}' is not a student, expected a user "
                        "with a student role in roles.csv",
                    )
                    continue
                self.plan_roster(sid, row, section, rosters, taken)
            elif row.role == "teacher":
                if STAFF not in kinds or row.user not in self.staff:
                    self.problem(
                        "enrollments",
                        row.line,
                        f"role is teacher but '{row.user}' is not staff, expected a user with "
                        "a teacher or other staff role in roles.csv",
                    )
                    continue
                wanted_teachers.add((row.klass, row.user))
                self.plan_section_teacher(sid, row, section)
            else:
                self.counts["enrollments"].ignored += 1
        if self.package.present("enrollments"):
            bulk = self.bulk("enrollments")
            for sid, roster in self.db.rosters.items():
                gone = sid in self.deleted["enrollments"] or (
                    bulk and sid not in self.active["enrollments"]
                )
                if gone and self.end_roster(roster):
                    self.counts["enrollments"].removed += 1
            self.plan_teacher_removals(wanted_teachers)

    def known_class(self, sid: str) -> bool:
        if sid in self.active["classes"]:
            return sid in self.section
        if sid in self.deleted["classes"] or self.bulk("classes"):
            return False
        return sid in self.db.sections

    def plan_roster(
        self,
        sid: str,
        row: Any,
        section: Section,
        rosters: dict[tuple[str, str, Any], int],
        taken: dict[tuple[int, int, Any], str],
    ) -> None:
        student = self.students[row.user]
        start = row.begin or section.start_date
        if row.end is not None and start is not None and row.end < start:
            self.problem(
                "enrollments",
                row.line,
                f"endDate {row.end} is before the first day {start}, expected a beginDate on or "
                "before the endDate",
            )
            return
        key = (row.klass, row.user, start)
        if key in rosters:
            self.problem(
                "enrollments",
                row.line,
                f"the student '{row.user}' is already in the class '{row.klass}' from {start} "
                f"(line {rosters[key]}), expected one enrollment per student, class and first day",
            )
        rosters[key] = row.line
        if section.pk and student.pk:
            other = taken.get((section.pk, student.pk, start))
            if other and other != sid and other not in self.active["enrollments"]:
                self.problem(
                    "enrollments",
                    row.line,
                    f"the student '{row.user}' is already in the class '{row.klass}' from "
                    f"{start} in Homeroom ('{other}'), expected one enrollment per student, "
                    "class and first day",
                )
        roster = self.db.rosters.get(sid)
        values = dict(
            section=section,
            student=student,
            start_date=start,
            end_date=row.end,
            source_modified_at=row.modified,
        )
        if roster is None:
            self.add(Roster(sourced_id=sid, **values), "enrollments")
        else:
            self.change(roster, "enrollments", **values)

    def plan_section_teacher(self, sid: str, row: Any, section: Section) -> None:
        staff = self.staff[row.user]
        role = SectionTeacher.Role.PRIMARY if row.primary else SectionTeacher.Role.SECONDARY
        alias_changed = self.alias("enrollments", sid, ids.teacher_key(row.klass, row.user), row)
        current = (
            self.db.section_teachers.get((section.pk, staff.pk))
            if section.pk and staff.pk
            else None
        )
        if current is None:
            key = (row.klass, row.user)
            if key in self.w.new_teachers:
                self.counts["enrollments"].unchanged += 1
                return
            teacher = SectionTeacher(section=section, staff=staff, role=role)
            self.w.new_teachers[key] = teacher
            self.add(teacher, "enrollments")
        else:
            changed = self.w.update(current, role=role) or alias_changed
            if changed:
                self.counts["enrollments"].changed += 1
            else:
                self.counts["enrollments"].unchanged += 1

    def plan_teacher_removals(self, wanted: set[tuple[str, str]]) -> None:
        """Teachers a delta deletes, or a bulk enrollments.csv leaves out, leave the class."""
        section_sid = {s.pk: sid for sid, s in self.db.sections.items()}
        staff_sid = {s.pk: sid for sid, s in self.db.staff.items()}
        by_pair = {
            (section_sid.get(sec, ""), staff_sid.get(st, "")): (sec, st)
            for sec, st in self.db.section_teachers
        }
        pair_of_sid = {ids.derived(*ids.parts(ids.teacher_key(*pair))): pair for pair in by_pair}
        for (file, sid), alias in self.db.aliases.items():
            if file != "enrollments":
                continue
            klass, user = ids.parts(alias.key)[1:]
            pair_of_sid[sid] = (klass, user)
            if sid in self.deleted["enrollments"] or (
                self.bulk("enrollments") and sid not in self.active["enrollments"]
            ):
                self.w.delete(alias)
        gone = {pair_of_sid[sid] for sid in self.deleted["enrollments"] if sid in pair_of_sid}
        if self.bulk("enrollments"):
            gone |= set(by_pair)
        for pair in gone - wanted:
            db_key = by_pair.get(pair)
            if db_key is not None:
                self.w.delete(self.db.section_teachers[db_key])
                self.counts["enrollments"].removed += 1

    # --- Removal: what ends at once

    def end_enrollment(self, enrollment: Enrollment) -> bool:
        if enrollment.exit_date is not None and enrollment.exit_date <= self.yesterday:
            return False
        exit_date = max(enrollment.entry_date, self.yesterday)
        self.w.left.add(("student", enrollment.student_id))
        return self.w.update(
            enrollment,
            exit_date=exit_date,
            exit_reason=enrollment.exit_reason or Enrollment.ExitReason.OTHER,
        )

    def end_roster(self, roster: Roster) -> bool:
        if roster.end_date is not None and roster.end_date <= self.yesterday:
            return False
        return self.w.update(roster, end_date=max(roster.start_date, self.yesterday))

    def end_link(self, link: GuardianLink) -> bool:
        if link.ended_on is not None and link.ended_on <= self.today:
            return False
        self.w.left.add(("guardian", link.guardian_id))
        return self.w.update(link, ended_on=self.today)

    def end_links(
        self, *, guardian: Guardian | None = None, student: Student | None = None
    ) -> bool:
        if not hasattr(self, "_links_by"):
            self._links_by: dict[tuple[str, int], list[GuardianLink]] = defaultdict(list)
            for (g_pk, s_pk), link in self.db.links.items():
                self._links_by[("g", g_pk)].append(link)
                self._links_by[("s", s_pk)].append(link)
        links = self._links_by[("g", guardian.pk)] if guardian is not None else []
        links += self._links_by[("s", student.pk)] if student is not None else []
        ended = False
        for link in links:
            if self.end_link(link):
                self.counts["guardianLinks"].removed += 1
                ended = True
        return ended

    def end_staff_role(self, role: StaffRole) -> bool:
        if role.end_date is not None and role.end_date <= self.yesterday:
            return False
        end = self.yesterday
        if role.start_date is not None and role.start_date > end:
            end = role.start_date
        return self.w.update(role, end_date=end)

    def plan_person_removals(self) -> None:
        """Users a delta deletes, or a bulk users.csv leaves out, leave: their enrollments,
        class places, guardian links and staff roles end today; their records stay."""
        if not self.package.present("users"):
            return
        gone = set(self.deleted["users"])
        if self.bulk("users"):
            gone |= {
                sid
                for sid in (*self.db.students, *self.db.guardians, *self.db.staff)
                if sid not in self.active["users"]
            }
        if not gone:
            return
        by_person: dict[tuple[str, int], list[Any]] = defaultdict(list)
        for enrollment in self.db.enrollments.values():
            by_person[("enrollment", enrollment.student_id)].append(enrollment)
        for roster in self.db.rosters.values():
            by_person[("roster", roster.student_id)].append(roster)
        for role in self.db.staff_roles.values():
            by_person[("role", role.staff_id)].append(role)
        for (_section, staff_pk), teacher in self.db.section_teachers.items():
            by_person[("teacher", staff_pk)].append(teacher)
        for sid in sorted(gone):
            ended = False
            student = self.db.students.get(sid)
            if student is not None:
                for enrollment in by_person[("enrollment", student.pk)]:
                    ended |= self.end_enrollment(enrollment)
                for roster in by_person[("roster", student.pk)]:
                    ended |= self.end_roster(roster)
                ended |= self.end_links(student=student)
            guardian = self.db.guardians.get(sid)
            if guardian is not None:
                ended |= self.end_links(guardian=guardian)
            staff = self.db.staff.get(sid)
            if staff is not None:
                for role in by_person[("role", staff.pk)]:
                    ended |= self.end_staff_role(role)
                for teacher in by_person[("teacher", staff.pk)]:
                    if teacher not in self.w.deleted_objects:
                        self.w.delete(teacher)
                        ended = True
            if ended:
                self.counts["users"].removed += 1

    # --- categories.csv, lineItems.csv, results.csv

    def plan_categories(self) -> None:
        uses: dict[str, set[str]] = defaultdict(set)
        for row in self.active["lineItems"].values():
            if row.category and row.klass:
                uses[row.category].add(row.klass)
        section_sid = {s.pk: sid for sid, s in self.section.items() if s.pk}
        names: dict[tuple[str, str], int] = {}
        db_names = {(c.section_id, c.name): sid for sid, c in self.db.categories.items()}
        for sid, row in self.active["categories"].items():
            existing = self.db.categories.get(sid)
            if row.klass:
                if not self.known_class(row.klass):
                    self.problem(
                        "categories",
                        row.line,
                        f"metadata.classSourcedId '{row.klass}' is not a class in classes.csv or "
                        "in Homeroom, expected the sourcedId of the category's class",
                    )
                    continue
                home = row.klass
            elif existing is not None:
                home = section_sid.get(existing.section_id, "")
            else:
                home = min(uses[sid]) if uses[sid] else ""
            if not home:
                self.counts["categories"].ignored += 1
                self.note(
                    f"categories.csv line {row.line}: the category '{sid}' belongs to no class "
                    "(no metadata.classSourcedId and no line item uses it); it is left out."
                )
                continue
            for klass in sorted({home} | uses[sid]):
                section = self.section.get(klass)
                if section is None or not self.known_class(klass):
                    continue
                category_sid = sid if klass == home else ids.split_category_sourced_id(sid, klass)
                key = (klass, row.title)
                if key in names:
                    self.problem(
                        "categories",
                        row.line,
                        f"title '{row.title}' is already the title of the category on line "
                        f"{names[key]} in the class '{klass}', expected one category per title "
                        "in a class",
                    )
                names[key] = row.line
                other = db_names.get((section.pk, row.title)) if section.pk else None
                if other and other != category_sid and other not in self.active["categories"]:
                    self.problem(
                        "categories",
                        row.line,
                        f"title '{row.title}' is the title of another category of the class "
                        f"'{klass}' in Homeroom ('{other}'), expected one category per title in "
                        "a class",
                    )
                category = self.db.categories.get(category_sid)
                values: dict[str, Any] = dict(
                    section=section, name=row.title, source_modified_at=row.modified
                )
                if row.weight is not None or category is None:
                    values["weight"] = (
                        row.weight if row.weight is not None else DEFAULT_CATEGORY_WEIGHT
                    )
                if "metadata.dropLowest" in self.package.columns.get("categories", ()):
                    values["drop_lowest"] = row.drop_lowest
                if category is None:
                    category = Category(sourced_id=category_sid, **values)
                    self.add(category, "categories")
                else:
                    self.change(category, "categories", **values)
                self.category[(sid, klass)] = category
        for sid, category in self.db.categories.items():
            klass = section_sid.get(category.section_id)
            if klass:
                self.category.setdefault((sid, klass), category)
        self.kept("categories", self.db.categories)

    def plan_line_items(self) -> None:
        for sid, row in self.active["lineItems"].items():
            if not self.known_class(row.klass):
                self.problem(
                    "lineItems",
                    row.line,
                    f"classSourcedId '{row.klass}' is not a class in classes.csv or in "
                    "Homeroom, expected the sourcedId of the line item's class",
                )
                continue
            category = self.category.get((row.category, row.klass))
            if category is None:
                known = row.category in self.active["categories"] or (
                    not self.bulk("categories") and row.category in self.db.categories
                )
                self.problem(
                    "lineItems",
                    row.line,
                    f"categorySourcedId '{row.category}' is "
                    + (
                        "a category of another class, expected a category of the class "
                        f"'{row.klass}'"
                        if known
                        else "not a category in categories.csv or in Homeroom, expected the "
                        "sourcedId of the line item's category"
                    ),
                )
                continue
            if row.grading_period and self.known_session(row.grading_period) is None:
                self.problem(
                    "lineItems",
                    row.line,
                    f"gradingPeriodSourcedId '{row.grading_period}' is not a session in "
                    "academicSessions.csv or in Homeroom, expected the sourcedId of a grading "
                    "period",
                )
            self.plan_assignment(sid, row, self.section[row.klass], category)
        for sid, assignment in self.db.assignments.items():
            self.assignment.setdefault(sid, assignment)
        self.kept("lineItems", self.db.assignments)

    def plan_assignment(
        self, sid: str, row: LineItemRow, section: Section, category: Category
    ) -> None:
        assignment = self.db.assignments.get(sid)
        values: dict[str, Any] = dict(
            section=section,
            category=category,
            title=row.title,
            description=row.description,
            points_possible=row.points_possible,
            assigned_on=row.assigned,
            due_on=row.due,
            source_modified_at=row.modified,
        )
        if assignment is None:
            day = row.assigned or row.due
            visible = mapping.local_midnight(day) if day else self.now
            assignment = Assignment(
                sourced_id=sid, visible_at=min(visible, self.now), created_at=self.now, **values
            )
            self.add(assignment, "lineItems")
        else:
            if assignment.assigned_on != row.assigned and row.assigned:
                values["visible_at"] = min(mapping.local_midnight(row.assigned), self.now)
            self.change(assignment, "lineItems", **values)
        self.assignment[sid] = assignment

    def plan_results(self) -> None:
        """Millions of rows: each line item and student is checked once, then looked up."""
        rows = self.package.of("results")
        if not rows:
            return
        self.say(f"results.csv: checking {len(rows):,} rows…")
        counts = self.counts["results"]
        # sourcedId → (row, a number of its own), or None when not a line item or student.
        line_items: dict[str, tuple[Assignment, int] | None] = {}
        students: dict[str, tuple[Student, int] | None] = {}
        pairs: dict[int, int] = {}
        midnight: dict[datetime.date, datetime.datetime] = {}
        db_scores, db_pairs = self.db.scores, self.db.score_pairs
        new_scores, changed_scores = self.w.new_scores, self.w.changed_scores
        now = self.now
        for row in rows:
            if row.deleted:
                continue
            line_item = row.line_item
            if line_item in line_items:
                found = line_items[line_item]
            else:
                assignment = self.result_assignment(line_item)
                found = line_items[line_item] = (
                    None if assignment is None else (assignment, len(line_items))
                )
            if found is None:
                self.problem(
                    "results",
                    row.line,
                    f"lineItemSourcedId '{line_item}' is not a line item in lineItems.csv "
                    "or in Homeroom, expected the sourcedId of the result's line item",
                )
                continue
            assignment, a_number = found
            if row.student in students:
                known = students[row.student]
            else:
                student = self.result_student(row.student)
                known = students[row.student] = (
                    None if student is None else (student, len(students))
                )
            if known is None:
                self.problem(
                    "results",
                    row.line,
                    f"studentSourcedId '{row.student}' is not a student in users.csv or in "
                    "Homeroom, expected the sourcedId of a student",
                )
                continue
            student, s_number = known
            pair = (a_number << 32) | s_number
            if pair in pairs:
                self.problem(
                    "results",
                    row.line,
                    f"the student '{row.student}' already has a result for the line item "
                    f"'{line_item}' (line {pairs[pair]}), expected one result per student "
                    "and line item",
                )
                continue
            pairs[pair] = row.line
            exempt = row.status == "exempt"
            current = db_scores.get(row.sourced_id) if db_scores else None
            if current is None:
                if db_pairs:
                    other = db_pairs.get((assignment.pk, student.pk))
                    if other is not None:
                        self.problem(
                            "results",
                            row.line,
                            f"the student '{row.student}' already has a result for the line "
                            f"item '{line_item}' in Homeroom ('{other}'), expected one "
                            "result per student and line item",
                        )
                        continue
                day = row.score_date
                if day is None:
                    recorded = now
                else:
                    recorded = midnight.get(day) or midnight.setdefault(
                        day, mapping.local_midnight(day)
                    )
                new_scores.append(
                    (
                        row,
                        assignment,
                        student,
                        exempt,
                        recorded,
                        recorded if recorded < now else now,
                    )
                )
                continue
            values = (row.score, row.missing, row.late, exempt, row.incomplete, row.comment)
            same_place = current[1] == assignment.pk and current[2] == student.pk
            if same_place and values == current[3:9] and current[-1] == row.modified:
                counts.unchanged += 1
                continue
            changed_scores.append((row, assignment, student, exempt, current))
            counts.changed += 1
        counts.added += len(new_scores)
        self.kept("results", self.db.scores)

    def result_assignment(self, sid: str) -> Assignment | None:
        assignment = self.assignment.get(sid)
        if assignment is None or (
            sid not in self.active["lineItems"]
            and (self.bulk("lineItems") or sid in self.deleted["lineItems"])
        ):
            return None
        return assignment

    def result_student(self, sid: str) -> Student | None:
        student = self.students.get(sid)
        if student is None or STUDENT not in self.kinds.get(sid, ()):
            return None
        return student

    def plan_kept_files(self) -> None:
        for name, count in self.package.ignored.items():
            self.note(
                f"{name}.csv: {count:,} row(s) read; Homeroom has no place for this file and "
                "leaves it out."
            )
        self.counts["demographics"].ignored += len(self.deleted["demographics"])


def _kind(obj: Any) -> str:
    return obj.type if isinstance(obj, SessionRow) else obj.kind


def _year(obj: Any) -> int:
    return obj.school_year


def _start(obj: Any) -> Any:
    return obj.start if isinstance(obj, SessionRow) else obj.start_date


def _end(obj: Any) -> Any:
    return obj.end if isinstance(obj, SessionRow) else obj.end_date


# --- Writing ----------------------------------------------------------------------------------

# The order in which new rows are inserted: each after what it refers to.
CREATE_ORDER: list[type[models.Model]] = [
    District,
    School,
    Course,
    Period,
    Section,
    Student,
    Guardian,
    Staff,
    StaffRole,
    Enrollment,
    GuardianLink,
    Roster,
    SectionTeacher,
    SectionMeeting,
    Category,
    Assignment,
    SourcedAlias,
]


@contextlib.contextmanager
def _large_cache() -> Iterator[None]:
    """SQLite keeps 2 MB of pages in memory by default: too few for the indexes of a table
    of millions of rows filled in no particular order. A larger cache, for this import only."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -524288")  # KiB: 512 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


# Above this many new rows of one of these models, they are inserted without bulk_create.
FAST_INSERT = 2000
FAST_MODELS = frozenset(
    {
        Student,
        Guardian,
        Staff,
        Enrollment,
        GuardianLink,
        Roster,
        SectionTeacher,
        SectionMeeting,
        Category,
        Assignment,
        SourcedAlias,
        StaffRole,
    }
)
# Rows that later rows refer to, whose primary keys are read back (by sourcedId).
REFERRED_TO = frozenset({Student, Guardian, Staff, Category, Assignment})


class _Writer:
    """The planned writes, and how to make them: bulk inserts and updates, few statements."""

    def __init__(self, planner: Planner) -> None:
        self.planner = planner
        self.actor = Actor.system("import_oneroster")
        self.creates: dict[Any, list[Any]] = defaultdict(list)
        self.updates: dict[Any, dict[int, tuple[Any, set[str]]]] = defaultdict(dict)
        self.deletes: dict[Any, list[Any]] = defaultdict(list)
        self.deleted_objects: set[models.Model] = set()
        self.session_depth: dict[str, int] = {}
        self.new_sessions: list[AcademicSession] = []
        self.changed_sessions: list[AcademicSession] = []
        self.session_originals: dict[int, tuple[Any, Any]] = {}
        self.terms_add: list[tuple[Section, AcademicSession]] = []
        self.terms_remove: list[tuple[int, int]] = []
        self.new_periods: dict[tuple[int, str], Period] = {}
        self.next_sequence: dict[int, int] = {}
        self.new_teachers: dict[tuple[str, str], SectionTeacher] = {}
        self.new_scores: list[tuple[Any, ...]] = []
        self.changed_scores: list[tuple[Any, ...]] = []
        # Guardians and students who lost a link or an enrollment: signed out below when
        # the portal has nothing left for them (R63, R47).
        self.left: set[tuple[str, int]] = set()

    # --- Planning helpers

    def create(self, obj: models.Model) -> None:
        if not isinstance(obj, AcademicSession):
            self.creates[type(obj)].append(obj)

    def delete(self, obj: models.Model) -> None:
        if obj not in self.deleted_objects:
            self.deleted_objects.add(obj)
            self.deletes[type(obj)].append(obj)

    def mark(self, obj: models.Model, field: str) -> None:
        entry = self.updates[type(obj)].setdefault(id(obj), (obj, set()))
        entry[1].add(field)

    def update(self, obj: models.Model, **values: Any) -> bool:
        """Set the values that differ; remember the row for a bulk update. True if any did."""
        changed = False
        if isinstance(obj, AcademicSession) and obj.pk and obj.pk not in self.session_originals:
            self.session_originals[obj.pk] = (obj.start_date, obj.end_date)
        for name, value in values.items():
            field = obj._meta.get_field(name)
            if field.is_relation:
                current_id = getattr(obj, field.attname)  # type: ignore[union-attr]
                if value is None:
                    differs = current_id is not None
                else:
                    differs = value.pk is None or value.pk != current_id
                if differs:
                    setattr(obj, name, value)
                    self.mark(obj, name)
                    changed = True
            elif getattr(obj, name) != value:
                setattr(obj, name, value)
                self.mark(obj, name)
                changed = True
        return changed

    def section_terms(self, section: Section, terms: list[AcademicSession]) -> bool:
        current = self.planner.db.section_terms.get(section.pk, set()) if section.pk else set()
        wanted = {t.pk for t in terms if t.pk}
        changed = False
        for term in terms:
            if term.pk is None or term.pk not in current:
                self.terms_add.append((section, term))
                changed = True
        for pk in current - wanted:
            self.terms_remove.append((section.pk, pk))
            changed = True
        return changed

    def period(self, school: School, name: str) -> Period:
        if school.pk:
            found = self.planner.db.periods.get(school.pk, {}).get(name)
            if found is not None:
                return found
        key = (id(school), name)
        if key not in self.new_periods:
            existing = self.planner.db.periods.get(school.pk, {}) if school.pk else {}
            start = self.next_sequence.get(
                id(school), max((p.sequence for p in existing.values()), default=0)
            )
            self.next_sequence[id(school)] = start + 1
            period = Period(school=school, name=name, sequence=start + 1)
            self.new_periods[key] = period
            self.creates[Period].append(period)
        return self.new_periods[key]

    def section_meetings(self, section: Section, school: School, periods: tuple[str, ...]) -> bool:
        """Meetings follow the class's periods: every weekday in each named period (OneRoster
        names periods, not days). A class given no periods keeps the meetings it has."""
        if not periods:
            return False
        current = self.planner.db.meetings.get(section.pk, []) if section.pk else []
        by_name: dict[str, list[SectionMeeting]] = defaultdict(list)
        for meeting in current:
            name = next(
                (
                    n
                    for n, p in self.planner.db.periods.get(meeting.section.school_id, {}).items()
                    if p.pk == meeting.period_id
                ),
                "",
            )
            by_name[name].append(meeting)
        changed = False
        for name in periods:
            if name in by_name:
                continue
            period = self.period(school, name)
            for weekday in SectionMeeting.Weekday.values:
                self.creates[SectionMeeting].append(
                    SectionMeeting(section=section, period=period, weekday=weekday)
                )
            changed = True
        for name, meetings in by_name.items():
            if name not in periods:
                for meeting in meetings:
                    self.delete(meeting)
                changed = True
        return changed

    # --- Writing

    def write(self, say: Progress) -> None:
        drain(self.steps(say))

    def steps(self, say: Progress) -> Generator[None, None, None]:
        """The writes, pausing after each table (see import_steps)."""
        with _large_cache():
            self.write_sessions(say)
            for model in CREATE_ORDER:
                rows = self.creates.get(model, [])
                if rows:
                    say(f"Adding {len(rows):,} {model._meta.verbose_name_plural}…")
                    self.insert(model, rows, say)
                    yield
                if model is Section:
                    self.write_terms()
            for model in list(self.updates):
                self.flush_updates(model)
            yield
            for model, objs in self.deletes.items():
                say(f"Removing {len(objs):,} {model._meta.verbose_name_plural}…")
                model.objects.filter(pk__in=[o.pk for o in objs]).delete()
            self.write_scores(say)
            yield
            self.sign_out_the_departed(say)

    def sign_out_the_departed(self, say: Progress) -> None:
        """End every session of an account whose portal access this import ended whole: a
        guardian with no link left, a student no longer enrolled (R63, R47). Access to a
        single child ends without it: the policy reads the link on every request."""
        today = self.planner.today
        guardian_ids = [pk for kind, pk in self.left if kind == "guardian"]
        student_ids = [pk for kind, pk in self.left if kind == "student"]
        current_link = Q(ended_on__isnull=True) | Q(ended_on__gt=today)
        users = list(
            Guardian.objects.filter(pk__in=guardian_ids, user__isnull=False)
            .exclude(Exists(GuardianLink.objects.filter(current_link, guardian=OuterRef("pk"))))
            .values_list("user", flat=True)
        )
        users += (
            Student.objects.filter(pk__in=student_ids, user__isnull=False)
            .exclude(currently_enrolled(today))
            .values_list("user", flat=True)
        )
        accounts = User.objects.filter(pk__in=users, sessions__isnull=False).distinct()
        ended = sum(sessions_end_all(actor=self.actor, user=account) for account in accounts)
        if ended:
            say(f"Signed out {len(users):,} account(s) left without portal access.")
            self.planner.note(
                f"{ended:,} session(s) ended: accounts left without portal access by this "
                "import are signed out (R47)."
            )

    def insert(self, model: Any, rows: list[Any], say: Progress) -> None:
        """Insert new rows: bulk_create for the few, plain INSERTs (or COPY) for the many,
        then read back the primary keys of the rows that others refer to."""
        if len(rows) < FAST_INSERT or model not in FAST_MODELS:
            for start in range(0, len(rows), BATCH):
                model.objects.bulk_create(rows[start : start + BATCH])
            return
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        plain = [f.attname for f in fields if not f.is_relation]
        related = [(f.attname, f.name) for f in fields if f.is_relation]
        names = [f.name for f in fields if not f.is_relation] + [n for _a, n in related]

        def values(obj: Any) -> tuple[Any, ...]:
            state = obj.__dict__
            cache = obj._state.fields_cache
            refs = []
            for attname, name in related:
                value = state.get(attname)
                if value is None and name in cache and cache[name] is not None:
                    # A row inserted just before: its primary key is known now.
                    value = cache[name].pk
                refs.append(value)
            return (*(state[a] for a in plain), *refs)

        insert_rows(model, names, (values(obj) for obj in rows), say)
        if model in REFERRED_TO:
            by_sid = {obj.sourced_id: obj for obj in rows}
            sids = list(by_sid)
            for start in range(0, len(sids), 900):
                chunk = sids[start : start + 900]
                for sid, pk in model.objects.filter(sourced_id__in=chunk).values_list(
                    "sourced_id", "pk"
                ):
                    obj = by_sid[sid]
                    obj.pk = pk
                    obj._state.adding = False

    def flush_updates(self, model: Any) -> None:
        entries = self.updates.pop(model, {})
        if not entries or model is AcademicSession:
            return
        objs = [obj for obj, _fields in entries.values() if obj.pk]
        fields = sorted(set().union(*(f for _obj, f in entries.values())))
        if not objs:
            return
        self.planner.say(f"Updating {len(objs):,} {model._meta.verbose_name_plural}…")
        meta = model._meta
        attnames = [meta.get_field(name).attname for name in fields]
        for obj in objs:
            # A reference to a row created in this import: take its new primary key.
            obj._prepare_related_fields_for_save(operation_name="update")
        update_rows(
            model,
            fields,
            ((obj.pk, *(getattr(obj, a) for a in attnames)) for obj in objs),
            self.planner.say,
        )

    def write_sessions(self, say: Progress) -> None:
        """Sessions nest, and the database checks each against its parent on every write
        (sis migration 0002): widen the ones that change first, add the new ones, then set
        the final dates from the innermost out."""
        depth = self.session_depth
        changed = [s for s in self.changed_sessions if s.pk]
        marked = self.updates.pop(AcademicSession, {})
        widened = sorted(changed, key=lambda s: depth.get(s.sourced_id, 0))
        for session in widened:
            old = self.session_originals.get(session.pk)
            if old is None or old[0] is None or "parent" in marked.get(id(session), (0, ()))[1]:
                continue
            AcademicSession.objects.filter(pk=session.pk).update(
                start_date=min(old[0], session.start_date),
                end_date=max(old[1], session.end_date),
            )
        if self.new_sessions:
            say(f"Adding {len(self.new_sessions):,} academic sessions…")
        for session in sorted(self.new_sessions, key=lambda s: depth.get(s.sourced_id, 0)):
            session.save(force_insert=True)
        for session in sorted(changed, key=lambda s: -depth.get(s.sourced_id, 0)):
            session.save(
                update_fields=[
                    "title",
                    "kind",
                    "start_date",
                    "end_date",
                    "school_year",
                    "parent",
                    "source_modified_at",
                ]
            )

    def write_terms(self) -> None:
        through = Section.terms.through
        if self.terms_add:
            through.objects.bulk_create(
                [
                    through(section_id=section.pk, academicsession_id=term.pk)
                    for section, term in self.terms_add
                ],
                batch_size=BATCH,
            )
        for section_pk, session_pk in self.terms_remove:
            through.objects.filter(section_id=section_pk, academicsession_id=session_pk).delete()

    def write_scores(self, say: Progress) -> None:
        if self.new_scores:
            say(f"Adding {len(self.new_scores):,} scores…")
            # In the order of the (assignment, student) indexes: appending to a B-tree is
            # many times faster than inserting at random places in it.
            self.new_scores.sort(key=lambda item: (item[1].id, item[2].id))
            if connection.vendor == "sqlite":
                _insert_scores_sqlite(self.new_scores, say)
            else:
                insert_rows(Score, SCORE_COLUMNS, _score_rows(self.new_scores), say)
        if self.changed_scores:
            self.write_changed_scores(say)

    def write_changed_scores(self, say: Progress) -> None:
        """A changed result reaches families at once, as a teacher's edit would after its
        delay; what they saw until now is kept as the released values (docs/grading.md)."""
        now = self.planner.now
        rows = []
        dated = []
        for row, assignment, student, exempt, current in self.changed_scores:
            pk, assignment_id, student_id, *old, release_at, was_released = current[:11]
            released = list(current[11:17])
            values = [row.score, row.missing, row.late, exempt, row.incomplete, row.comment]
            if values == old and (assignment_id, student_id) == (assignment.pk, student.pk):
                dated.append((pk, row.modified))
                continue
            if release_at <= now:
                released, was_released = old, True
            recorded = mapping.local_midnight(row.score_date) if row.score_date else now
            rows.append(
                (
                    pk,
                    assignment.pk,
                    student.pk,
                    *values,
                    row.modified,
                    now,
                    recorded,
                    *released,
                    was_released,
                )
            )
        if rows:
            say(f"Updating {len(rows):,} scores…")
            update_rows(Score, SCORE_UPDATE_COLUMNS, rows, say)
        if dated:
            update_rows(Score, ["source_modified_at"], dated, say)


SCORE_UPDATE_COLUMNS = [
    "assignment",
    "student",
    "points",
    "missing",
    "late",
    "exempt",
    "incomplete",
    "comment",
    "source_modified_at",
    "release_at",
    "recorded_at",
    "released_points",
    "released_missing",
    "released_late",
    "released_exempt",
    "released_incomplete",
    "released_comment",
    "was_released",
]
SCORE_COLUMNS = [
    "sourced_id",
    "assignment",
    "student",
    "points",
    "missing",
    "late",
    "exempt",
    "incomplete",
    "comment",
    "recorded_by",
    "recorded_at",
    "release_at",
    "released_points",
    "released_missing",
    "released_late",
    "released_exempt",
    "released_incomplete",
    "released_comment",
    "was_released",
    "source_modified_at",
]


def _adapters(fields: list[Any]) -> list[tuple[int, Callable[[Any], Any]]]:
    """The backend's own conversions for the values that need one (as bulk_create does)."""
    ops = connection.ops
    adapters: list[tuple[int, Callable[[Any], Any]]] = []
    if connection.vendor == "postgresql":
        return adapters
    for n, field in enumerate(fields):
        if isinstance(field, models.DateTimeField):
            adapters.append((n, ops.adapt_datetimefield_value))
        elif isinstance(field, models.DateField):
            adapters.append((n, ops.adapt_datefield_value))
        elif isinstance(field, models.DecimalField):
            adapters.append(
                (
                    n,
                    functools.partial(
                        ops.adapt_decimalfield_value,
                        max_digits=field.max_digits,
                        decimal_places=field.decimal_places,
                    ),
                )
            )
    return adapters


def _remembering(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An adapter that converts each distinct value once: the same dates and points recur
    on most rows. Forgets everything past a bound, for files of all-distinct values."""
    cache: dict[Any, Any] = {}

    def adapted(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            if len(cache) > 100_000:
                cache.clear()
            result = cache[value] = adapt(value)
            return result

    return adapted


def _batches(
    rows: Iterable[tuple[Any, ...]],
    fields: list[Any],
    say: Progress,
    label: str,
    per_statement: int = 0,
) -> Iterator[tuple[int, list[Any]]]:
    """Rows adapted and flattened, a statement's worth at a time: (row count, parameters)."""
    adapters = [(n, _remembering(adapt)) for n, adapt in _adapters(fields)]
    per_statement = per_statement or max(
        1, min(500, (connection.features.max_query_params or 999) // len(fields))
    )
    batch: list[Any] = []
    count = 0
    for written, row in enumerate(rows, 1):
        values = list(row)
        for n, adapt in adapters:
            values[n] = adapt(values[n])
        batch.extend(values)
        count += 1
        if count >= per_statement:
            yield count, batch
            batch, count = [], 0
        if written % 500_000 == 0:
            say(f"{label}: {written:,} written")
    if count:
        yield count, batch


def insert_rows(
    model: type[models.Model],
    field_names: list[str],
    rows: Iterable[tuple[Any, ...]],
    say: Progress,
) -> None:
    """Insert plain tuples into a model's table, fast: COPY on PostgreSQL, INSERTs of many
    rows each on SQLite. For the tables of millions of rows, where bulk_create spends most
    of its time building SQL row by row. Values pass through the backend's own adapters."""
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    ops = connection.ops
    columns = ", ".join(ops.quote_name(f.column) for f in fields)  # type: ignore[union-attr,arg-type]
    table = ops.quote_name(meta.db_table)
    label = str(meta.verbose_name_plural)
    if connection.vendor == "postgresql":
        types = _copy_types(fields)
        statement = f"COPY {table} ({columns}) FROM STDIN"
        if types:
            # Binary: the server parses no text, the driver formats none.
            statement += " (FORMAT BINARY)"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            if types:
                copy.set_types(types)
            for written, row in enumerate(rows, 1):
                copy.write_row(row)
                if written % 500_000 == 0:
                    say(f"{label}: {written:,} written")
        return
    # SQLite: straight to the driver, with as many rows to a statement as it allows; the
    # transaction is the one Django opened (same connection).
    connection.ensure_connection()
    driver = connection.connection
    limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per_statement = max(1, min(2000, limit // len(fields)))
    placeholder = "(" + ", ".join(["?"] * len(fields)) + ")"
    prefix = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
    full = prefix + ", ".join([placeholder] * per_statement)
    cursor = driver.cursor()
    try:
        for count, params in _batches(rows, fields, say, label, per_statement):
            cursor.execute(
                full if count == per_statement else prefix + ", ".join([placeholder] * count),
                params,
            )
    finally:
        cursor.close()


def _score_rows(new_scores: list[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """New scores as rows of SCORE_COLUMNS: released as imported, nothing released before."""
    for row, assignment, student, exempt, recorded, release in new_scores:
        yield (
            row.sourced_id,
            assignment.id,
            student.id,
            row.score,
            row.missing,
            row.late,
            exempt,
            row.incomplete,
            row.comment,
            None,
            recorded,
            release,
            None,
            False,
            False,
            False,
            False,
            "",
            False,
            row.modified,
        )


def _insert_scores_sqlite(new_scores: list[tuple[Any, ...]], say: Progress) -> None:
    """insert_rows for the millions of new scores on SQLite, flattened in one loop: each
    distinct moment and number is converted once, and nothing else is converted at all."""
    ops = connection.ops
    points_field = Score._meta.get_field("points")
    moment = _remembering(ops.adapt_datetimefield_value)
    number = _remembering(
        functools.partial(
            ops.adapt_decimalfield_value,
            max_digits=points_field.max_digits,
            decimal_places=points_field.decimal_places,
        )
    )
    meta = Score._meta
    columns = ", ".join(
        ops.quote_name(meta.get_field(name).column)  # type: ignore[union-attr,arg-type]
        for name in SCORE_COLUMNS
    )
    connection.ensure_connection()
    driver = connection.connection
    width = len(SCORE_COLUMNS)
    per_statement = max(
        1, min(2000, driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width)
    )
    placeholder = "(" + ", ".join(["?"] * width) + ")"
    prefix = f"INSERT INTO {ops.quote_name(meta.db_table)} ({columns}) VALUES "  # noqa: S608
    full = prefix + ", ".join([placeholder] * per_statement)
    cursor = driver.cursor()
    params: list[Any] = []
    count = written = 0
    try:
        for row, assignment, student, exempt, recorded, release in new_scores:
            params += (
                row.sourced_id,
                assignment.id,
                student.id,
                number(row.score),
                row.missing,
                row.late,
                exempt,
                row.incomplete,
                row.comment,
                None,
                moment(recorded),
                moment(release),
                None,
                False,
                False,
                False,
                False,
                "",
                False,
                moment(row.modified),
            )
            count += 1
            if count == per_statement:
                cursor.execute(full, params)
                written += count
                params, count = [], 0
                if written % 500_000 < per_statement:
                    say(f"scores: {written:,} written")
        if count:
            cursor.execute(prefix + ", ".join([placeholder] * count), params)
    finally:
        cursor.close()


_COPY_TYPES = {
    "varchar": "text",
    "text": "text",
    "bigint": "int8",
    "integer": "int4",
    "smallint": "int2",
    "boolean": "bool",
    "numeric": "numeric",
    "timestamp with time zone": "timestamptz",
    "date": "date",
}


def _copy_types(fields: list[Any]) -> list[str] | None:
    """PostgreSQL's name of each column's type, for a binary COPY; None if one is unknown."""
    types = []
    for field in fields:
        db_type = (field.db_type(connection) or "").split("(")[0].strip()
        if db_type not in _COPY_TYPES:
            return None
        types.append(_COPY_TYPES[db_type])
    return types


def update_rows(
    model: type[models.Model],
    field_names: list[str],
    rows: Iterable[tuple[Any, ...]],
    say: Progress,
) -> None:
    """Set columns of many rows, each to its own value: rows are (pk, *values), in a few
    UPDATE … FROM (VALUES …) statements (bulk_update's CASE per row is far slower)."""
    meta = model._meta
    fields = [meta.pk] + [meta.get_field(name) for name in field_names]
    ops = connection.ops
    table = ops.quote_name(meta.db_table)
    if connection.vendor == "postgresql":
        placeholder = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
    else:
        placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    assignments = ", ".join(
        f"{ops.quote_name(f.column)} = v.column{n}"  # type: ignore[union-attr,arg-type]
        for n, f in enumerate(fields[1:], start=2)
    )
    pk_column = ops.quote_name(meta.pk.column)  # type: ignore[arg-type]
    with connection.cursor() as cursor:
        for count, params in _batches(rows, fields, say, str(meta.verbose_name_plural)):
            values = ", ".join([placeholder] * count)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v "  # noqa: S608
                f"WHERE {table}.{pk_column} = v.column1",
                params,
            )
