"""Security reports (policy 1110.2; R73): anyone, signed in or not, tells the technology
department about a security problem. A report gets a reference, joins the department's queue
(the admin's "Security reports") and is mailed to HOMEROOM_TECHNOLOGY_EMAIL.

The queue is the record; the mail is a notice. It is sent once the report is stored, and a
mail that fails is logged and never loses the report.
"""

import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeroom.audit.models import Action, SecurityReport
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock

logger = logging.getLogger(__name__)

DESCRIPTION_MAX = 5000
WHERE_MAX = SecurityReport._meta.get_field("where").max_length or 500
CONTACT_MAX = SecurityReport._meta.get_field("contact").max_length or 200


def reference_for(report: SecurityReport) -> str:
    """SR-<year received>-<number>: unique because the number is the row's own."""
    year = timezone.localtime(report.received_at).year
    return f"SR-{year}-{report.pk:06d}"


def _mail_body(report: SecurityReport, reporter_label: str) -> str:
    received = timezone.localtime(report.received_at)
    lines = [
        f"Security report {report.reference}",
        f"Received: {received:%Y-%m-%d %H:%M %Z}",
        f"Reported by: {reporter_label}",
        f"Contact: {report.contact or '(none given)'}",
        f"Where: {report.where or '(not said)'}",
        "",
        "What was found:",
        report.description,
        "",
        "The report is in the admin under Security reports; keep its status and notes "
        "up to date there.",
    ]
    return "\n".join(lines)


def _mail_technology(report: SecurityReport, reporter_label: str) -> None:
    reply_to = []
    try:
        validate_email(report.contact)
        reply_to = [report.contact]
    except ValidationError:
        pass
    message = EmailMessage(
        f"[Homeroom security report] {report.reference}",
        _mail_body(report, reporter_label),
        settings.DEFAULT_FROM_EMAIL,
        [settings.HOMEROOM_TECHNOLOGY_EMAIL],
        reply_to=reply_to,
    )

    def send() -> None:
        try:
            message.send()
        except Exception:
            logger.exception("could not mail security report %s", report.reference)

    transaction.on_commit(send)


@transaction.atomic
def report_file(
    *,
    actor: Actor,
    description: str,
    where: str = "",
    contact: str = "",
    reporter_label: str = "",
) -> SecurityReport:
    """Store a report, give it its reference, log it, and mail the technology department.

    `actor.user_id` is the reporter when signed in; `reporter_label` names them in the mail
    (the audit app knows users by id only)."""
    description = description.strip()
    if not description:
        raise ValidationError({"description": _("Describe the problem you found.")})
    report = SecurityReport.objects.create(
        # Unique placeholder until the row has its number.
        reference=f"new-{uuid.uuid4().hex[:24]}",
        reporter_id=actor.user_id,
        contact=contact.strip()[:CONTACT_MAX],
        description=description[:DESCRIPTION_MAX],
        where=where.strip()[:WHERE_MAX],
        received_at=clock.now(),
        address=actor.address or None,
    )
    report.reference = reference_for(report)
    report.save(update_fields=["reference"])
    event_record(
        actor=actor,
        event=Event(
            action=Action.SECURITY,
            object=report,
            detail={"what": "report_filed", "reference": report.reference},
        ),
    )
    label = reporter_label or (f"user id {actor.user_id}" if actor.user_id else "not signed in")
    _mail_technology(report, label)
    return report


@transaction.atomic
def report_handle(
    *, actor: Actor, handled_by_id: int, report: SecurityReport, status: str, notes: str
) -> SecurityReport:
    """Technology staff move a report along the queue and keep notes on it."""
    if status not in SecurityReport.Status.values:
        raise ValidationError({"status": _("Choose one of the listed states.")})
    report = SecurityReport.objects.select_for_update().get(pk=report.pk)
    changes = {"status": [report.status, status]} if report.status != status else {}
    # The notes themselves stay in the queue, not in the log: only that they changed.
    notes_changed = report.notes != notes
    if not changes and not notes_changed:
        return report
    report.status = status
    report.notes = notes
    report.handled_by_id = handled_by_id
    report.save(update_fields=["status", "notes", "handled_by"])
    event_record(
        actor=actor,
        event=Event(
            action=Action.SECURITY,
            object=report,
            changes=changes,
            detail={
                "what": "report_handled",
                "reference": report.reference,
                "notes_changed": notes_changed,
            },
        ),
    )
    return report
