"""Exporting the district as a OneRoster 1.2 CSV package (bulk), and auditing the export.

Every file is written in sourcedId order, every value in one canonical form, so that the
same database always gives the same bytes: export, import into an empty database, export
again, and the files are identical (docs/interop.md, "Round trip").

Left out unless asked for (R64): demographics.csv (birth dates) and guardians' email and
phone. `only` narrows the package to the files of a vendor's contract.
"""

import dataclasses
import datetime
import os
import shutil
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.db.models.functions import Collate

from homeroom.accounts.models import User
from homeroom.audit import alerts
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, event_record
from homeroom.gradebook.models import Assignment, Category, Score
from homeroom.interop import ids, mapping
from homeroom.interop.csvio import Writer
from homeroom.interop.importer import collector_paused
from homeroom.interop.models import ExportClock, SourcedAlias
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
SYSTEM_NAME = "Homeroom"
CATEGORY_EXTENSIONS = ("metadata.classSourcedId", "metadata.dropLowest")


def by_sourced_id() -> Any:
    """sourcedIds in code-point order, as Python sorts them, whatever the database's
    collation: the same database gives the same files, and so does another one."""
    if connection.vendor == "postgresql":
        return Collate("sourced_id", "C")
    return "sourced_id"


class ExportRefused(Exception):
    pass


@dataclasses.dataclass
class ExportReport:
    counts: dict[str, int]
    demographics: bool
    guardian_contacts: bool
    destination: str


