"""THE access policy: who may see which student's which module, today.

Every portal and staff read of a student's record asks here (DESIGN.md "One door"). The
rules, in the order the guardian case checks them (R1–R4, R12, R18, R19, R63, R67–R69):

- the account is not denied (AccountDenial in force) and has accepted the current
  acceptable-use agreement (checked by the views' `portal_viewer` gate, before any data);
- a guardian link to the student exists, was activated with a district code, and has not
  ended;
- the student is currently enrolled;
- no restriction covers this guardian, student and module today;
- the module is switched on for the student's school;
- once the student is 18 (or marked an eligible student), the student's consent or a
  current dependency certification is on file.

Custody and residence are never consulted (FERPA 99.4, CGS 46b-56, 10-15b; R18).
A student sees their own record under the same enrollment and module rules. Staff see the
students they have a legitimate educational interest in (R12).

Each function answers with querysets or one query, whatever the number of children.
"""

import dataclasses
import datetime
import functools
from collections.abc import Iterable

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from homeroom.access.models import (
    AccountDenial,
    DependencyCertification,
    Module,
    ModuleSwitch,
    Restriction,
    StudentConsent,
)
from homeroom.accounts.models import AgreementAcceptance, AgreementVersion, User
from homeroom.sis.models import (
    Enrollment,
    Guardian,
    GuardianLink,
    Roster,
    Staff,
    StaffRole,
    Student,
)

ALL_MODULES: tuple[str, ...] = tuple(Module.values)


class ViewerKind:
    GUARDIAN = "guardian"
    STUDENT = "student"
    STAFF = "staff"
    NONE = "none"


@dataclasses.dataclass(frozen=True)
class Viewer:
    """Who is asking, resolved once per request from the signed-in user."""

    user: User
    kind: str
    guardian_id: int | None = None
    student_id: int | None = None
    staff: Staff | None = None
    roles: tuple[StaffRole, ...] = ()
    # The account is denied portal access today (R68).
    denied: bool = False
    # A current acceptable-use agreement exists and this account has not accepted it (R71).
    agreement_pending: bool = False

    @property
    def role_label(self) -> str:
        """The role written into audit events."""
        if self.kind == ViewerKind.STAFF and self.roles:
            return ",".join(sorted({r.role for r in self.roles}))
        return self.kind


@functools.cache
def _viewer_sql() -> str:
    """The query of `viewer_for`, in SQL: it runs on every signed-in request, and building
    it with the ORM cost three times as much as running it (docs/performance.md).
    The same on PostgreSQL and SQLite."""
    user, denial = User._meta, AccountDenial._meta
    version, acceptance = AgreementVersion._meta, AgreementAcceptance._meta
    guardian, student, staff = Guardian._meta, Student._meta, Staff._meta
    # Only the models' table names are formatted in; every value is a query parameter.
    return f"""
        SELECT g.id, s.id, st.id,
          EXISTS (SELECT 1 FROM {denial.db_table} d
                  WHERE d.user_id = u.id AND d.lifted_at IS NULL AND d.starts_on <= %(today)s
                    AND (d.ends_on IS NULL OR d.ends_on >= %(today)s)),
          cur.id,
          EXISTS (SELECT 1 FROM {acceptance.db_table} a
                  WHERE a.user_id = u.id AND a.agreement_id = cur.id)
        FROM {user.db_table} u
        LEFT JOIN {guardian.db_table} g ON g.user_id = u.id
        LEFT JOIN {student.db_table} s ON s.user_id = u.id
        LEFT JOIN {staff.db_table} st ON st.user_id = u.id
        LEFT JOIN (SELECT v.id FROM {version.db_table} v WHERE v.published_at IS NOT NULL
                   ORDER BY v.version DESC LIMIT 1) cur ON TRUE
        WHERE u.id = %(user)s
    """  # noqa: S608


