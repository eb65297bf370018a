"""Writes about accounts. Each runs in one transaction with its audit event."""

from django.db import transaction

from homeroom.accounts.models import AgreementAcceptance, AgreementVersion, Language, User
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock


@transaction.atomic
def agreement_accept(*, actor: Actor, user: User, agreement: AgreementVersion) -> None:
    """Store the acceptance with version, time and address (R71); accepting twice is a no-op."""
    _, created = AgreementAcceptance.objects.get_or_create(
        user=user,
        agreement=agreement,
        defaults={"accepted_at": clock.now(), "address": actor.address},
    )
    if created:
        event_record(
            actor=actor,
            event=Event(
                action=Action.ACCOUNT,
                object_type="accounts.agreementversion",
                object_id=str(agreement.version),
                detail={"what": "agreement_accepted"},
            ),
        )


@transaction.atomic
def user_language_set(*, actor: Actor, user: User, language: str) -> None:
    if language not in Language.values:
        raise ValueError(f"unknown language {language!r}")
    if user.preferred_language == language:
        return
    old = user.preferred_language
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    event_record(
        actor=actor,
        event=Event(
            action=Action.ACCOUNT,
            object=user,
            changes={"preferred_language": [old, language]},
        ),
    )


def sign_in_record(*, actor: Actor, succeeded: bool, username: str = "") -> None:
    """Every sign-in and failed attempt is logged (ASVS 16.3.1, R50); never the password."""
    event_record(
        actor=actor,
        event=Event(
            action=Action.SIGN_IN if succeeded else Action.SIGN_IN_FAILED,
            detail={} if succeeded else {"username": username[:150]},
        ),
    )


def sign_out_record(*, actor: Actor) -> None:
    event_record(actor=actor, event=Event(action=Action.SIGN_OUT))
