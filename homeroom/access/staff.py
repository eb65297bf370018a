"""THE access policy for staff: which students a member of staff has a legitimate
educational interest in (FERPA 99.31(a)(1)(ii), R12), and how a staff page reaches a section
or a student.

- A teacher: the students of the sections they teach today (co-teaching too).
- A counselor: the students on their caseload today.
- A school administrator, attendance clerk or school registrar: their school's students.
- A district registrar or district administrator: the district.
- Technology staff: none (accounts and the audit log, never a student's record).

Reading a student outside that interest needs a stated reason ("break-glass",
`access.break_glass`): allowed to educators and the office, logged, and reported weekly.
A staff view never looks a section or a student up by the id in its URL: it asks
`open_section`, `open_office_student`, `open_student` or `open_subscription_student` (and
`open_subscription_parent` for a parent of that student), which answer only within these
bounds and otherwise write a refusal to the audit log and raise Http404, so "not yours" and
"does not exist" look the same. Every page that shows students' records writes one
STAFF_READ event per student, all in one INSERT (R50).
"""

import dataclasses
import datetime
from collections.abc import Iterable
from typing import NoReturn

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from homeroom.access import break_glass, roles
from homeroom.access.policy import Viewer, ViewerKind
from homeroom.access.requests import AccessRequest, resolve
from homeroom.audit import alerts, services
from homeroom.audit.models import Action
from homeroom.audit.services import Event, events_record
from homeroom.sis.models import (
    CaseloadEntry,
    Enrollment,
    GuardianLink,
    Roster,
    School,
    Section,
    Student,
)

Role = roles.Role

# What staff pages name as the module of their events, besides the portal's modules.
ROSTER = services.ROSTER
CLASSROOM = "classroom"

# The staff pages' name for a resolved request (the same object as the portal's).
StaffRequest = AccessRequest
staff_request = resolve


@dataclasses.dataclass(frozen=True)
class StaffScope:
    """What a member of staff does today, read from their current roles."""

    is_staff: bool
    teaches: bool
    counsels: bool
    district_office: bool
    office_school_ids: frozenset[int]
    interest_school_ids: frozenset[int]
    may_give_reasons: bool
    # School notices (R20): to the whole district, and to these schools' families.
    notices_district: bool
    notice_school_ids: frozenset[int]
    # A non-residential parent's subscription to school notices, entered on the parent's
    # behalf (R20, "registrar entry"): for any student, or for these schools' students.
    subscriptions_district: bool
    subscription_school_ids: frozenset[int]

    @property
    def writes_notices(self) -> bool:
        return self.notices_district or bool(self.notice_school_ids)

    @property
    def keeps_office(self) -> bool:
        return self.district_office or bool(self.office_school_ids)

    @property
    def keeps_subscriptions(self) -> bool:
        return self.subscriptions_district or bool(self.subscription_school_ids)


def scope_of(viewer: Viewer) -> StaffScope:
    is_staff = viewer.kind == ViewerKind.STAFF and viewer.staff is not None
    held = viewer.roles if is_staff else ()
    return StaffScope(
        is_staff=is_staff,
        teaches=any(r.role == Role.TEACHER for r in held),
        counsels=any(r.role == Role.COUNSELOR for r in held),
        district_office=any(
            r.role in roles.DISTRICT_INTEREST and r.school_id is None for r in held
        ),
        office_school_ids=frozenset(
            r.school_id for r in held if r.role in roles.OFFICE and r.school_id
        ),
        interest_school_ids=frozenset(
            r.school_id for r in held if r.role in roles.SCHOOL_INTEREST and r.school_id
        ),
        may_give_reasons=any(r.role in roles.REASON_GIVERS for r in held),
        notices_district=any(
            r.role in roles.DISTRICT_NOTICE_WRITERS and r.school_id is None for r in held
        ),
        notice_school_ids=frozenset(
            r.school_id for r in held if r.role in roles.NOTICE_WRITERS and r.school_id
        ),
        subscriptions_district=any(
            r.role in roles.SUBSCRIPTION_KEEPERS and r.school_id is None for r in held
        ),
        subscription_school_ids=frozenset(
            r.school_id for r in held if r.role in roles.SUBSCRIPTION_KEEPERS and r.school_id
        ),
    )


# --- Legitimate educational interest (R12): the one answer ------------------------------------


