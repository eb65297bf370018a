"""The periodic review of staff access (R12, FERPA 99.31(a)(1)(ii)): every staff account with
its roles and schools, its last sign-in and the students it read, for a district
administrator to confirm or revoke. The largest breaches of student records came through
staff and vendor accounts that no one looked at again; this is where someone does.
"""

import dataclasses
import datetime
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeroom.access import break_glass, policy, roles
from homeroom.access.models import BreakGlassRead, StaffAccessReview
from homeroom.accounts.models import User
from homeroom.accounts.sessions import sessions_end
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock
from homeroom.sis.models import Staff, StaffRole

# Who reviews: the district administrators (and superusers).
REVIEWERS = frozenset({roles.Role.DISTRICT_ADMINISTRATOR})


@dataclasses.dataclass(frozen=True)
class ReviewRow:
    """One staff account as the review shows it."""

    user: User
    staff: Staff | None
    roles: list[StaffRole]
    last_sign_in: datetime.datetime | None
    students_read: int
    reads_with_reason: int
    last_review: StaffAccessReview | None

    def summary(self) -> dict[str, object]:
        """What the reviewer saw, kept with the decision."""
        return {
            "roles": [
                {
                    "role": r.role,
                    "school": r.school.name if r.school else None,
                    "until": r.end_date.isoformat() if r.end_date else None,
                }
                for r in self.roles
            ],
            "last_sign_in": self.last_sign_in.isoformat() if self.last_sign_in else None,
            "students_read": self.students_read,
            "reads_with_reason": self.reads_with_reason,
        }


def review_rows(today: datetime.date, days: int) -> list[ReviewRow]:
    """Every active account that is staff (a staff record, or the admin), with what it did
    in the last `days` days. Five queries, whatever the number of accounts."""
    since = clock.now() - datetime.timedelta(days=days)
    users = list(
        User.objects.filter(is_active=True)
        .filter(Q(staff__isnull=False) | Q(is_staff=True))
        .select_related("staff")
        .prefetch_related(
            Prefetch(
                "staff__roles",
                queryset=StaffRole.objects.current(today).select_related("school"),
                to_attr="current_roles",
            )
        )
        .order_by("last_name", "first_name", "username")
    )
    ids = [u.pk for u in users]
    read = dict(
        AuditEvent.objects.filter(
            action=Action.STAFF_READ,
            occurred_at__gte=since,
            actor_id__in=ids,
            student_id__isnull=False,
        )
        .values("actor_id")
        .annotate(n=Count("student_id", distinct=True))
        .values_list("actor_id", "n")
    )
    with_reason = dict(
        BreakGlassRead.objects.filter(opened_at__gte=since, user_id__in=ids)
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    latest = dict(
        StaffAccessReview.objects.filter(user_id__in=ids)
        .values("user_id")
        .annotate(last=Max("pk"))
        .values_list("user_id", "last")
    )
    reviews = StaffAccessReview.objects.in_bulk(latest.values())
    rows = []
    for user in users:
        staff = getattr(user, "staff", None)
        rows.append(
            ReviewRow(
                user=user,
                staff=staff,
                roles=list(getattr(staff, "current_roles", [])) if staff else [],
                last_sign_in=user.last_login,
                students_read=read.get(user.pk, 0),
                reads_with_reason=with_reason.get(user.pk, 0),
                last_review=reviews.get(latest[user.pk]) if user.pk in latest else None,
            )
        )
    return rows


def _require_reviewer(user: User) -> None:
    if user.is_superuser or policy.viewer_for(user, clock.today()).holds_role(REVIEWERS):
        return
    raise PermissionDenied(_("Only a district administrator may review staff access."))


def _row_for(user: User) -> ReviewRow:
    found = [
        row
        for row in review_rows(clock.today(), settings.HOMEROOM_ACCESS_REVIEW_DAYS)
        if row.user.pk == user.pk
    ]
    if not found:
        raise ValidationError(_("This account is not a staff account in use."))
    return found[0]


@transaction.atomic
def access_confirm(
    *, actor: Actor, reviewed_by: User, user: User, note: str = ""
) -> StaffAccessReview:
    """Record that this account's access fits the person's work, as it stands."""
    _require_reviewer(reviewed_by)
    row = _row_for(user)
    review = StaffAccessReview.objects.create(
        user=user,
        decision=StaffAccessReview.Decision.CONFIRMED,
        note=note.strip(),
        summary=row.summary(),
        reviewed_by=reviewed_by,
        reviewed_at=clock.now(),
    )
    event_record(
        actor=actor,
        event=Event(
            action=Action.ACCESS_REVIEW,
            object=review,
            detail={"decision": review.decision, "user_id": user.pk},
        ),
    )
    return review


@transaction.atomic
def access_revoke(*, actor: Actor, reviewed_by: User, user: User, note: str) -> StaffAccessReview:
    """End this account's access now: its staff roles end yesterday (or, for a role that
    begins today or later, on its first day), it leaves the admin's groups, it can no longer
    sign in, and its sessions end. Nothing of what it did is deleted."""
    _require_reviewer(reviewed_by)
    if not note.strip():
        raise ValidationError({"note": _("Say why the access is revoked.")})
    if user.pk == reviewed_by.pk:
        raise ValidationError(_("Another administrator must revoke your own access."))
    row = _row_for(user)
    today = clock.today()
    yesterday = today - datetime.timedelta(days=1)
    ended = 0
    if row.staff is not None:
        for role in StaffRole.objects.filter(staff=row.staff).current(today):
            start = role.start_date
            role.end_date = yesterday if start is None or start <= yesterday else start
            role.save(update_fields=["end_date"])
            ended += 1
    user.is_active = False
    user.is_staff = False
    user.save(update_fields=["is_active", "is_staff"])
    user.groups.clear()
    sessions = sessions_end(user)
    review = StaffAccessReview.objects.create(
        user=user,
        decision=StaffAccessReview.Decision.REVOKED,
        note=note.strip(),
        summary=row.summary(),
        reviewed_by=reviewed_by,
        reviewed_at=clock.now(),
    )
    event_record(
        actor=actor,
        event=Event(
            action=Action.ACCESS_REVIEW,
            object=review,
            detail={
                "decision": review.decision,
                "user_id": user.pk,
                "roles_ended": ended,
                "sessions_ended": sessions,
            },
        ),
    )
    return review


def reminder_send(*, site: str) -> int:
    """Tell the district administrators the review is ready: how many staff accounts, how
    many not reviewed in the period, and the link. Names no one. Returns the account count."""
    today = clock.today()
    days = settings.HOMEROOM_ACCESS_REVIEW_DAYS
    rows = review_rows(today, days)
    since = clock.now() - datetime.timedelta(days=days)
    overdue = sum(1 for r in rows if r.last_review is None or r.last_review.reviewed_at < since)
    link = urljoin(site.rstrip("/") + "/", reverse("admin:access_staffaccessreview_review"))
    body = "\n".join(
        [
            ngettext(
                "%(n)d staff account is in use; %(overdue)d not reviewed in the last %(days)d "
                "days.",
                "%(n)d staff accounts are in use; %(overdue)d not reviewed in the last "
                "%(days)d days.",
                len(rows),
            )
            % {"n": len(rows), "overdue": overdue, "days": days},
            "",
            _(
                "Confirm each account's roles, schools and reads, or revoke what no longer "
                "fits the person's work: %(link)s"
            )
            % {"link": link},
        ]
    )
    recipients = break_glass.report_recipients(today)
    if recipients:
        send_mail(_("Staff access review"), body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(rows)
