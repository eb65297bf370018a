"""Authenticator apps for the demo's staff personas (R41: staff always use MFA).

Each staff persona gets a confirmed TOTP authenticator whose secret is derived from the
demo's seed, so the same seed always gives the same secrets and `make demo` can print them
for a tester to add to an app (or to compute codes with `pyotp.TOTP(secret).now()`).
These secrets are public, like the demo's password: demo data only.
"""

import datetime

from homeroom.accounts import mfa
from homeroom.accounts.models import TOTPDevice, User
from homeroom.lib import clock

STAFF_PERSONAS = ("taylor", "grant", "okafor", "pat", "sam")


def staff_authenticators_enrol(
    *, seed: int, enrolled_at: datetime.datetime | None = None
) -> dict[str, str]:
    """Give each staff persona a confirmed authenticator; returns {username: secret}.

    Personas missing from the database are skipped; running it twice changes nothing. The
    seed passes a fixed `enrolled_at` so that one seed always gives the same rows.
    """
    secrets: dict[str, str] = {}
    now = enrolled_at or clock.now()
    for user in User.objects.filter(username__in=STAFF_PERSONAS).order_by("username"):
        secret = mfa.demo_secret(seed, user.username)
        device, created = TOTPDevice.objects.get_or_create(
            user=user, defaults={"secret": secret, "confirmed_at": now}
        )
        if not created and (device.secret != secret or device.confirmed_at is None):
            device.secret, device.confirmed_at, device.last_used_step = secret, now, 0
            device.save(update_fields=["secret", "confirmed_at", "last_used_step"])
        secrets[user.username] = secret
    return secrets
