"""Time-based one-time passwords (RFC 6238) and recovery codes: the arithmetic, no writes.

A code is six digits for a 30-second step; the step before and after are accepted for clock
drift (valid_window=1), and a step is never accepted twice (ASVS 6.5.1). Recovery codes are
ten random codes of 10 characters (about 50 bits each), shown once and kept as SHA-256
digests: a fast hash is enough for a secret that random, unlike a password (R49).
"""

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
import segno
from django.conf import settings

STEP_SECONDS = 30
DIGITS = 6
RECOVERY_CODE_COUNT = 10
# No 0/O, 1/I/L: codes are read off paper.
_RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_RECOVERY_LENGTH = 10


def secret_new() -> str:
    """A 160-bit secret in base32, as RFC 4226 recommends."""
    return pyotp.random_base32(length=32)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def current_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def code_at_step(secret: str, step: int) -> str:
    return _totp(secret).at(step * STEP_SECONDS)


def matching_step(secret: str, code: str, *, after: int, at: float | None = None) -> int | None:
    """The time step this code belongs to, if it is valid now (±1 step) and newer than
    `after` (the last step accepted); else None."""
    code = "".join(code.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = current_step(at)
    for step in (now - 1, now, now + 1):
        if step > after and secrets.compare_digest(code_at_step(secret, step), code):
            return step
    return None


def looks_like_totp(code: str) -> bool:
    code = "".join(code.split())
    return len(code) == DIGITS and code.isdigit()


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """The QR code as an SVG data: URI, which the Content-Security-Policy allows (img-src)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def secret_grouped(secret: str) -> str:
    """ABCD EFGH …: easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- Recovery codes ---------------------------------------------------------------------------


def recovery_codes_new() -> list[str]:
    return [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def recovery_code_display(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def recovery_code_clean(typed: str) -> str:
    """What a person types, in the form it was hashed in: dashes, spaces and case ignored."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def recovery_code_hash(code: str) -> str:
    return hashlib.sha256(recovery_code_clean(code).encode()).hexdigest()


# --- Enrolment letters ----------------------------------------------------------------------

# Long enough to hold against guessing for the letter's few days, without look-alikes.
_LETTER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_LETTER_LENGTH = 16


def letter_code_new() -> str:
    return "".join(secrets.choice(_LETTER_ALPHABET) for _ in range(_LETTER_LENGTH))


def letter_code_display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def letter_code_digest(typed: str) -> str:
    """A keyed digest (the secret key's): a copy of the table is no use for guessing."""
    key = hashlib.sha256(f"homeroom-enrolment-letter:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, recovery_code_clean(typed).encode(), hashlib.sha256).hexdigest()


def demo_secret(seed: int, username: str) -> str:
    """A deterministic secret for the demo's staff personas, so a tester can sign in."""
    digest = hashlib.sha256(f"homeroom-demo-totp:{seed}:{username}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()
