"""How OneRoster's vocabulary and Homeroom's meet, both ways (docs/interop.md, "Mapping")."""

import datetime
import functools
import zoneinfo

from django.conf import settings

from homeroom.sis.models import GuardianLink, School, StaffRole

STUDENT = "student"
GUARDIAN = "guardian"
STAFF = "staff"

# roles.csv role → the kind of Homeroom record the user is.
GUARDIAN_ROLES = {"parent", "guardian", "relative"}


def kind_of_role(role: str) -> str:
    if role == "student":
        return STUDENT
    if role in GUARDIAN_ROLES:
        return GUARDIAN
    return STAFF


# roles.csv role → sis.StaffRole.Role; the roles with no counterpart (aide, proctor, other
# ext: values) give a staff record without a role.
STAFF_ROLE_FROM_ONEROSTER: dict[str, str] = {
    "teacher": StaffRole.Role.TEACHER,
    "principal": StaffRole.Role.SCHOOL_ADMINISTRATOR,
    "siteAdministrator": StaffRole.Role.SCHOOL_ADMINISTRATOR,
    "districtAdministrator": StaffRole.Role.DISTRICT_ADMINISTRATOR,
    "systemAdministrator": StaffRole.Role.TECHNOLOGY,
    "ext:registrar": StaffRole.Role.REGISTRAR,
    "ext:attendanceClerk": StaffRole.Role.ATTENDANCE_CLERK,
    "counselor": StaffRole.Role.COUNSELOR,
}
STAFF_ROLE_TO_ONEROSTER: dict[str, str] = {
    StaffRole.Role.TEACHER: "teacher",
    StaffRole.Role.SCHOOL_ADMINISTRATOR: "principal",
    StaffRole.Role.DISTRICT_ADMINISTRATOR: "districtAdministrator",
    StaffRole.Role.TECHNOLOGY: "systemAdministrator",
    StaffRole.Role.REGISTRAR: "ext:registrar",
    StaffRole.Role.ATTENDANCE_CLERK: "ext:attendanceClerk",
    StaffRole.Role.COUNSELOR: "counselor",
}
# Roles that OneRoster has no word for: a package from another system never names them, so
# a bulk roles.csv leaving them out does not end them (only a tobedeleted row does).
HOMEROOM_ONLY_ROLES = frozenset({StaffRole.Role.REGISTRAR, StaffRole.Role.ATTENDANCE_CLERK})

RELATIONSHIP_FROM_ROLE: dict[str, str] = {
    "parent": GuardianLink.Relationship.PARENT,
    "guardian": GuardianLink.Relationship.GUARDIAN,
    "relative": GuardianLink.Relationship.RELATIVE,
}
ROLE_FROM_RELATIONSHIP: dict[str | None, str] = {
    GuardianLink.Relationship.MOTHER: "parent",
    GuardianLink.Relationship.FATHER: "parent",
    GuardianLink.Relationship.PARENT: "parent",
    GuardianLink.Relationship.GUARDIAN: "guardian",
    GuardianLink.Relationship.ACTING_AS_PARENT: "guardian",
    GuardianLink.Relationship.RELATIVE: "relative",
    # Contacts who are not parents: OneRoster's nearest word. Never "parent" (which a
    # receiving system could take as a portal user).
    GuardianLink.Relationship.SIBLING: "relative",
    GuardianLink.Relationship.EMERGENCY_CONTACT: "relative",
    GuardianLink.Relationship.OTHER: "relative",
}


def school_kind(highest_grade: str | None, name: str) -> str:
    """School.kind for a new school: from the highest grade of the students it enrolls
    (09 and above: high; 06 to 08: middle; below: elementary), else from its name."""
    if highest_grade:
        if highest_grade in {"09", "10", "11", "12"}:
            return School.Kind.HIGH
        if highest_grade in {"06", "07", "08"}:
            return School.Kind.MIDDLE
        return School.Kind.ELEMENTARY
    lowered = name.lower()
    if "high" in lowered:
        return School.Kind.HIGH
    if "middle" in lowered or "junior" in lowered:
        return School.Kind.MIDDLE
    return School.Kind.ELEMENTARY


def district_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The start of a day in the district's time zone: when an imported date takes effect."""
    return _midnight(day, settings.TIME_ZONE)


@functools.lru_cache(maxsize=4096)
def _midnight(day: datetime.date, zone: str) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zoneinfo.ZoneInfo(zone))


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(district_zone()).date()
