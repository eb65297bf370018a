"""Telling a person that their portal access was suspended or restored (R68), by mail, in
their own language: what ended (the account, or access to one child), the reason's category,
from when, and whom to contact. Sent once the transaction commits; a failed mail is logged and
never undoes the decision."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from homeroom.access.models import AccountDenial

logger = logging.getLogger(__name__)


def _send(denial: AccountDenial, template: str) -> None:
    user = denial.user
    if not user.email:
        logger.warning("no address to tell account %s of %s", user.pk, template)
        return
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "denial": denial,
            "child": denial.student.first_name if denial.student is not None else "",
            "reason": denial.get_reason_display(),
            "district_name": settings.HOMEROOM_DISTRICT_NAME,
            "contact": settings.HOMEROOM_ACCESS_CONTACT,
        }
        subject = " ".join(
            render_to_string(f"access/email/{template}_subject.txt", context).split()
        )
        body = render_to_string(f"access/email/{template}.txt", context)
    address = user.email

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception:
            logger.exception("could not tell account %s of %s", user.pk, template)

    transaction.on_commit(send)


def suspension_notice_send(denial: AccountDenial) -> None:
    _send(denial, "suspended")


def reinstatement_notice_send(denial: AccountDenial) -> None:
    _send(denial, "reinstated")