def _rosters_taught(viewer: Viewer, day: datetime.date) -> QuerySet[Roster]:
    return Roster.objects.current(day).filter(section__section_teachers__staff=viewer.staff)


def staff_students(viewer: Viewer, day: datetime.date) -> QuerySet[Student]:
    """The students this member of staff has a legitimate educational interest in on `day`."""
    scope = scope_of(viewer)
    if not scope.is_staff:
        return Student.objects.none()
    if scope.district_office:
        return Student.objects.all()
    condition = Q(pk__in=[])
    if scope.interest_school_ids:
        condition |= Q(
            Exists(
                Enrollment.objects.current(day).filter(
                    student=OuterRef("pk"), school_id__in=scope.interest_school_ids
                )
            )
        )
    if scope.teaches:
        condition |= Q(Exists(_rosters_taught(viewer, day).filter(student=OuterRef("pk"))))
    if scope.counsels:
        condition |= Q(
            Exists(
                CaseloadEntry.objects.current(day).filter(
                    staff=viewer.staff, student=OuterRef("pk")
                )
            )
        )
    return Student.objects.filter(condition)


def has_interest(viewer: Viewer, student_id: int, day: datetime.date) -> bool:
    return staff_students(viewer, day).filter(pk=student_id).exists()


def caseload(resolved: AccessRequest) -> QuerySet[Student]:
    """A counselor's students today, by name."""
    if not scope_of(resolved.viewer).counsels:
        return Student.objects.none()
    return Student.objects.filter(
        Exists(
            CaseloadEntry.objects.current(resolved.today).filter(
                staff=resolved.viewer.staff, student=OuterRef("pk")
            )
        )
    ).order_by("legal_last_name", "legal_first_name")


# --- A student's record, for staff ----------------------------------------------------------


class ReasonNeeded(Exception):
    """This person may read outside their interest by stating a reason, and has not yet (or
    the time their reason opened has passed). Raised before anything about the student is
    looked up, so the answer is the same whether the student exists or not."""


def open_student(request: HttpRequest, student_id: int) -> Student:
    """The student, if this member of staff has a legitimate interest in them today or an
    open read with a stated reason (break-glass); ReasonNeeded when they may state one;
    otherwise a logged 404."""
    resolved = resolve(request)
    viewer = resolved.viewer
    scope = scope_of(viewer)
    if scope.is_staff and (
        has_interest(viewer, student_id, resolved.today)
        or break_glass.in_force(viewer.user, student_id, resolved.now)
    ):
        student = Student.objects.filter(pk=student_id).first()
        if student is not None:
            return student
    elif scope.may_give_reasons:
        raise ReasonNeeded
    refuse(
        request,
        student_id=student_id,
        module=ROSTER,
        object_type="sis.student",
        object_id=student_id,
        write=False,
    )


# --- Sections ---------------------------------------------------------------------------------


def sections_taught(resolved: AccessRequest, day: datetime.date | None = None) -> QuerySet[Section]:
    """The sections this person teaches (co-teaching included) that run on a day, today by
    default. Nothing without a current teacher role."""
    if not scope_of(resolved.viewer).teaches:
        return Section.objects.none()
    return Section.objects.running(day or resolved.today).filter(
        section_teachers__staff=resolved.viewer.staff
    )


def open_section(request: HttpRequest, section_id: int, *, write: bool = False) -> Section:
    """The section, if this staff member teaches it and it runs today; else a logged 404."""
    resolved = resolve(request)
    section = (
        sections_taught(resolved).filter(pk=section_id).select_related("course", "school").first()
    )
    if section is None:
        refuse(request, object_type="sis.section", object_id=section_id, write=write)
    return section


# --- The office -------------------------------------------------------------------------------


def office_schools(resolved: AccessRequest) -> QuerySet[School]:
    scope = scope_of(resolved.viewer)
    if scope.district_office:
        return School.objects.all()
    return School.objects.filter(pk__in=scope.office_school_ids)


def keeps_office_of(resolved: AccessRequest, school: School | None) -> bool:
    """May this person record the office's daily mark at this school?"""
    if school is None:
        return False
    scope = scope_of(resolved.viewer)
    return scope.district_office or school.pk in scope.office_school_ids