def run_export(
    destination: str | os.PathLike[str],
    *,
    actor: Actor,
    demographics: bool = False,
    guardian_contacts: bool = False,
    only: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> ExportReport:
    """Write the package to `destination`: a .zip file, or else a folder (made if missing,
    refused if it holds files). The export is audited in the transaction that reads it."""
    say = progress or (lambda message: None)
    chosen = set(only) if only else set(spec.SPECS)
    unknown = chosen - set(spec.SPECS)
    if unknown:
        raise ExportRefused(
            f"unknown file(s): {', '.join(sorted(unknown))}; expected some of "
            + ", ".join(spec.SPECS)
        )
    if not demographics:
        chosen.discard("demographics")
    elif only is None:
        chosen.add("demographics")
    target = Path(destination)
    with collector_paused(), transaction.atomic():
        stamp = _export_clock()
        files = _Files(stamp=stamp, guardian_contacts=guardian_contacts, say=say)
        with _Package(target) as package:
            counts = files.write(package, chosen)
        event_record(
            actor=actor,
            event=Event(
                action=Action.EXPORT,
                object_type="interop.oneroster",
                detail={
                    "format": "OneRoster 1.2 CSV",
                    "counts": counts,
                    "demographics": demographics,
                    "guardian_contacts": guardian_contacts,
                },
            ),
        )
        # Any bulk export is told to technology staff (issue 5).
        alerts.export_recorded(
            actor=actor,
            user=User.objects.filter(pk=actor.user_id).first() if actor.user_id else None,
            what="the district as OneRoster CSV",
            rows=sum(counts.values()),
        )
    return ExportReport(
        counts=counts,
        demographics=demographics,
        guardian_contacts=guardian_contacts,
        destination=str(target),
    )


def _export_clock() -> datetime.datetime:
    """The dateLastModified of records Homeroom created itself: the first export's moment."""
    row = ExportClock.objects.select_for_update().first()
    if row is None:
        moment = clock.now().replace(microsecond=0)
        row = ExportClock.objects.create(first_export_at=moment)
    return row.first_export_at


class _Package:
    """A zip file, or a folder, that files are written into one at a time. It is built
    beside its destination and moved there only when complete: a failed export leaves
    nothing behind."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.is_zip = target.suffix.lower() == ".zip"
        self.partial = target.with_name(target.name + ".partial")
        self.zip: zipfile.ZipFile | None = None

    def __enter__(self) -> "_Package":
        if self.target.exists() and (
            self.is_zip or not self.target.is_dir() or any(self.target.iterdir())
        ):
            raise ExportRefused(
                f"{self.target} already exists: give a new .zip file, or a new or empty folder"
            )
        self.target.parent.mkdir(parents=True, exist_ok=True)
        if self.partial.is_dir():
            shutil.rmtree(self.partial)
        self.partial.unlink(missing_ok=True)
        if self.is_zip:
            self.zip = zipfile.ZipFile(self.partial, "w", compression=zipfile.ZIP_DEFLATED)
        else:
            self.partial.mkdir()
        return self

    def open(self, filename: str) -> IO[bytes]:
        if self.zip is not None:
            return self.zip.open(filename, "w", force_zip64=True)
        return (self.partial / filename).open("wb")

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if self.zip is not None:
            self.zip.close()
        if kind is not None:
            if self.is_zip:
                self.partial.unlink(missing_ok=True)
            else:
                shutil.rmtree(self.partial, ignore_errors=True)
            return
        if self.target.is_dir():
            self.target.rmdir()
        os.replace(self.partial, self.target)


def stamp_text(moment: datetime.datetime) -> str:
    """ISO 8601 in UTC to the millisecond, as OneRoster writes dateLastModified."""
    utc = moment.astimezone(datetime.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def number_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def date_text(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def _flag(value: bool) -> str:
    return "true" if value else "false"


class _Files:
    """Builds each file's rows from the database."""

    def __init__(self, *, stamp: datetime.datetime, guardian_contacts: bool, say: Progress) -> None:
        self.default_stamp = stamp_text(stamp)
        self.guardian_contacts = guardian_contacts
        self.say = say
        self.today = clock.today()

    def stamp(self, moment: datetime.datetime | None) -> str:
        return stamp_text(moment) if moment else self.default_stamp

    def write(self, package: _Package, chosen: set[str]) -> dict[str, int]:
        self.load()
        counts: dict[str, int] = {}
        builders: dict[str, Callable[[], Iterator[list[str]]]] = {
            "orgs": self.rows_orgs,
            "academicSessions": self.rows_sessions,
            "courses": self.rows_courses,
            "classes": self.rows_classes,
            "users": self.rows_users,
            "roles": self.rows_roles,
            "enrollments": self.rows_enrollments,
            "demographics": self.rows_demographics,
            "categories": self.rows_categories,
            "lineItems": self.rows_line_items,
            "results": self.rows_results,
        }
        modes: dict[str, str] = {}
        for name, file_spec in spec.SPECS.items():
            if name not in chosen:
                continue
            header = list(file_spec.columns)
            if name == "categories":
                header += CATEGORY_EXTENSIONS
            rows = builders[name]()
            first = next(rows, None)
            if first is None:
                continue
            self.say(f"Writing {file_spec.filename}…")
            with package.open(file_spec.filename) as stream:
                writer = Writer(stream, header)
                writer.row(first)
                writer.rows_from(rows)
                writer.close()
            counts[name] = writer.rows
            modes[name] = spec.BULK
            self.say(f"{file_spec.filename}: {writer.rows:,} rows")
        with package.open("manifest.csv") as stream:
            writer = Writer(stream, spec.MANIFEST_HEADER)
            writer.row(["manifest.version", spec.MANIFEST_VERSION])
            writer.row(["oneroster.version", spec.ONEROSTER_VERSION])
            for name in spec.ALL_FILES:
                writer.row([f"file.{name}", modes.get(name, spec.ABSENT)])
            writer.row(["source.systemName", SYSTEM_NAME])
            writer.row(["source.systemCode", "homeroom"])
            writer.close()
        return counts

    # --- What every file needs

    def load(self) -> None:
        self.say("Reading the district…")
        self.districts = list(District.objects.order_by(by_sourced_id()))
        self.district_sid = self.districts[0].sourced_id if self.districts else ""
        self.schools = list(School.objects.order_by(by_sourced_id()))
        self.school_sid = {s.pk: s.sourced_id for s in self.schools}
        self.district_of = {d.pk: d.sourced_id for d in self.districts}
        self.sessions = list(AcademicSession.objects.order_by(by_sourced_id()))
        self.session_sid = {s.pk: s.sourced_id for s in self.sessions}
        self.courses = list(Course.objects.order_by(by_sourced_id()))
        self.course_by_pk = {c.pk: c for c in self.courses}
        self.sections = list(Section.objects.order_by(by_sourced_id()))
        self.section_sid = {s.pk: s.sourced_id for s in self.sections}
        self.students = list(Student.objects.order_by(by_sourced_id()))
        self.student_sid = {s.pk: s.sourced_id for s in self.students}
        self.guardians = list(Guardian.objects.order_by(by_sourced_id()))
        self.guardian_sid = {g.pk: g.sourced_id for g in self.guardians}
        self.staff = list(Staff.objects.order_by(by_sourced_id()))
        self.staff_sid = {s.pk: s.sourced_id for s in self.staff}
        self.enrollments = list(Enrollment.objects.order_by(by_sourced_id()))
        # A student without an enrollment has no role to export, so no row at all.
        enrolled = {e.student_id for e in self.enrollments}
        self.exported = {pk: sid for pk, sid in self.student_sid.items() if pk in enrolled}
        self.staff_roles = list(StaffRole.objects.all())
        self.links = [
            link
            for link in GuardianLink.objects.all()
            if (link.ended_on is None or link.ended_on > self.today)
            and link.student_id in self.exported
        ]
        # Where two received rows became one Homeroom record, the first id stands for it.
        self.aliases: dict[tuple[str, str], SourcedAlias] = {}
        for alias in SourcedAlias.objects.order_by(by_sourced_id()):
            self.aliases.setdefault((alias.file, alias.key), alias)
        self.guardian_aliases: dict[str, list[SourcedAlias]] = defaultdict(list)
        for alias in self.aliases.values():
            if alias.file == "roles" and alias.key.startswith('["guardian"'):
                self.guardian_aliases[ids.parts(alias.key)[1]].append(alias)
        self.with_role = {r.staff_id for r in self.staff_roles}

    # --- orgs.csv, academicSessions.csv, courses.csv, classes.csv

    def rows_orgs(self) -> Iterator[list[str]]:
        rows = [
            [
                d.sourced_id,
                "active",
                self.stamp(d.source_modified_at),
                d.name,
                "district",
                d.identifier,
                "",
            ]
            for d in self.districts
        ] + [
            [
                s.sourced_id,
                "active",
                self.stamp(s.source_modified_at),
                s.name,
                "school",
                s.identifier,
                self.district_of.get(s.district_id, ""),
            ]
            for s in self.schools
        ]
        yield from sorted(rows)

    def rows_sessions(self) -> Iterator[list[str]]:
        for s in self.sessions:
            yield [
                s.sourced_id,
                "active",
                self.stamp(s.source_modified_at),
                s.title,
                s.kind,
                date_text(s.start_date),
                date_text(s.end_date),
                self.session_sid.get(s.parent_id, "") if s.parent_id else "",
                str(s.school_year),
            ]

    def rows_courses(self) -> Iterator[list[str]]:
        for c in self.courses:
            yield [
                c.sourced_id,
                "active",
                self.stamp(c.source_modified_at),
                self.session_sid[c.school_year_id],
                c.title,
                c.code,
                "",
                self.school_sid[c.school_id],
                c.subject,
                "",
            ]

    def rows_classes(self) -> Iterator[list[str]]:
        terms: dict[int, list[str]] = defaultdict(list)
        for section_id, session_id in Section.terms.through.objects.values_list(
            "section_id", "academicsession_id"
        ):
            terms[section_id].append(self.session_sid[session_id])
        periods = {p.pk: p for p in Period.objects.all()}
        meetings: dict[int, set[int]] = defaultdict(set)
        for section_id, period_id in SectionMeeting.objects.values_list("section_id", "period_id"):
            meetings[section_id].add(period_id)
        for s in self.sections:
            course = self.course_by_pk[s.course_id]
            named = sorted((periods[p] for p in meetings[s.pk]), key=lambda p: p.sequence)
            yield [
                s.sourced_id,
                "active",
                self.stamp(s.source_modified_at),
                f"{course.title} ({s.code})",
                "",
                course.sourced_id,
                s.code,
                "scheduled",
                s.room,
                self.school_sid[s.school_id],
                ",".join(sorted(terms[s.pk])),
                "",
                "",
                ",".join(p.name for p in named),
            ]

    # --- users.csv, roles.csv, demographics.csv

    def primary_school(self) -> dict[int, str]:
        """Each student's school: the enrollment current today, else the latest."""
        best: dict[int, tuple[Any, ...]] = {}
        for e in self.enrollments:
            current = e.is_current(self.today)
            rank = (current, e.entry_date, e.sourced_id)
            if e.student_id not in best or rank > best[e.student_id][0]:
                best[e.student_id] = (rank, self.school_sid[e.school_id])
        return {pk: value[1] for pk, value in best.items()}

    def rows_users(self) -> Iterator[list[str]]:
        agents: dict[str, set[str]] = defaultdict(set)
        for link in self.links:
            guardian, student = (
                self.guardian_sid[link.guardian_id],
                self.student_sid[link.student_id],
            )
            agents[student].add(guardian)
            agents[guardian].add(student)
        school_of = self.primary_school()
        staff_school: dict[int, str] = {}
        for role in sorted(self.staff_roles, key=lambda r: (r.staff_id, r.role, r.school_id or 0)):
            if role.school_id and role.staff_id not in staff_school:
                staff_school[role.staff_id] = self.school_sid[role.school_id]
        rows: dict[str, list[str]] = {}
        # Fewest fields first: a person who is two kinds of user keeps the fuller row.
        for g in self.guardians:
            rows[g.sourced_id] = self.user_row(
                g.sourced_id,
                g.source_modified_at,
                given=g.first_name,
                family=g.last_name,
                email=g.email if self.guardian_contacts else "",
                phone=g.phone if self.guardian_contacts else "",
                agents=agents[g.sourced_id],
            )
        for s in self.staff:
            if s.pk not in self.with_role:
                continue
            rows[s.sourced_id] = self.user_row(
                s.sourced_id,
                s.source_modified_at,
                given=s.first_name,
                family=s.last_name,
                identifier=s.identifier,
                email=s.email,
                agents=agents.get(s.sourced_id, set()),
                school=staff_school.get(s.pk, self.district_sid),
            )
        for pupil in self.students:
            if pupil.pk not in self.exported:
                continue
            rows[pupil.sourced_id] = self.user_row(
                pupil.sourced_id,
                pupil.source_modified_at,
                given=pupil.legal_first_name,
                family=pupil.legal_last_name,
                middle=pupil.legal_middle_name,
                identifier=pupil.local_id,
                email=pupil.email,
                sasid=pupil.state_id or "",
                agents=agents[pupil.sourced_id],
                grade=pupil.grade_level,
                preferred_given=pupil.preferred_first_name,
                preferred_family=pupil.preferred_last_name,
                school=school_of.get(pupil.pk, ""),
            )
        for sid in sorted(rows):
            yield rows[sid]

    def user_row(
        self,
        sid: str,
        modified: datetime.datetime | None,
        *,
        given: str,
        family: str,
        middle: str = "",
        identifier: str = "",
        email: str = "",
        phone: str = "",
        sasid: str = "",
        agents: Iterable[str] = (),
        grade: str = "",
        preferred_given: str = "",
        preferred_family: str = "",
        school: str = "",
    ) -> list[str]:
        return [
            sid,
            "active",
            self.stamp(modified),
            "true",
            "",
            f"{{{spec.USER_ID_SASID}:{sasid}}}" if sasid else "",
            given,
            family,
            middle,
            identifier,
            email,
            "",
            phone,
            ",".join(sorted(agents)),
            grade,
            "",
            "",
            "",
            preferred_given,
            "",
            preferred_family,
            school,
            "",
        ]

    def rows_roles(self) -> Iterator[list[str]]:
        # (user, sort key, row) — the first of each user's roles is its primary one.
        found: list[tuple[str, tuple[Any, ...], list[str]]] = []
        for e in self.enrollments:
            found.append(
                (
                    self.student_sid[e.student_id],
                    (0, -e.entry_date.toordinal(), e.sourced_id),
                    [
                        e.sourced_id,
                        "active",
                        self.stamp(e.source_modified_at),
                        self.student_sid[e.student_id],
                        "",
                        "student",
                        date_text(e.entry_date),
                        date_text(e.exit_date),
                        self.school_sid[e.school_id],
                        "",
                    ],
                )
            )
        for r in self.staff_roles:
            staff = self.staff_sid[r.staff_id]
            school = self.school_sid[r.school_id] if r.school_id else ""
            key = ids.staff_role_key(staff, r.role, school)
            alias = self.aliases.get(("roles", key))
            sid = alias.sourced_id if alias else ids.derived(*ids.parts(key))
            found.append(
                (
                    staff,
                    (1, sid),
                    [
                        sid,
                        "active",
                        self.stamp(alias.source_modified_at if alias else None),
                        staff,
                        "",
                        mapping.STAFF_ROLE_TO_ONEROSTER[r.role],
                        date_text(r.start_date),
                        date_text(r.end_date),
                        school or self.district_sid,
                        "",
                    ],
                )
            )
        relationship: dict[str, str] = {}
        for link in sorted(self.links, key=lambda k: self.student_sid[k.student_id]):
            relationship.setdefault(self.guardian_sid[link.guardian_id], link.relationship)
        for g in self.guardians:
            aliases = self.guardian_aliases.get(g.sourced_id)
            entries: list[tuple[Any, ...]]
            if aliases:
                entries = [
                    (a.sourced_id, a.source_modified_at, *ids.parts(a.key)[2:4]) for a in aliases
                ]
            else:
                role = mapping.ROLE_FROM_RELATIONSHIP.get(relationship.get(g.sourced_id), "parent")
                key = ids.guardian_role_key(g.sourced_id, role, self.district_sid)
                entries = [(ids.derived(*ids.parts(key)), None, role, self.district_sid)]
            for sid, modified, role, org in entries:
                found.append(
                    (
                        g.sourced_id,
                        (2, sid),
                        [
                            sid,
                            "active",
                            self.stamp(modified),
                            g.sourced_id,
                            "",
                            role,
                            "",
                            "",
                            org,
                            "",
                        ],
                    )
                )
        found.sort(key=lambda item: (item[0], item[1]))
        previous = None
        rows = []
        for user, _order, row in found:
            row[4] = "primary" if user != previous else "secondary"
            previous = user
            rows.append(row)
        yield from sorted(rows)

    def rows_demographics(self) -> Iterator[list[str]]:
        for s in self.students:
            if s.pk not in self.exported:
                continue
            yield [
                s.sourced_id,
                "active",
                self.stamp(s.source_modified_at),
                date_text(s.date_of_birth),
            ] + [""] * 12

    # --- enrollments.csv

    def rows_enrollments(self) -> Iterator[list[str]]:
        section_school = {s.pk: self.school_sid[s.school_id] for s in self.sections}
        rows: list[list[str]] = []
        for r in Roster.objects.order_by(by_sourced_id()).iterator(chunk_size=5000):
            if r.student_id not in self.exported:
                continue
            rows.append(
                [
                    r.sourced_id,
                    "active",
                    self.stamp(r.source_modified_at),
                    self.section_sid[r.section_id],
                    section_school[r.section_id],
                    self.student_sid[r.student_id],
                    "student",
                    "false",
                    date_text(r.start_date),
                    date_text(r.end_date),
                ]
            )
        for t in SectionTeacher.objects.all():
            klass, user = self.section_sid[t.section_id], self.staff_sid[t.staff_id]
            key = ids.teacher_key(klass, user)
            alias = self.aliases.get(("enrollments", key))
            rows.append(
                [
                    alias.sourced_id if alias else ids.derived(*ids.parts(key)),
                    "active",
                    self.stamp(alias.source_modified_at if alias else None),
                    klass,
                    section_school[t.section_id],
                    user,
                    "teacher",
                    _flag(t.role == SectionTeacher.Role.PRIMARY),
                    "",
                    "",
                ]
            )
        yield from sorted(rows)

    # --- categories.csv, lineItems.csv, results.csv

    def rows_categories(self) -> Iterator[list[str]]:
        for c in Category.objects.order_by(by_sourced_id()):
            yield [
                c.sourced_id,
                "active",
                self.stamp(c.source_modified_at),
                c.name,
                number_text(c.weight),
                self.section_sid[c.section_id],
                str(c.drop_lowest),
            ]

    def grading_periods(self) -> dict[int, list[AcademicSession]]:
        by_year: dict[int, list[AcademicSession]] = defaultdict(list)
        for s in self.sessions:
            if s.kind == AcademicSession.Kind.GRADING_PERIOD:
                by_year[s.school_year].append(s)
        return by_year

    def rows_line_items(self) -> Iterator[list[str]]:
        periods = self.grading_periods()
        year_of = {
            c.pk: next(s.school_year for s in self.sessions if s.pk == c.school_year_id)
            for c in self.courses
        }
        section_year = {s.pk: year_of[s.course_id] for s in self.sections}
        category_sid = dict(Category.objects.values_list("pk", "sourced_id"))
        for a in Assignment.objects.order_by(by_sourced_id()).iterator(chunk_size=5000):
            assigned = a.assigned_on or min(mapping.local_date(a.visible_at), a.due_on)
            period = next(
                (
                    p.sourced_id
                    for p in periods.get(section_year[a.section_id], [])
                    if p.start_date <= a.due_on <= p.end_date
                ),
                "",
            )
            yield [
                a.sourced_id,
                "active",
                self.stamp(a.source_modified_at),
                a.title,
                a.description,
                f"{assigned.isoformat()}T00:00:00.000Z",
                f"{a.due_on.isoformat()}T00:00:00.000Z",
                self.section_sid[a.section_id],
                category_sid[a.category_id],
                period,
                "0",
                number_text(a.points_possible),
            ]

    def rows_results(self) -> Iterator[list[str]]:
        assignment_sid = dict(Assignment.objects.values_list("pk", "sourced_id"))
        student_sid = self.exported
        stamp = self.stamp
        zone = mapping.district_zone()
        count = 0
        for (
            sid,
            assignment_id,
            student_id,
            points,
            missing,
            late,
            exempt,
            incomplete,
            comment,
            recorded_at,
            modified,
        ) in (
            Score.objects.order_by(by_sourced_id())
            .values_list(
                "sourced_id",
                "assignment_id",
                "student_id",
                "points",
                "missing",
                "late",
                "exempt",
                "incomplete",
                "comment",
                "recorded_at",
                "source_modified_at",
            )
            .iterator(chunk_size=20000)
        ):
            if student_id not in student_sid:
                continue
            if exempt:
                status = "exempt"
            elif points is not None:
                status = "fully graded"
            else:
                status = "not submitted"
            yield [
                sid,
                "active",
                stamp(modified),
                assignment_sid[assignment_id],
                student_sid[student_id],
                status,
                number_text(points),
                "",
                recorded_at.astimezone(zone).date().isoformat(),
                comment,
                "",
                "true" if incomplete else "false",
                "true" if late else "false",
                "true" if missing else "false",
            ]
            count += 1
            if count % 500_000 == 0:
                self.say(f"results.csv: {count:,} rows")
