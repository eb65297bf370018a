"""R4: at 18 a student's rights pass from their parents to them (FERPA 99.5). The policy
ends parent access on the birthday unless a consent or a dependency certification is on
file (`policy.portal_students`); this module tells the registrars ahead of time, so the
family can be told and the papers gathered before the day.
"""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeroom.access.policy import adult_on, currently_enrolled
from homeroom.sis.models import Staff, StaffRole, Student


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


def admin_list_path(today: datetime.date, days: int) -> str:
    """The students' list in the admin, filtered to the same window."""
    born_after, born_by = _window(today, days)
    query = urlencode(
        {
            "date_of_birth__gt": born_after.isoformat(),
            "date_of_birth__lte": born_by.isoformat(),
            "eligible_student__exact": "0",
        }
    )
    return f"{reverse('admin:sis_student_changelist')}?{query}"


def registrar_addresses(today: datetime.date) -> list[str]:
    """Registrars and district administrators with a role in force today."""
    roles = StaffRole.objects.filter(
        role__in=[StaffRole.Role.REGISTRAR, StaffRole.Role.DISTRICT_ADMINISTRATOR]
    ).filter(
        Q(start_date__isnull=True) | Q(start_date__lte=today),
        Q(end_date__isnull=True) | Q(end_date__gte=today),
    )
    staff = Staff.objects.filter(pk__in=roles.values("staff_id")).select_related("user")
    found = {member.email or (member.user.email if member.user else "") for member in staff}
    return sorted(address for address in found if address)


def notice_send(today: datetime.date, days: int, site: str) -> int:
    """Mail the registrars how many students turn 18 within `days` days, with a link to
    the list. The mail names no student: the list is read in the admin, behind sign-in."""
    count = turning_eighteen(today, days).count()
    addresses = registrar_addresses(today)
    if count == 0 or not addresses:
        return count
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
            _("The list: %(url)s") % {"url": site.rstrip("/") + admin_list_path(today, days)},
        ]
    )
    send_mail(
        f"[{settings.HOMEROOM_DISTRICT_NAME}] " + _("Students turning 18 soon"),
        body,
        settings.DEFAULT_FROM_EMAIL,
        addresses,
    )
    return count
