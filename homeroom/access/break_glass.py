"""Reading a student's record outside one's legitimate educational interest, with a stated
reason ("break-glass", R12; FERPA 99.31(a)(1)(ii)).

A teacher, counselor or member of the office who has no assigned relationship to a student
may still need the record (a substitute's emergency, a student in the nurse's office): they
say why, the record opens to them for HOMEROOM_BREAK_GLASS_MINUTES, the reason and the read
are logged, and every such read is listed in a weekly report to the district administrators.
"""

import dataclasses
import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeroom.access import policy, roles
from homeroom.access.models import BreakGlassRead
from homeroom.accounts.models import User
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock
from homeroom.sis.models import StaffRole, Student

# Long enough to say what the need is; a single word is not a reason.
REASON_MINIMUM = 15


def open_grant(user: User, student_id: int, now: datetime.datetime) -> BreakGlassRead | None:
    """The latest read with a stated reason that still holds the student's record open."""
    return (
        BreakGlassRead.objects.filter(
            user=user, student_id=student_id, opened_at__lte=now, expires_at__gt=now
        )
        .order_by("-expires_at")
        .first()
    )


def in_force(user: User, student_id: int, now: datetime.datetime) -> bool:
    return open_grant(user, student_id, now) is not None


@transaction.atomic
def break_glass_open(*, actor: Actor, user: User, student: Student, reason: str) -> BreakGlassRead:
    """Open one student's record to a member of staff outside their interest, for a while,
    with the reason they give (logged; reported weekly)."""
    today = clock.today()
    if not policy.viewer_for(user, today).holds_role(roles.REASON_GIVERS):
        raise PermissionDenied(_("Your role does not open students' records."))
    reason = " ".join(reason.split())
    if len(reason) < REASON_MINIMUM:
        raise ValidationError(
            {
                "reason": _(
                    "Say why you need this record (at least %(n)d characters): for example, "
                    "“covering Mr. Grant's class today, student unwell”."
                )
                % {"n": REASON_MINIMUM}
            }
        )
    now = clock.now()
    grant = BreakGlassRead.objects.create(
        user=user,
        student=student,
        reason=reason[:2000],
        opened_at=now,
        expires_at=now + datetime.timedelta(minutes=settings.HOMEROOM_BREAK_GLASS_MINUTES),
        request_id=actor.request_id,
    )
    event_record(
        actor=actor,
        event=Event(
            action=Action.BREAK_GLASS,
            student_id=student.pk,
            object=grant,
            detail={"minutes": settings.HOMEROOM_BREAK_GLASS_MINUTES},
        ),
    )
    return grant


# --- The weekly report ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ReaderLine:
    username: str
    roles: str
    reads: int
    students: int


def readers_between(start: datetime.datetime, end: datetime.datetime) -> list[ReaderLine]:
    """Who read with a stated reason in a period: each account, its roles, how many reads of
    how many students. One query for the reads, one for the roles."""
    grants = list(
        BreakGlassRead.objects.filter(opened_at__gte=start, opened_at__lt=end).values_list(
            "user_id", "user__username", "student_id"
        )
    )
    held: dict[int, set[str]] = {}
    for user_id, role in StaffRole.objects.filter(
        staff__user_id__in={g[0] for g in grants}
    ).values_list("staff__user_id", "role"):
        held.setdefault(user_id, set()).add(role)
    by_user: dict[int, tuple[str, list[int]]] = {}
    for user_id, username, student_id in grants:
        by_user.setdefault(user_id, (username, []))[1].append(student_id)
    return sorted(
        (
            ReaderLine(
                username=username,
                roles=", ".join(sorted(held.get(user_id, ()))),
                reads=len(students),
                students=len(set(students)),
            )
            for user_id, (username, students) in by_user.items()
        ),
        key=lambda line: (-line.reads, line.username),
    )


def report_recipients(today: datetime.date) -> list[str]:
    """The district administrators in office today."""
    found = set()
    for role in (
        StaffRole.objects.current(today)
        .filter(role=StaffRole.Role.DISTRICT_ADMINISTRATOR, school__isnull=True)
        .select_related("staff__user")
    ):
        address = role.staff.email or (role.staff.user.email if role.staff.user else "")
        if address:
            found.add(address)
    return sorted(found)


def report_send(*, now: datetime.datetime, days: int, site: str) -> int:
    """Mail the district administrators who read students' records with a stated reason in
    the last `days` days, and how often, with the link to the list (when, whom, why) in the
    admin. Like the other reports, the mail names no student and quotes no reason: those
    stay behind sign-in. Sent even when there were none, so a missing report is noticed.
    Returns the number of reads."""
    start = now - datetime.timedelta(days=days)
    lines = readers_between(start, now)
    total = sum(line.reads for line in lines)
    query = urlencode({"opened_at__gte": start.date().isoformat()})
    link = f"{site.rstrip('/')}{reverse('admin:access_breakglassread_changelist')}?{query}"
    body = [
        ngettext(
            "%(n)d read of a student's record outside the reader's own students, with a "
            "stated reason, in the %(days)d days to %(end)s.",
            "%(n)d reads of students' records outside the readers' own students, with a "
            "stated reason, in the %(days)d days to %(end)s.",
            total,
        )
        % {"n": total, "days": days, "end": f"{now:%Y-%m-%d %H:%M}"},
        "",
    ]
    for line in lines:
        body.append(
            ngettext(
                "- %(user)s (%(roles)s): %(reads)d read of %(students)d student",
                "- %(user)s (%(roles)s): %(reads)d reads of %(students)d students",
                line.reads,
            )
            % {
                "user": line.username,
                "roles": line.roles or "-",
                "reads": line.reads,
                "students": line.students,
            }
        )
    body += ["", _("The reads and their reasons, behind sign-in: %(link)s") % {"link": link}]
    recipients = report_recipients(clock.today())
    if recipients:
        send_mail(
            _("Reads with a stated reason: weekly report"),
            "\n".join(body),
            settings.DEFAULT_FROM_EMAIL,
            recipients,
        )
    return total
