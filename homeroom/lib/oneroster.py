"""What OneRoster 1.2 CSV says: the files Homeroom reads and writes, their columns, the
columns each row must fill, and the enumerations (1EdTech OneRoster CSV Binding 1.2.1, §3).

Only facts of the standard live here; what Homeroom does with them is in `validation`,
`importer` and `exporter`. docs/interop.md has the whole mapping.
"""

import dataclasses

MANIFEST = "manifest"
MANIFEST_VERSION = "1.0"
ONEROSTER_VERSION = "1.2"
MANIFEST_HEADER = ("propertyName", "value")

BULK = "bulk"
DELTA = "delta"
ABSENT = "absent"
MODES = (ABSENT, BULK, DELTA)

ACTIVE = "active"
TO_BE_DELETED = "tobedeleted"
STATUSES = (ACTIVE, TO_BE_DELETED)

# Every data file of the 1.2 binding, as named in the manifest (file.<name>).
ALL_FILES = (
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItemLearningObjectiveIds",
    "lineItems",
    "lineItemScoreScales",
    "orgs",
    "resources",
    "resultLearningObjectiveIds",
    "results",
    "resultScoreScales",
    "roles",
    "scoreScales",
    "userProfiles",
    "userResources",
    "users",
)

# Prefix of the extension columns a file may carry to the right of the defined ones.
METADATA_PREFIX = "metadata."
# Prefix of extension values of an extensible enumeration ("ext:librarian").
EXTENSION_PREFIX = "ext:"


@dataclasses.dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple[str, ...]
    # Columns that every row must fill (the standard's "Required").
    required: frozenset[str]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"


def _spec(name: str, columns: str, required: str) -> FileSpec:
    return FileSpec(name, tuple(columns.split()), frozenset(required.split()))


COMMON = "sourcedId status dateLastModified"

ORGS = _spec("orgs", f"{COMMON} name type identifier parentSourcedId", "sourcedId name type")
ACADEMIC_SESSIONS = _spec(
    "academicSessions",
    f"{COMMON} title type startDate endDate parentSourcedId schoolYear",
    "sourcedId title type startDate endDate schoolYear",
)
COURSES = _spec(
    "courses",
    f"{COMMON} schoolYearSourcedId title courseCode grades orgSourcedId subjects subjectCodes",
    "sourcedId title orgSourcedId",
)
CLASSES = _spec(
    "classes",
    f"{COMMON} title grades courseSourcedId classCode classType location schoolSourcedId "
    "termSourcedIds subjects subjectCodes periods",
    "sourcedId title courseSourcedId classType schoolSourcedId termSourcedIds",
)
USERS = _spec(
    "users",
    f"{COMMON} enabledUser username userIds givenName familyName middleName identifier email "
    "sms phone agentSourcedIds grades password userMasterIdentifier resourceSourcedIds "
    "preferredGivenName preferredMiddleName preferredFamilyName primaryOrgSourcedId pronouns",
    "sourcedId enabledUser givenName familyName",
)
ROLES = _spec(
    "roles",
    f"{COMMON} userSourcedId roleType role beginDate endDate orgSourcedId userProfileSourcedId",
    "sourcedId userSourcedId roleType role orgSourcedId",
)
ENROLLMENTS = _spec(
    "enrollments",
    f"{COMMON} classSourcedId schoolSourcedId userSourcedId role primary beginDate endDate",
    "sourcedId classSourcedId schoolSourcedId userSourcedId role",
)
DEMOGRAPHICS = _spec(
    "demographics",
    f"{COMMON} birthDate sex americanIndianOrAlaskaNative asian blackOrAfricanAmerican "
    "nativeHawaiianOrOtherPacificIslander white demographicRaceTwoOrMoreRaces "
    "hispanicOrLatinoEthnicity countryOfBirthCode stateOfBirthAbbreviation cityOfBirth "
    "publicSchoolResidenceStatus",
    "sourcedId",
)
CATEGORIES = _spec("categories", f"{COMMON} title weight", "sourcedId title")
LINE_ITEMS = _spec(
    "lineItems",
    f"{COMMON} title description assignDate dueDate classSourcedId categorySourcedId "
    "gradingPeriodSourcedId resultValueMin resultValueMax",
    "sourcedId title classSourcedId categorySourcedId",
)
RESULTS = _spec(
    "results",
    f"{COMMON} lineItemSourcedId studentSourcedId scoreStatus score textScore scoreDate "
    "comment inProgress incomplete late missing",
    "sourcedId lineItemSourcedId studentSourcedId scoreStatus",
)

# The files Homeroom imports and exports, in the order their references need them.
SPECS: dict[str, FileSpec] = {
    spec.name: spec
    for spec in (
        ORGS,
        ACADEMIC_SESSIONS,
        COURSES,
        CLASSES,
        USERS,
        ROLES,
        ENROLLMENTS,
        DEMOGRAPHICS,
        CATEGORIES,
        LINE_ITEMS,
        RESULTS,
    )
}
# Declared files that Homeroom has no place for: read for their header, otherwise left out.
IGNORED_FILES = tuple(name for name in ALL_FILES if name not in SPECS)

# --- Enumerations -----------------------------------------------------------------------------

ORG_TYPES = ("department", "district", "local", "national", "school", "state")
SESSION_TYPES = ("gradingPeriod", "schoolYear", "semester", "term")
CLASS_TYPES = ("homeroom", "scheduled")
ROLE_TYPES = ("primary", "secondary")
USER_ROLES = (
    "aide",
    "counselor",
    "districtAdministrator",
    "guardian",
    "parent",
    "principal",
    "proctor",
    "relative",
    "siteAdministrator",
    "student",
    "systemAdministrator",
    "teacher",
)
ENROLLMENT_ROLES = ("administrator", "proctor", "student", "teacher")
SCORE_STATUSES = ("exempt", "fully graded", "not submitted", "partially graded", "submitted")
SEXES = ("female", "male", "other", "unspecified")
TRUE_FALSE = ("true", "false")
# CEDS grade levels, as OneRoster uses them.
GRADES = (
    "IT",
    "PR",
    "PK",
    "TK",
    "KG",
    *(f"{n:02d}" for n in range(1, 14)),
    "PS",
    "UG",
    "Other",
)
USER_ID_SASID = "SASID"

GUARDIAN_ROLES = ("parent", "guardian", "relative")
