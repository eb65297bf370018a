"""Alerts to the technology department, raised from what the audit log holds (issue 5):

- a staff account reading more than N distinct students' records within M minutes (a bulk
  read by a stolen login looks like this), from any page: the classroom, the office, the
  admin;
- any bulk export.

Here, in the audit app, so that every floor can raise them: the admin's own read logging
(audit.admin) as much as the classroom pages (access.staff). The counts come from the log
itself, so nothing here can drift from what was logged.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.mail import send_mail
from django.db import transaction

from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock

logger = logging.getLogger(__name__)


def mail_technology(subject: str, body: str) -> None:
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


def staff_reads_recorded(*, actor: Actor, user: AbstractUser) -> bool:
    """Called after a staff member's reads are logged; alerts once per window when they
    have read more distinct students' records than the threshold."""
    now = clock.now()
    window = settings.HOMEROOM_STAFF_READ_ALERT_MINUTES
    since = now - datetime.timedelta(minutes=window)
    distinct = (
        AuditEvent.objects.filter(
            actor_id=user.pk,
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
    mail_technology(
        f"staff account {user.username} read {distinct} students' records",
        f"The staff account {user.username} (id {user.pk}) read the records of {distinct} "
        f"different students within {window} minutes (the alert threshold is "
        f"{settings.HOMEROOM_STAFF_READ_ALERT_STUDENTS}). If this is not expected of the "
        f"account's role, review its activity in the audit log and deny access if needed.",
    )
    return True


def export_recorded(*, actor: Actor, user: AbstractUser | None, what: str, rows: int) -> None:
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
    mail_technology(
        f"bulk export by {who}: {what}",
        f"{who} exported {what} ({rows} rows) at {clock.now():%Y-%m-%d %H:%M %Z}. "
        f"If this export was not expected, review it in the audit log.",
    )