def office_students(resolved: AccessRequest, school: School | None = None) -> QuerySet[Student]:
    """Students whose daily attendance this person keeps: enrolled today in a school of
    theirs (in `school` alone, when given)."""
    scope = scope_of(resolved.viewer)
    if not scope.keeps_office:
        return Student.objects.none()
    schools = None if scope.district_office else set(scope.office_school_ids)
    if school is not None:
        if schools is not None and school.pk not in schools:
            return Student.objects.none()
        schools = {school.pk}
    enrolled = Enrollment.objects.current(resolved.today)
    if schools is not None:
        enrolled = enrolled.filter(school_id__in=schools)
    return Student.objects.filter(pk__in=enrolled.values("student_id"))


def open_office_student(request: HttpRequest, student_id: int, *, write: bool = False) -> Student:
    """The student, if this person keeps their school's attendance; else a logged 404."""
    student = office_students(resolve(request)).filter(pk=student_id).first()
    if student is None:
        refuse(
            request,
            student_id=student_id,
            module="attendance",
            object_type="sis.student",
            object_id=student_id,
            write=write,
        )
    return student


# --- Notice subscriptions entered for a parent (R20) -------------------------------------------


def keeps_subscriptions_at(viewer: Viewer, school_id: int | None) -> bool:
    """May this person enter or end a parent's subscription to this school's notices (the
    registrar's entry of R20)? The district's registrar and administrators for any school, a
    school's administrator or registrar for their own."""
    if school_id is None:
        return False
    scope = scope_of(viewer)
    return scope.subscriptions_district or school_id in scope.subscription_school_ids


def subscription_students(resolved: AccessRequest) -> QuerySet[Student]:
    """The students whose parents' notice subscriptions this person keeps: any student for
    the district's roles; for a school's, the students enrolled there today."""
    scope = scope_of(resolved.viewer)
    if scope.subscriptions_district:
        return Student.objects.all()
    if not scope.subscription_school_ids:
        return Student.objects.none()
    return Student.objects.filter(
        Exists(
            Enrollment.objects.current(resolved.today).filter(
                student=OuterRef("pk"), school_id__in=scope.subscription_school_ids
            )
        )
    )


def open_subscription_student(
    request: HttpRequest, student_id: int, *, write: bool = False
) -> Student:
    """The student, if this person keeps their parents' notice subscriptions; else a logged
    404."""
    student = subscription_students(resolve(request)).filter(pk=student_id).first()
    if student is None:
        refuse(
            request,
            student_id=student_id,
            module=ROSTER,
            object_type="sis.student",
            object_id=student_id,
            write=write,
        )
    return student


def open_subscription_parent(
    request: HttpRequest, student: Student, guardian_id: int, *, write: bool = False
) -> GuardianLink:
    """A parent's link to a student `open_subscription_student` let through: a parent, legal
    guardian or one acting as a parent (R1, R67), linked today; else a logged 404, the same
    for a guardian of another family as for one who does not exist."""
    link = (
        GuardianLink.objects.open_on(resolve(request).today)
        .parental()
        .filter(student=student, guardian_id=guardian_id)
        .select_related("guardian")
        .first()
    )
    if link is None:
        refuse(
            request,
            student_id=student.pk,
            module=ROSTER,
            object_type="sis.guardian",
            object_id=guardian_id,
            write=write,
        )
    return link


# --- The log ----------------------------------------------------------------------------------


def record_reads(
    request: HttpRequest,
    reads: Iterable[tuple[int, str]],
    *,
    section: Section | None = None,
    page: str = "",
) -> None:
    """One STAFF_READ event per student and module shown, all in a single INSERT (R50)."""
    resolved = resolve(request)
    detail = {"page": page} if page else {}
    events_record(
        actor=resolved.actor,
        events=[
            Event(
                action=Action.STAFF_READ,
                student_id=student_id,
                module=module,
                object=section,
                detail=detail,
            )
            for student_id, module in sorted(set(reads))
        ],
    )
    alerts.staff_reads_recorded(actor=resolved.actor, user=request.user)  # type: ignore[arg-type]


def refuse(
    request: HttpRequest,
    *,
    object_type: str,
    object_id: int,
    write: bool,
    student_id: int | None = None,
    module: str = CLASSROOM,
) -> NoReturn:
    """Log a refusal (what was asked for, and whether to change it), then 404."""
    events_record(
        actor=resolve(request).actor,
        events=[
            Event(
                action=Action.REFUSED,
                student_id=student_id,
                module=module,
                object_type=object_type,
                object_id=str(object_id),
                detail={"write": write, "path": request.path[:200]},
            )
        ],
    )
    raise Http404
