"""The security-risk rule and the alerts to technology staff (policy 1110.2: "Users
identified as a security risk to the Parent Portal or District's network will be denied
access"; issue 5).

- A guardian or student refused for *other* students' records N times within M minutes is
  denied access with the reason "security risk", their sessions end, and technology staff
  are mailed.
- A staff account reading more than N distinct students' records within M minutes, or any
  bulk export, raises an alert to technology staff.

The counts come from the audit log itself, so nothing here can drift from what was logged.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from homeroom.access.models import AccountDenial
from homeroom.accounts.models import User
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock

logger = logging.getLogger(__name__)


def _mail_technology(subject: str, body: str) -> None:
    """Sent once the transaction commits; a mail failure is logged, never undoes a denial."""

    def send() -> None:
        try:
            send_mail(
                f"[Homeroom security] {subject}",
                body,
                settings.DEFAULT_FROM_EMAIL,
                [settings.HOMEROOM_TECHNOLOGY_EMAIL],
            )
        except Exception:
            logger.exception("could not mail technology staff: %s", subject)

    transaction.on_commit(send)


def probing_refusals(user: User, since: datetime.datetime) -> int:
    """Refusals for students the user has no link to, since a moment."""
    return AuditEvent.objects.filter(
        actor=user, action=Action.REFUSED, occurred_at__gte=since, detail__linked=False
    ).count()


def refusal_recorded(*, actor: Actor, user: User, linked: bool) -> AccountDenial | None:
    """Called after each refusal of a guardian or student; denies the account at the Nth
    probe of another family's records within the window, not before."""
    if linked:
        return None
    now = clock.now()
    window = settings.HOMEROOM_SECURITY_RISK_MINUTES
    count = probing_refusals(user, now - datetime.timedelta(minutes=window))
    if count < settings.HOMEROOM_SECURITY_RISK_REFUSALS:
        return None
    already = AccountDenial.objects.filter(
        user=user, reason=AccountDenial.Reason.SECURITY_RISK, lifted_at__isnull=True
    ).exists()
    if already:
        return None
    # Imported here: services import this module's neighbours, not the other way round.
    from homeroom.access.services import denial_place

    denial = denial_place(
        actor=actor,
        placed_by=None,
        user=user,
        reason=AccountDenial.Reason.SECURITY_RISK,
        starts_on=clock.today(),
        note=(
            f"Placed automatically: refused {count} times for other students' records "
            f"within {window} minutes."
        ),
    )
    event_record(
        actor=actor,
        event=Event(
            action=Action.SECURITY,
            object=denial,
            detail={"rule": "probing", "refusals": count, "minutes": window, "user_id": user.pk},
        ),
    )
    _mail_technology(
        f"account {user.username} denied access (security risk)",
        f"The account {user.username} (id {user.pk}) was refused {count} times for other "
        f"students' records within {window} minutes, and has been denied portal access "
        f'with the reason "security risk". Its sessions were ended.\n\n'
        f"Review the audit log for this account, then reinstate or keep the denial in the "
        f"admin (Denials of access).",
    )
    return denial


def staff_reads_recorded(*, actor: Actor, user: User) -> bool:
    """Called after a staff member's reads are logged; alerts once per window when they
    have read more distinct students' records than the threshold."""
    now = clock.now()
    window = settings.HOMEROOM_STAFF_READ_ALERT_MINUTES
    since = now - datetime.timedelta(minutes=window)
    distinct = (
        AuditEvent.objects.filter(
            actor=user,
            action=Action.STAFF_READ,
            occurred_at__gte=since,
            student_id__isnull=False,
        )
        .values("student_id")
        .distinct()
        .count()
    )
    if distinct <= settings.HOMEROOM_STAFF_READ_ALERT_STUDENTS:
        return False
    if AuditEvent.objects.filter(
        action=Action.SECURITY,
        object_type="accounts.user",
        object_id=str(user.pk),
        occurred_at__gte=since,
        detail__rule="staff_reads",
    ).exists():
        return False
    event_record(
        actor=actor,
        event=Event(
            action=Action.SECURITY,
            object=user,
            detail={"rule": "staff_reads", "students": distinct, "minutes": window},
        ),
    )
    _mail_technology(
        f"staff account {user.username} read {distinct} students' records",
        f"The staff account {user.username} (id {user.pk}) read the records of {distinct} "
        f"different students within {window} minutes (the alert threshold is "
        f"{settings.HOMEROOM_STAFF_READ_ALERT_STUDENTS}). If this is not expected of the "
        f"account's role, review its activity in the audit log and deny access if needed.",
    )
    return True


def export_recorded(*, actor: Actor, user: User | None, what: str, rows: int) -> None:
    """Every bulk export raises an alert: a bulk export by one account preceded the largest
    breach of student records to date."""
    event_record(
        actor=actor,
        event=Event(
            action=Action.SECURITY,
            object=user,
            detail={"rule": "export", "what": what, "rows": rows},
        ),
    )
    who = user.username if user is not None else "a command-line operator"
    _mail_technology(
        f"bulk export by {who}: {what}",
        f"{who} exported {what} ({rows} rows) at {clock.now():%Y-%m-%d %H:%M %Z}. "
        f"If this export was not expected, review it in the audit log.",
    )
