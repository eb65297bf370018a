"""A forgotten password (R44, R49): the request is answered the same way, in the same time,
whether or not the address has an account: the request only checks the limits and queues the
work; the looking-up, the link and the mail happen in a worker (`accounts.tasks`). Limits per
address and per client stop a flood of mail to one person and a sweep of addresses from one
place. The link is built from the configured site address (HOMEROOM_SITE_URL), never from a
request's Host header. It works once, for PASSWORD_RESET_TIMEOUT, and signs no one in.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from homeroom.accounts.models import User
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import throttle

logger = logging.getLogger(__name__)

PER_ADDRESS = throttle.Limit("reset-address", 3, datetime.timedelta(hours=1))
PER_CLIENT = throttle.Limit("reset-client", 20, datetime.timedelta(hours=1))


def normalised(email: str) -> str:
    return email.strip().casefold()


def client_blocked(address: str | None) -> datetime.datetime | None:
    return PER_CLIENT.blocked_until(address or "unknown")


def request_accept(*, email: str, actor: Actor, language: str) -> bool:
    """Count the request against its limits and, within them, queue the work. The same
    steps whether or not the address has an account; True when queued."""
    key = normalised(email)
    PER_CLIENT.record(actor.address or "unknown")
    if PER_ADDRESS.blocked_until(key) is not None:
        return False
    PER_ADDRESS.record(key)
    from homeroom.accounts.tasks import password_reset_send

    password_reset_send.enqueue(
        email=key,
        language=language,
        address=actor.address or "",
        request_id=actor.request_id,
    )
    return True


def accounts_for(email: str) -> list[User]:
    """Active accounts with this address (Django's own rule: a usable password or not)."""
    return [
        user
        for user in User.objects.filter(email__iexact=email, is_active=True)
        if user.email and user.email.casefold() == email
    ]


def link_send(user: User, *, actor: Actor, language: str | None = None) -> None:
    """Mail one account its reset link, in its own language; the audit event says so."""
    site = settings.HOMEROOM_SITE_URL.rstrip("/")
    path = reverse(
        "accounts:password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with translation.override(user.preferred_language or language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "link": f"{site}{path}",
            "district_name": settings.HOMEROOM_DISTRICT_NAME,
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }
        subject = "".join(
            loader.render_to_string(
                "accounts/email/password_reset_subject.txt", context
            ).splitlines()
        )
        body = loader.render_to_string("accounts/email/password_reset.txt", context)
    EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
    with transaction.atomic():
        event_record(
            actor=actor,
            event=Event(action=Action.ACCOUNT, object=user, detail={"what": "reset_link_sent"}),
        )
