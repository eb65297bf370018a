"""District staff groups and what each may do in the admin.

Least privilege (FERPA 99.31(a)(1)(ii), R12): the registrar keeps the roster and places
restrictions; the district administrator runs the district; technology staff run accounts,
security reports and the audit log, and see no grades or attendance.
The groups are brought in line after every `migrate`.
"""

from typing import TYPE_CHECKING, Any

from django.apps import apps as global_apps

from homeroom.sis.models import StaffRole

if TYPE_CHECKING:
    # The historical model `migrate` hands over has the same fields and manager.
    from django.contrib.auth.models import Permission

Role = StaffRole.Role

# --- Which staff roles may do what: the one list of each (the policy and the services ask
# here, never a set of their own).

# The records custodians (FERPA 99.32(c)): restrictions, consents, activation codes,
# disclosures, the review of staff access.
CUSTODIANS = frozenset({Role.REGISTRAR, Role.DISTRICT_ADMINISTRATOR})
# Who may deny, suspend, review and reinstate an account: custodians and technology staff
# (the security-risk rule is theirs to review).
SUSPENDERS = CUSTODIANS | {Role.TECHNOLOGY}
# Who may switch portal modules (R69).
SWITCHERS = frozenset({Role.DISTRICT_ADMINISTRATOR})
# Legitimate educational interest (R12): held without a school, these reach the district;
# with a school, these reach that school's students.
DISTRICT_INTEREST = frozenset({Role.REGISTRAR, Role.DISTRICT_ADMINISTRATOR})
# A contractor's support account reads the students of its contract's schools, and nothing
# more: no office, no notices, no reason to read beyond them (R13).
SCHOOL_INTEREST = frozenset(
    {Role.SCHOOL_ADMINISTRATOR, Role.ATTENDANCE_CLERK, Role.REGISTRAR, Role.VENDOR_SUPPORT}
)
# Who keeps a school's daily attendance (the office pages).
OFFICE = frozenset({Role.ATTENDANCE_CLERK, Role.SCHOOL_ADMINISTRATOR, Role.REGISTRAR})
# Who writes school notices to families (R20): held with a school, to that school's
# families; held without one, to any school's or the whole district's.
NOTICE_WRITERS = frozenset({Role.SCHOOL_ADMINISTRATOR, Role.REGISTRAR, Role.DISTRICT_ADMINISTRATOR})
DISTRICT_NOTICE_WRITERS = frozenset({Role.REGISTRAR, Role.DISTRICT_ADMINISTRATOR})
# Who enters or renews a non-residential parent's subscription to school notices (R20).
SUBSCRIPTION_KEEPERS = CUSTODIANS | {Role.SCHOOL_ADMINISTRATOR}
# Who may read a student outside their interest by stating a reason ("break-glass"):
# educators and the office. Technology staff have no educational interest to extend.
REASON_GIVERS = frozenset(
    {
        Role.TEACHER,
        Role.COUNSELOR,
        Role.SCHOOL_ADMINISTRATOR,
        Role.ATTENDANCE_CLERK,
        Role.REGISTRAR,
    }
)

REGISTRAR = "Registrar"
DISTRICT_ADMINISTRATOR = "District administrator"
TECHNOLOGY = "Technology"

_ROSTER = [
    "sis.district",
    "sis.school",
    "sis.academicsession",
    "sis.bellschedule",
    "sis.period",
    "sis.belltime",
    "sis.calendarday",
    "sis.student",
    "sis.guardian",
    "sis.staff",
    "sis.staffrole",
    "sis.guardianlink",
    "sis.enrollment",
    "sis.course",
    "sis.section",
    "sis.sectionteacher",
    "sis.roster",
    "sis.sectionmeeting",
    "sis.caseloadentry",
]
_RECORDS = [
    "attendance.attendancecode",
    "attendance.dailymark",
    "attendance.periodmark",
    "gradebook.gradingscale",
    "gradebook.gradeband",
    "gradebook.gradebooksetup",
    "gradebook.category",
    "gradebook.assignment",
    "gradebook.score",
]
# What the staff who oversee school notices (R20) read, and never change, in the admin: the
# delivery record and the non-residential parents' subscriptions.
_NOTICES = {"notify.message": ("view",), "notify.noticesubscription": ("view",)}
_POLICY = [
    "access.restriction",
    "access.accountdenial",
    "access.studentconsent",
    "access.dependencycertification",
    "access.moduleswitch",
]

