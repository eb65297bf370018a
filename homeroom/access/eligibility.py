"""R4: at 18 a student's rights pass from their parents to them (FERPA 99.5). The policy
ends parent access on the birthday unless a consent or a dependency certification is on
file (`policy.portal_students`); this module tells the registrars ahead of time, so the
family can be told and the papers gathered before the day.
"""

import datetime
from collections import defaultdict
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeroom.access import roles
from homeroom.access.policy import adult_on, currently_enrolled
from homeroom.sis.models import StaffRole, Student


def _window(today: datetime.date, days: int) -> tuple[datetime.date, datetime.date]:
    """Birth dates of the students who turn 18 after today and within `days` days."""
    return adult_on(today), adult_on(today + datetime.timedelta(days=days))


def turning_eighteen(today: datetime.date, days: int) -> QuerySet[Student]:
    """Enrolled students, not already marked eligible, whose 18th birthday falls in the
    next `days` days (in the district's time zone: `today` is `clock.today()`)."""
    born_after, born_by = _window(today, days)
    return (
        Student.objects.filter(currently_enrolled(today))
        .filter(date_of_birth__gt=born_after, date_of_birth__lte=born_by, eligible_student=False)
        .order_by("date_of_birth", "legal_last_name")
    )


def admin_list_path(today: datetime.date, days: int, school_id: int | None = None) -> str:
    """The students' list in the admin, filtered to the same window (and school)."""
    born_after, born_by = _window(today, days)
    query = {
        "date_of_birth__gt": born_after.isoformat(),
        "date_of_birth__lte": born_by.isoformat(),
        "eligible_student__exact": "0",
    }
    if school_id is not None:
        query["enrollments__school__id__exact"] = str(school_id)
    return f"{reverse('admin:sis_student_changelist')}?{urlencode(query)}"


def _recipients(today: datetime.date) -> dict[int | None, set[str]]:
    """Who is told, by the school they answer for (None: the whole district): registrars
    and district administrators whose role is in force today."""
    held = (
        StaffRole.objects.current(today)
        .filter(role__in=roles.CUSTODIANS)
        .select_related("staff__user")
    )
    found: dict[int | None, set[str]] = defaultdict(set)
    for role in held:
        staff = role.staff
        address = staff.email or (staff.user.email if staff.user else "")
        if address:
            found[role.school_id].add(address)
    return found


def notice_send(today: datetime.date, days: int, site: str) -> int:
    """Mail the registrars how many students turn 18 within `days` days, with a link to
    the list: the whole district's to district-wide roles, a school's to that school's
    registrars. The mail names no student: the list is read in the admin, behind sign-in.
    Returns the district's count."""
    students = turning_eighteen(today, days)
    total = students.count()
    for school_id, addresses in _recipients(today).items():
        at_school = students.filter(currently_enrolled(today, school_id)) if school_id else None
        count = total if at_school is None else at_school.count()
        if count:
            _mail(sorted(addresses), count, days, site + admin_list_path(today, days, school_id))
    return total


def _mail(addresses: list[str], count: int, days: int, link: str) -> None:
    body = "\n\n".join(
        [
            ngettext(
                "%(count)d enrolled student turns 18 within %(days)d days.",
                "%(count)d enrolled students turn 18 within %(days)d days.",
                count,
            )
            % {"count": count, "days": days},
            _(
                "On their 18th birthday their parents lose access to their records in the "
                "portal, unless the student's written consent or a current dependency "
                "certification is on file (FERPA 99.5, 99.30, 99.31(a)(8))."
            ),
            _("The list: %(url)s") % {"url": link},
        ]
    )
    send_mail(
        f"[{settings.HOMEROOM_DISTRICT_NAME}] " + _("Students turning 18 soon"),
        body,
        settings.DEFAULT_FROM_EMAIL,
        addresses,
    )
