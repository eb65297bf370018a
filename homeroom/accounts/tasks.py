"""Work done after a request, in a worker (django.tasks): a forgotten password's mail, so that
the request is answered alike for known and unknown addresses (accounts.reset)."""

import logging

from django.tasks import task

from homeroom.accounts import reset
from homeroom.audit.services import Actor

logger = logging.getLogger(__name__)


@task
def password_reset_send(*, email: str, language: str, address: str, request_id: str) -> int:
    """Send a reset link to every active account with this address; none for an unknown
    one. Returns how many were sent."""
    actor = Actor(user_id=None, role="", address=address or None, request_id=request_id)
    sent = 0
    for user in reset.accounts_for(email):
        try:
            reset.link_send(user, actor=actor, language=language)
            sent += 1
        except Exception:
            logger.exception("The password-reset mail to user %s could not be sent.", user.pk)
    return sent


@task
def reset_link_send(*, user_id: int, actor_user_id: int | None, request_id: str) -> bool:
    """A reset link that staff asked to send to one account (they never set a password,
    R49). False when the account has no address or is inactive."""
    from homeroom.accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return False
    reset.link_send(user, actor=Actor(user_id=actor_user_id, role="staff", request_id=request_id))
    return True