# Data leaving the district (the privacy app): contracts, their accounts and deletions,
# what families are owed (R10, R11, R15, R17, R56, R57).
_PRIVACY = [
    "privacy.vendorcontract",
    "privacy.vendoraccount",
    "privacy.deletionrequest",
    "privacy.directorydesignation",
    "privacy.directoryoptout",
    "privacy.annualnotice",
    "privacy.disclosureconsent",
    "privacy.legaldemand",
]

# group -> {"app_label.model": actions}
GROUP_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    REGISTRAR: {
        **{m: ("view", "add", "change") for m in _ROSTER},
        **{m: ("view",) for m in _RECORDS},
        **{m: ("view", "add", "change") for m in _POLICY if m != "access.moduleswitch"},
        "access.moduleswitch": ("view",),
        "audit.disclosurerecord": ("view", "add"),
        "access.studentrecordaccess": ("view",),
        # Codes are issued from the guardian links and revoked from this list (R14).
        "access.activationcode": ("view",),
        **_NOTICES,
        # The records custodian keeps contracts, paper opt-outs, consents and orders.
        **{m: ("view",) for m in _PRIVACY},
        **{
            m: ("view", "add", "change")
            for m in (
                "privacy.vendorcontract",
                "privacy.directoryoptout",
                "privacy.disclosureconsent",
                "privacy.legaldemand",
            )
        },
    },
    DISTRICT_ADMINISTRATOR: {
        **{m: ("view", "add", "change") for m in _ROSTER},
        **{m: ("view", "add", "change") for m in _RECORDS},
        **{m: ("view", "add", "change") for m in _POLICY},
        "accounts.agreementversion": ("view", "add", "change"),
        "accounts.user": ("view",),
        "audit.disclosurerecord": ("view", "add"),
        "access.studentrecordaccess": ("view",),
        "access.activationcode": ("view",),
        "audit.securityreport": ("view",),
        # Oversight of staff access (R12): reads with a stated reason, the periodic review.
        "access.breakglassread": ("view",),
        "access.staffaccessreview": ("view", "add"),
        **_NOTICES,
        **{m: ("view", "add", "change") for m in _PRIVACY},
    },
    TECHNOLOGY: {
        "accounts.user": ("view", "change"),
        "accounts.agreementversion": ("view",),
        "accounts.agreementacceptance": ("view",),
        "access.accountdenial": ("view", "add", "change"),
        "access.moduleswitch": ("view",),
        "audit.auditevent": ("view",),
        "access.studentrecordaccess": ("view",),
        "access.breakglassread": ("view",),
        # The queue of security reports (R73): status and notes are kept up to date here.
        "audit.securityreport": ("view", "change"),
        # Contractors' support accounts are accounts: technology staff open and close them.
        "privacy.vendorcontract": ("view",),
        "privacy.vendoraccount": ("view", "add", "change"),
    },
}


def sync_groups(**kwargs: Any) -> None:
    """Create the groups and set exactly the permissions listed above (post_migrate)."""
    registry = kwargs.get("apps") or global_apps
    using = kwargs.get("using", "default")
    try:
        group_model = registry.get_model("auth", "Group")
        permission_model = registry.get_model("auth", "Permission")
    except LookupError:
        return
    for name, grants in GROUP_PERMISSIONS.items():
        group, _ = group_model.objects.using(using).get_or_create(name=name)
        wanted: list[Permission] = []
        for label, actions in grants.items():
            app_label, model = label.split(".")
            codenames = [f"{action}_{model}" for action in actions]
            wanted.extend(
                permission_model.objects.using(using).filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
        group.permissions.set(wanted)
