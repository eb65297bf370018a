"""District staff groups and what each may do in the admin.

Least privilege (FERPA 99.31(a)(1)(ii), R12): the registrar keeps the roster and places
restrictions; the district administrator runs the district; technology staff run accounts,
security reports and the audit log, and see no grades or attendance.
The groups are brought in line after every `migrate`.
"""

from typing import TYPE_CHECKING, Any

from django.apps import apps as global_apps

if TYPE_CHECKING:
    # The historical model `migrate` hands over has the same fields and manager.
    from django.contrib.auth.models import Permission

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
_POLICY = [
    "access.restriction",
    "access.accountdenial",
    "access.studentconsent",
    "access.dependencycertification",
    "access.moduleswitch",
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
    },
    TECHNOLOGY: {
        "accounts.user": ("view", "change"),
        "accounts.agreementversion": ("view",),
        "accounts.agreementacceptance": ("view",),
        "access.accountdenial": ("view", "add", "change"),
        "access.moduleswitch": ("view",),
        "audit.auditevent": ("view",),
        "access.studentrecordaccess": ("view",),
        # The queue of security reports (R73): status and notes are kept up to date here.
        "audit.securityreport": ("view", "change"),
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
