"""THE access policy for families: which student's which module a guardian or a student may
see, today. The staff half (legitimate educational interest, R12) is `access.staff`; both
read the same rows, and every portal and staff read of a student's record asks one of them
(DESIGN.md "One door").

The rules, in the order the guardian case checks them (R1–R4, R12, R18, R19, R63, R67–R69):

- the account is not denied (an AccountDenial of the whole account in force) and has
  accepted the current acceptable-use agreement (checked by the views' gates, before any
  data);
- the guardian is a parent in FERPA's sense (99.3: a parent, a legal guardian, or someone
  acting as a parent): a relative or an emergency contact on file never sees the portal;
- a guardian link to the student exists, was activated with a district code, and has not
  ended; and no suspension of this account for this child is in force;
- the student is currently enrolled;
- no restriction covers this guardian, student and module today (a restriction may also
  hide a field: the other guardians' contact details, R3);
- the module is switched on for the student's school and grade level;
- once the student is 18 (or marked an eligible student), the student's consent or a
  current dependency certification is on file.

Custody and residence are never consulted (FERPA 99.4, CGS 46b-56, 10-15b; R18).
A student sees their own record under the same enrollment and module rules.

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
from homeroom.audit.services import ADMIN_ROLE
from homeroom.lib import clock
from homeroom.sis.models import (
    Enrollment,
    Guardian,
    GuardianLink,
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
        if self.kind == ViewerKind.NONE and getattr(self.user, "is_staff", False):
            # An administrator account with no staff record (a superuser).
            return ADMIN_ROLE
        return self.kind

    def holds_role(self, roles: Iterable[str], *, district_wide: bool = False) -> bool:
        """A current staff role among these (held without a school, if `district_wide`)."""
        return any(
            r.role in roles and (not district_wide or r.school_id is None) for r in self.roles
        )


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
                  WHERE d.user_id = u.id AND d.student_id IS NULL AND d.lifted_at IS NULL
                    AND d.starts_on <= %(today)s
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
            StaffRole.objects.current(today).filter(staff_id=staff_id).select_related("staff")
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


def denial_in_force(user: User, today: datetime.date) -> AccountDenial | None:
    """A denial of the whole account in force today (a suspension for one child is not)."""
    return (
        AccountDenial.objects.in_force(today)
        .filter(user=user, student__isnull=True)
        .order_by("-starts_on")
        .first()
    )


def sign_in_refused(user: User) -> bool:
    """Whether this account is denied today and may not sign in at all (R68; the accounts
    app asks through settings.HOMEROOM_SIGN_IN_REFUSED, as it cannot import the policy)."""
    return denial_in_force(user, clock.today()) is not None


# --- Building blocks --------------------------------------------------------------------------


def currently_enrolled(today: datetime.date, school_id: int | None = None) -> Exists:
    """The student is enrolled today (at this school, when one is given)."""
    enrollments = Enrollment.objects.current(today).filter(student=OuterRef("pk"))
    if school_id is not None:
        enrollments = enrollments.filter(school_id=school_id)
    return Exists(enrollments)


def _current_enrollment(today: datetime.date, field: str) -> Subquery:
    return Subquery(
        Enrollment.objects.current(today)
        .filter(student=OuterRef("pk"))
        .order_by("-entry_date")
        .values(field)[:1]
    )


def _restriction_in_force(guardian_id: int, scope: str, today: datetime.date) -> Exists:
    """A restriction on this guardian and the student covers `scope` today: a module, or
    `contact_details` (the other guardians' address, phone and e-mail)."""
    return Exists(
        Restriction.objects.in_force(today)
        .filter(guardian_id=guardian_id, student=OuterRef("pk"))
        .filter(Q(whole_record=True) | Q(**{scope: True}))
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
        StudentConsent.objects.in_force(today).filter(
            student=OuterRef("pk"), guardian_id=guardian_id
        )
    )
    dependency = Exists(
        DependencyCertification.objects.in_force(today).filter(
            student=OuterRef("pk"), guardian_id=guardian_id
        )
    )
    return minor | Q(consent) | Q(dependency)


def _active_link(guardian_id: int, today: datetime.date) -> Exists:
    """An activated, open link of a parent or guardian (never a contact's, R1, R67)."""
    return Exists(
        GuardianLink.objects.open_on(today)
        .parental()
        .filter(
            guardian_id=guardian_id,
            student=OuterRef("pk"),
            portal_status=GuardianLink.PortalStatus.ACTIVE,
        )
    )


def _suspended_for_child(user: User, today: datetime.date) -> Exists:
    """A suspension of this account for this one child is in force (R68)."""
    return Exists(AccountDenial.objects.in_force(today).filter(user=user, student=OuterRef("pk")))


# --- Module switches --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Switches:
    """Every module switch, read once per request. Keys: (module, school id or None, grade
    level or "")."""

    by_scope: dict[tuple[str, int | None, str], bool]

    def is_on(self, module: str, school_id: int | None, grade_level: str = "") -> bool:
        """The most specific switch wins: the school's grade level, the school, the grade
        level district-wide, the district; with none, the module is on (R69)."""
        for scope in (
            (module, school_id, grade_level),
            (module, school_id, ""),
            (module, None, grade_level),
            (module, None, ""),
        ):
            if scope in self.by_scope:
                return self.by_scope[scope]
        return True


def switches_now() -> Switches:
    """The switches as they stand: read on every request, so a change holds on the next."""
    return Switches(
        by_scope={
            (module, school_id, grade_level): enabled
            for module, school_id, grade_level, enabled in ModuleSwitch.objects.values_list(
                "module", "school_id", "grade_level", "enabled"
            )
        }
    )


# --- What a viewer may see --------------------------------------------------------------------


# Fields a restriction can hide from a guardian, besides whole modules (R3).
CONTACT_DETAILS = "contact_details"


@dataclasses.dataclass(frozen=True)
class StudentAccess:
    student: Student
    school_id: int | None
    school_name: str
    modules: frozenset[str]
    # The viewer holds the educational rights (the student themself, or a guardian whose
    # link carries them): they may read the record of disclosures (R9).
    rights: bool = False
    # Parts of the record a restriction hides from this viewer besides whole modules:
    # CONTACT_DETAILS (the other guardians' address, phone and e-mail).
    hidden: frozenset[str] = frozenset()


def portal_students(
    viewer: Viewer, today: datetime.date, switches: Switches
) -> list[StudentAccess]:
    """The students a guardian or a student may see in the portal, each with its modules.

    One query: a student appears only with at least one module open to this viewer.
    """
    queryset: QuerySet[Student]
    if viewer.kind == ViewerKind.GUARDIAN and viewer.guardian_id is not None:
        guardian_id = viewer.guardian_id
        queryset = (
            Student.objects.filter(
                _active_link(guardian_id, today),
                currently_enrolled(today),
                _rights_with_guardian(guardian_id, today),
            )
            .exclude(_suspended_for_child(viewer.user, today))
            .annotate(
                **{
                    f"restricted_{scope}": _restriction_in_force(guardian_id, scope, today)
                    for scope in (*ALL_MODULES, CONTACT_DETAILS)
                },
                holds_rights=Exists(
                    GuardianLink.objects.filter(
                        guardian_id=guardian_id,
                        student=OuterRef("pk"),
                        educational_rights=True,
                    )
                ),
            )
        )
    elif viewer.kind == ViewerKind.STUDENT and viewer.student_id is not None:
        queryset = Student.objects.filter(pk=viewer.student_id).filter(currently_enrolled(today))
    else:
        return []
    rows = queryset.annotate(
        school_now=_current_enrollment(today, "school_id"),
        school_name_now=_current_enrollment(today, "school__name"),
        grade_now=_current_enrollment(today, "grade_level"),
    ).order_by("date_of_birth", "pk")
    result = []
    for student in rows:
        modules = frozenset(
            module
            for module in ALL_MODULES
            if not getattr(student, f"restricted_{module}", False)
            and switches.is_on(module, student.school_now, student.grade_now or "")
        )
        if modules:
            rights = getattr(student, "holds_rights", viewer.kind == ViewerKind.STUDENT)
            hides_contacts = getattr(student, f"restricted_{CONTACT_DETAILS}", False)
            hidden = frozenset({CONTACT_DETAILS} if hides_contacts else ())
            result.append(
                StudentAccess(
                    student,
                    student.school_now,
                    student.school_name_now or "",
                    modules,
                    rights,
                    hidden,
                )
            )
    return result


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
    """The guardians who may be told about these students today, in one query, by the same
    rules as `portal_students` (a parent's activated link that has not ended, an account not
    denied nor suspended for this child, the student enrolled, the rights still with the
    guardian at 18, no restriction), for one module (switched on at the student's school and
    grade level), or, with `module` None, for school notices, which only a restriction of the
    whole record withholds.

    Custody and residence are never consulted (R18); `lives_with` is returned for notice
    parity (R20), which sends to a non-residential parent on request.
    """
    student_filter = (
        Q(student__in=students) if isinstance(students, QuerySet) else Q(student_id__in=students)
    )
    links = (
        GuardianLink.objects.open_on(today)
        .parental()
        .filter(
            student_filter,
            portal_status=GuardianLink.PortalStatus.ACTIVE,
            guardian__user__isnull=False,
            guardian__user__is_active=True,
        )
    )
    if guardian_ids is not None:
        links = links.filter(guardian_id__in=list(guardian_ids))
    current = Enrollment.objects.current(today).filter(student=OuterRef("student"))
    consent = Exists(
        StudentConsent.objects.in_force(today).filter(
            student=OuterRef("student"), guardian=OuterRef("guardian")
        )
    )
    dependency = Exists(
        DependencyCertification.objects.in_force(today).filter(
            student=OuterRef("student"), guardian=OuterRef("guardian")
        )
    )
    minor = Q(student__date_of_birth__gt=adult_on(today), student__eligible_student=False)
    scope = Q(whole_record=True) if module is None else Q(whole_record=True) | Q(**{module: True})
    restricted = Exists(
        Restriction.objects.in_force(today)
        .filter(guardian=OuterRef("guardian"), student=OuterRef("student"))
        .filter(scope)
    )
    # The whole account denied, or suspended for this child (R68).
    denied = Exists(
        AccountDenial.objects.in_force(today)
        .filter(user=OuterRef("guardian__user"))
        .filter(Q(student__isnull=True) | Q(student=OuterRef("student")))
    )
    rows = (
        links.filter(Exists(current))
        .filter(minor | Q(consent) | Q(dependency))
        .exclude(restricted)
        .exclude(denied)
        .annotate(
            school_now=Subquery(current.order_by("-entry_date").values("school_id")[:1]),
            grade_now=Subquery(current.order_by("-entry_date").values("grade_level")[:1]),
        )
        .values_list(
            "guardian_id",
            "student_id",
            "guardian__user_id",
            "school_now",
            "grade_now",
            "lives_with",
        )
        .order_by("guardian_id", "student_id")
    )
    return [
        FamilyMember(guardian, student, user, school, lives_with)
        for guardian, student, user, school, grade, lives_with in rows
        if module is None or switches.is_on(module, school, grade or "")
    ]