def viewer_for(user: User, today: datetime.date) -> Viewer:
    """Resolve the signed-in user to a guardian, a student or a staff member, with the two
    account-level answers every portal page needs first, all in one query: is the account
    denied today, and has it accepted the current acceptable-use agreement?

    A person holds one account per role (R71): an account linked to a guardian record is a
    guardian's, to a student record a student's, to a staff record a staff member's.
    """
    if not user.is_authenticated:
        return Viewer(user=user, kind=ViewerKind.NONE)
    with connection.cursor() as cursor:
        cursor.execute(_viewer_sql(), {"user": user.pk, "today": today})
        row = cursor.fetchone()
    guardian_id, student_id, staff_id, denied, current_id, accepted = row or (
        None,
        None,
        None,
        False,
        None,
        True,
    )
    is_denied = bool(denied)
    pending = current_id is not None and not accepted
    if guardian_id is not None:
        return Viewer(
            user=user,
            kind=ViewerKind.GUARDIAN,
            guardian_id=guardian_id,
            denied=is_denied,
            agreement_pending=pending,
        )
    if student_id is not None:
        return Viewer(
            user=user,
            kind=ViewerKind.STUDENT,
            student_id=student_id,
            denied=is_denied,
            agreement_pending=pending,
        )
    if staff_id is not None:
        roles = tuple(
            StaffRole.objects.filter(staff_id=staff_id)
            .select_related("staff")
            .filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        )
        staff = roles[0].staff if roles else Staff.objects.get(pk=staff_id)
        return Viewer(
            user=user,
            kind=ViewerKind.STAFF,
            staff=staff,
            roles=roles,
            denied=is_denied,
            agreement_pending=pending,
        )
    return Viewer(user=user, kind=ViewerKind.NONE, denied=is_denied, agreement_pending=pending)


# --- Account-level checks ---------------------------------------------------------------------


def _denials_in_force(today: datetime.date) -> QuerySet[AccountDenial]:
    return AccountDenial.objects.filter(lifted_at__isnull=True, starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )


def denial_in_force(user: User, today: datetime.date) -> AccountDenial | None:
    return _denials_in_force(today).filter(user=user).order_by("-starts_on").first()


# --- Building blocks --------------------------------------------------------------------------


def currently_enrolled(today: datetime.date, school_id: int | None = None) -> Exists:
    """The student is enrolled today (at this school, when one is given)."""
    enrollments = Enrollment.objects.filter(student=OuterRef("pk"), entry_date__lte=today)
    if school_id is not None:
        enrollments = enrollments.filter(school_id=school_id)
    return Exists(enrollments.filter(Q(exit_date__isnull=True) | Q(exit_date__gte=today)))


def current_school_id(today: datetime.date) -> Subquery:
    return Subquery(
        Enrollment.objects.filter(student=OuterRef("pk"), entry_date__lte=today)
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=today))
        .order_by("-entry_date")
        .values("school_id")[:1]
    )


def _current_school_name(today: datetime.date) -> Subquery:
    return Subquery(
        Enrollment.objects.filter(student=OuterRef("pk"), entry_date__lte=today)
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=today))
        .order_by("-entry_date")
        .values("school__name")[:1]
    )


