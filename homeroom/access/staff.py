"""The staff side of the door: how a classroom or office page reaches a section or a student.

Staff see the students they have a legitimate educational interest in (R12): a teacher the
sections they teach today (co-teachers too), the attendance clerk and the school
administrator their school's students, district roles the district. A classroom view never
looks a section or a student up by the id in its URL: it asks `open_section` or
`open_office_student`, which answer only within those bounds and otherwise write a refusal
to the audit log and raise Http404, so "not yours" and "does not exist" look the same.
Every page that shows students' records writes one STAFF_READ event per student, all in one
INSERT (R50).
"""

import dataclasses
import datetime
from collections.abc import Iterable
from typing import NoReturn

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from homeroom.access import policy, watch
from homeroom.access.door import actor_for
from homeroom.access.policy import Viewer, ViewerKind
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, events_record
from homeroom.lib import clock
from homeroom.sis.models import Enrollment, School, Section, StaffRole, Student

Role = StaffRole.Role

# Who keeps a school's daily attendance: with a school, that school; without, the district.
OFFICE_ROLES = frozenset({Role.ATTENDANCE_CLERK, Role.SCHOOL_ADMINISTRATOR, Role.REGISTRAR})
DISTRICT_OFFICE_ROLES = frozenset({Role.REGISTRAR, Role.DISTRICT_ADMINISTRATOR})
NOTICE_ROLES = frozenset({Role.SCHOOL_ADMINISTRATOR, Role.REGISTRAR, Role.DISTRICT_ADMINISTRATOR})
# What staff pages name as the module of their events, besides the portal's modules.
ROSTER = "roster"
CLASSROOM = "classroom"


@dataclasses.dataclass
class StaffRequest:
    """What the policy resolved for a staff member's request, computed once per request."""

    viewer: Viewer
    today: datetime.date
    now: datetime.datetime
    actor: Actor

    @property
    def is_staff(self) -> bool:
        return self.viewer.kind == ViewerKind.STAFF and self.viewer.staff is not None

    @property
    def teaches(self) -> bool:
        return self.is_staff and any(r.role == Role.TEACHER for r in self.viewer.roles)

    @property
    def district_office(self) -> bool:
        return self.is_staff and any(
            r.role in DISTRICT_OFFICE_ROLES and r.school_id is None for r in self.viewer.roles
        )

    @property
    def office_school_ids(self) -> frozenset[int]:
        """The schools whose daily attendance this person keeps (not counting district
        roles, which keep every school's)."""
        if not self.is_staff:
            return frozenset()
        return frozenset(
            r.school_id for r in self.viewer.roles if r.role in OFFICE_ROLES and r.school_id
        )

    @property
    def writes_notices(self) -> bool:
        """Principals and district staff write school notices (notify.services)."""
        return self.is_staff and any(
            r.role in NOTICE_ROLES and (r.school_id is not None or r.role in DISTRICT_OFFICE_ROLES)
            for r in self.viewer.roles
        )

    @property
    def keeps_office(self) -> bool:
        return self.district_office or bool(self.office_school_ids)


def staff_request(request: HttpRequest) -> StaffRequest:
    cached = getattr(request, "_homeroom_staff", None)
    if cached is not None:
        return cached
    today = clock.today()
    viewer = policy.viewer_for(request.user, today)  # type: ignore[arg-type]
    resolved = StaffRequest(
        viewer=viewer, today=today, now=clock.now(), actor=actor_for(request, viewer)
    )
    request._homeroom_staff = resolved  # type: ignore[attr-defined]
    return resolved


# --- Sections ---------------------------------------------------------------------------------


def sections_taught(resolved: StaffRequest, day: datetime.date | None = None) -> QuerySet[Section]:
    """The sections this person teaches (co-teaching included) that run on a day, today by
    default. Nothing without a current teacher role."""
    if not resolved.teaches:
        return Section.objects.none()
    day = day or resolved.today
    return Section.objects.filter(
        section_teachers__staff=resolved.viewer.staff, start_date__lte=day, end_date__gte=day
    )


def open_section(request: HttpRequest, section_id: int, *, write: bool = False) -> Section:
    """The section, if this staff member teaches it and it runs today; else a logged 404."""
    resolved = staff_request(request)
    section = (
        sections_taught(resolved).filter(pk=section_id).select_related("course", "school").first()
    )
    if section is None:
        refuse(request, object_type="sis.section", object_id=section_id, write=write)
    return section


# --- Students, for the office -----------------------------------------------------------------


def office_schools(resolved: StaffRequest) -> QuerySet[School]:
    if resolved.district_office:
        return School.objects.all()
    return School.objects.filter(pk__in=resolved.office_school_ids)


def office_students(resolved: StaffRequest, school: School | None = None) -> QuerySet[Student]:
    """Students whose daily attendance this person keeps: enrolled today in a school of
    theirs (in `school` alone, when given)."""
    if not resolved.keeps_office:
        return Student.objects.none()
    schools = None if resolved.district_office else set(resolved.office_school_ids)
    if school is not None:
        if schools is not None and school.pk not in schools:
            return Student.objects.none()
        schools = {school.pk}
    enrolled = Enrollment.objects.filter(entry_date__lte=resolved.today).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=resolved.today)
    )
    if schools is not None:
        enrolled = enrolled.filter(school_id__in=schools)
    return Student.objects.filter(pk__in=enrolled.values("student_id"))


def open_office_student(request: HttpRequest, student_id: int, *, write: bool = False) -> Student:
    """The student, if this person keeps their school's attendance; else a logged 404."""
    resolved = staff_request(request)
    student = office_students(resolved).filter(pk=student_id).first()
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


# --- The log ----------------------------------------------------------------------------------


def record_reads(
    request: HttpRequest,
    reads: Iterable[tuple[int, str]],
    *,
    section: Section | None = None,
    page: str = "",
) -> None:
    """One STAFF_READ event per student and module shown, all in a single INSERT (R50)."""
    resolved = staff_request(request)
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
    watch.staff_reads_recorded(actor=resolved.actor, user=request.user)  # type: ignore[arg-type]


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
    resolved = staff_request(request)
    events_record(
        actor=resolved.actor,
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
