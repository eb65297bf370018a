"""The security-risk rule (policy 1110.2: "Users identified as a security risk to the Parent
Portal or District's network will be denied access"; issue 5): a guardian or student refused
for *other* students' records N times within M minutes is suspended with the reason
"security risk" through the same path as any suspension (their sessions end, they are told),
and technology staff are mailed. The other alerts to technology staff (bulk reads, exports)
are `audit.alerts`.

The counts come from the audit log itself, so nothing here can drift from what was logged.
"""

import datetime
import logging

from django.conf import settings

from homeroom.access.models import AccountDenial
from homeroom.accounts.models import User
from homeroom.audit import alerts
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock

logger = logging.getLogger(__name__)


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
    alerts.mail_technology(
        f"account {user.username} denied access (security risk)",
        f"The account {user.username} (id {user.pk}) was refused {count} times for other "
        f"students' records within {window} minutes, and has been denied portal access "
        f'with the reason "security risk". Its sessions were ended.\n\n'
        f"Review the audit log for this account, then reinstate or keep the denial in the "
        f"admin (Denials of access).",
    )
    return denial