def _restriction_in_force(guardian_id: int, module: str, today: datetime.date) -> Exists:
    return Exists(
        Restriction.objects.filter(
            guardian_id=guardian_id,
            student=OuterRef("pk"),
            lifted_at__isnull=True,
            starts_on__lte=today,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .filter(Q(whole_record=True) | Q(**{module: True}))
    )


def adult_on(today: datetime.date) -> datetime.date:
    """Students born on or before this day are 18 or older today (29 Feb → 28 Feb)."""
    try:
        return today.replace(year=today.year - 18)
    except ValueError:
        return today.replace(year=today.year - 18, day=28)


def _rights_with_guardian(guardian_id: int, today: datetime.date) -> Q:
    """FERPA rights still reach this guardian: the student is a minor and not an eligible
    student, or the eligible student consented, or the guardian certified dependency."""
    minor = Q(date_of_birth__gt=adult_on(today), eligible_student=False)
    consent = Exists(
        StudentConsent.objects.filter(
            student=OuterRef("pk"),
            guardian_id=guardian_id,
            signed_on__lte=today,
            withdrawn_at__isnull=True,
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    )
    dependency = Exists(
        DependencyCertification.objects.filter(
            student=OuterRef("pk"), guardian_id=guardian_id, expires_on__gte=today
        )
    )
    return minor | Q(consent) | Q(dependency)


def _active_link(guardian_id: int, today: datetime.date) -> Exists:
    return Exists(
        GuardianLink.objects.filter(
            guardian_id=guardian_id,
            student=OuterRef("pk"),
            portal_status=GuardianLink.PortalStatus.ACTIVE,
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    )


# --- Module switches --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Switches:
    district: dict[str, bool]
    by_school: dict[tuple[str, int], bool]

    def is_on(self, module: str, school_id: int | None) -> bool:
        if school_id is not None and (module, school_id) in self.by_school:
            return self.by_school[(module, school_id)]
        return self.district.get(module, True)


def switches_now() -> Switches:
    """The switches as they stand: read on every request, so a change holds on the next."""
    district: dict[str, bool] = {}
    by_school: dict[tuple[str, int], bool] = {}
    for module, school_id, enabled in ModuleSwitch.objects.values_list(
        "module", "school_id", "enabled"
    ):
        if school_id is None:
            district[module] = enabled
        else:
            by_school[(module, school_id)] = enabled
    return Switches(district=district, by_school=by_school)


# --- What a viewer may see --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StudentAccess:
    student: Student
    school_id: int | None
    school_name: str
    modules: frozenset[str]
    # The viewer holds the educational rights (the student themself, or a guardian whose
    # link carries them): they may read the record of disclosures (R9).
    rights: bool = False


def portal_students(
    viewer: Viewer, today: datetime.date, switches: Switches
) -> list[StudentAccess]:
    """The students a guardian or a student may see in the portal, each with its modules.

    One query: a student appears only with at least one module open to this viewer.
    """
    queryset: QuerySet[Student]
    if viewer.kind == ViewerKind.GUARDIAN and viewer.guardian_id is not None:
        queryset = Student.objects.filter(
            _active_link(viewer.guardian_id, today),
            currently_enrolled(today),
            _rights_with_guardian(viewer.guardian_id, today),
        ).annotate(
            **{
                f"restricted_{module}": _restriction_in_force(viewer.guardian_id, module, today)
                for module in ALL_MODULES
            },
            holds_rights=Exists(
                GuardianLink.objects.filter(
                    guardian_id=viewer.guardian_id,
                    student=OuterRef("pk"),
                    educational_rights=True,
                )
            ),
        )
    elif viewer.kind == ViewerKind.STUDENT and viewer.student_id is not None:
        queryset = Student.objects.filter(pk=viewer.student_id).filter(currently_enrolled(today))
    else:
        return []
    rows = queryset.annotate(
        school_now=current_school_id(today), school_name_now=_current_school_name(today)
    ).order_by("date_of_birth", "pk")
    result = []
    for student in rows:
        modules = frozenset(
            module
            for module in ALL_MODULES
            if not getattr(student, f"restricted_{module}", False)
            and switches.is_on(module, student.school_now)
        )
        if modules:
            rights = getattr(student, "holds_rights", viewer.kind == ViewerKind.STUDENT)
            result.append(
                StudentAccess(
                    student, student.school_now, student.school_name_now or "", modules, rights
                )
            )
    return result


def staff_students(viewer: Viewer, today: datetime.date) -> QuerySet[Student]:
    """Students a staff member has a legitimate educational interest in (R12)."""
    if viewer.kind != ViewerKind.STAFF or viewer.staff is None:
        return Student.objects.none()
    district_wide = {StaffRole.Role.REGISTRAR, StaffRole.Role.DISTRICT_ADMINISTRATOR}
    school_roles = {
        StaffRole.Role.SCHOOL_ADMINISTRATOR,
        StaffRole.Role.ATTENDANCE_CLERK,
        StaffRole.Role.REGISTRAR,
    }
    if any(r.role in district_wide and r.school_id is None for r in viewer.roles):
        return Student.objects.all()
    condition = Q(pk__in=[])
    schools = {r.school_id for r in viewer.roles if r.role in school_roles and r.school_id}
    if schools:
        condition |= Q(
            Exists(
                Enrollment.objects.filter(
                    student=OuterRef("pk"), school_id__in=schools, entry_date__lte=today
                ).filter(Q(exit_date__isnull=True) | Q(exit_date__gte=today))
            )
        )
    if any(r.role == StaffRole.Role.TEACHER for r in viewer.roles):
        condition |= Q(
            Exists(current_rosters_taught_by(viewer.staff, today).filter(student=OuterRef("pk")))
        )
    return Student.objects.filter(condition)


def current_rosters_taught_by(staff: Staff, today: datetime.date) -> QuerySet[Roster]:
    return Roster.objects.filter(
        section__section_teachers__staff=staff,
        section__start_date__lte=today,
        section__end_date__gte=today,
        start_date__lte=today,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))


def modules_for(accesses: Iterable[StudentAccess], student_id: int) -> frozenset[str]:
    for access in accesses:
        if access.student.pk == student_id:
            return access.modules
    return frozenset()


# --- Who may be told ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FamilyMember:
    """A guardian the policy lets hear about a student today (notify asks this at sending)."""

    guardian_id: int
    student_id: int
    user_id: int
    school_id: int | None
    lives_with: bool


def family_audience(
    students: Iterable[int] | QuerySet[Student],
    today: datetime.date,
    switches: Switches,
    module: str | None,
    *,
    guardian_ids: Iterable[int] | None = None,
) -> list[FamilyMember]:
    """The guardians who may be told about these students today, in one query: the same
    rules as `portal_students` (an account not denied, an activated link that has not ended,
    the student enrolled, the rights still with the guardian at 18, no restriction), for one
    module (switched on at the student's school), or, with `module` None, for school notices,
    which only a restriction of the whole record withholds.

    Custody and residence are never consulted (R18); `lives_with` is returned for notice
    parity (R20), which sends to a non-residential parent on request.
    """
    student_filter = (
        Q(student__in=students) if isinstance(students, QuerySet) else Q(student_id__in=students)
    )
    links = GuardianLink.objects.filter(
        student_filter,
        portal_status=GuardianLink.PortalStatus.ACTIVE,
        guardian__user__isnull=False,
        guardian__user__is_active=True,
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    if guardian_ids is not None:
        links = links.filter(guardian_id__in=list(guardian_ids))
    enrolled = Exists(
        Enrollment.objects.filter(student=OuterRef("student"), entry_date__lte=today).filter(
            Q(exit_date__isnull=True) | Q(exit_date__gte=today)
        )
    )
    consent = Exists(
        StudentConsent.objects.filter(
            student=OuterRef("student"),
            guardian=OuterRef("guardian"),
            signed_on__lte=today,
            withdrawn_at__isnull=True,
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    )
    dependency = Exists(
        DependencyCertification.objects.filter(
            student=OuterRef("student"), guardian=OuterRef("guardian"), expires_on__gte=today
        )
    )
    minor = Q(student__date_of_birth__gt=adult_on(today), student__eligible_student=False)
    scope = Q(whole_record=True) if module is None else Q(whole_record=True) | Q(**{module: True})
    restricted = Exists(
        Restriction.objects.filter(
            guardian=OuterRef("guardian"),
            student=OuterRef("student"),
            lifted_at__isnull=True,
            starts_on__lte=today,
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .filter(scope)
    )
    denied = Exists(_denials_in_force(today).filter(user=OuterRef("guardian__user")))
    school_now = Subquery(
        Enrollment.objects.filter(student=OuterRef("student"), entry_date__lte=today)
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=today))
        .order_by("-entry_date")
        .values("school_id")[:1]
    )
    rows = (
        links.filter(enrolled)
        .filter(minor | Q(consent) | Q(dependency))
        .exclude(restricted)
        .exclude(denied)
        .annotate(school_now=school_now)
        .values_list("guardian_id", "student_id", "guardian__user_id", "school_now", "lives_with")
        .order_by("guardian_id", "student_id")
    )
    return [
        FamilyMember(guardian, student, user, school, lives_with)
        for guardian, student, user, school, lives_with in rows
        if module is None or switches.is_on(module, school)
    ]
