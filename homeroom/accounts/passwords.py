"""Password rules after NIST SP 800-63B rev. 4 section 3.1.1.2 and ASVS 5.0 V6.2 (R42).

Length is what counts: at least 15 characters for an account signed in with the password
alone, 8 when a second factor (MFA) guards it, and up to 256 allowed. No rules about which
kinds of character to use. A password is refused when it is on the blocklist of common and
breached passwords shipped in `data/` (or is one of them with digits or symbols added), when
it is a simple pattern, or when it is built from the person's or the district's names. Each
refusal says why, next to the field.

Every password is NFKC-normalized before it is counted, checked or hashed (`normalize`;
`User.set_password` and `User.check_password` apply it), so "ﬁ" and "fi" are one password
and one code point counts as one character.
"""

import functools
import gzip
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

BLOCKLIST_PATH = Path(__file__).resolve().parent / "data" / "password-blocklist.txt.gz"

# Words shorter than this are not context: "al" or "ito" turn up inside ordinary words.
MIN_CONTEXT_WORD = 3


def normalize(password: str) -> str:
    """The form a password is counted, checked and hashed in (NIST: NFKC)."""
    return unicodedata.normalize("NFKC", password)


def _fold(text: str) -> str:
    return normalize(text).casefold()


def has_confirmed_mfa(user: Any) -> bool:
    if user is None or getattr(user, "pk", None) is None:
        return False
    from homeroom.accounts.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


class LengthValidator:
    """15 characters without MFA, 8 with it; at most `maximum` (R42)."""

    def __init__(self, single_factor: int = 15, with_mfa: int = 8, maximum: int = 256) -> None:
        self.single_factor = single_factor
        self.with_mfa = with_mfa
        self.maximum = maximum

    def minimum_for(self, user: Any) -> int:
        return self.with_mfa if has_confirmed_mfa(user) else self.single_factor

    def validate(self, password: str, user: Any = None) -> None:
        length = len(normalize(password))
        minimum = self.minimum_for(user)
        if length < minimum:
            if minimum == self.single_factor and minimum != self.with_mfa:
                message = ngettext(
                    "This password has %(length)d character. Use at least %(minimum)d "
                    "(or %(with_mfa)d once two-step verification is on). A few ordinary "
                    "words with spaces between them make a good one.",
                    "This password has %(length)d characters. Use at least %(minimum)d "
                    "(or %(with_mfa)d once two-step verification is on). A few ordinary "
                    "words with spaces between them make a good one.",
                    length,
                )
            else:
                message = ngettext(
                    "This password has %(length)d character. Use at least %(minimum)d.",
                    "This password has %(length)d characters. Use at least %(minimum)d.",
                    length,
                )
            raise ValidationError(
                message,
                code="password_too_short",
                params={"length": length, "minimum": minimum, "with_mfa": self.with_mfa},
            )
        if length > self.maximum:
            raise ValidationError(
                _("This password is longer than %(maximum)d characters. Use a shorter one."),
                code="password_too_long",
                params={"maximum": self.maximum},
            )

    def get_help_text(self) -> str:
        return _(
            "At least %(single)d characters, or %(with_mfa)d with two-step verification. "
            "Any characters, spaces included; no other rules."
        ) % {"single": self.single_factor, "with_mfa": self.with_mfa}


@functools.cache
def blocklist() -> frozenset[str]:
    """The common and breached passwords, casefolded (data/README.md says where from)."""
    with gzip.open(BLOCKLIST_PATH, "rt", encoding="utf-8") as lines:
        return frozenset(line.rstrip("\n") for line in lines if line.strip())


_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


def _is_pattern(folded: str) -> bool:
    """One short run repeated ("abcabcabc…"), too few different characters, or a plain
    sequence of letters or digits ("123456789012345", "zyxwv…")."""
    if len(set(folded)) < 4:
        return True
    for size in range(1, len(folded) // 2 + 1):
        if len(folded) % size == 0 and folded[:size] * (len(folded) // size) == folded:
            return True
    steps = {
        (ord(b) - ord(a)) % 10 if a.isdigit() and b.isdigit() else ord(b) - ord(a)
        for a, b in itertools.pairwise(folded)
    }
    return steps in ({1}, {9}, {-1})


class BlocklistValidator:
    """Refuses common and breached passwords, those with only digits or symbols added to
    one, and simple patterns (R42)."""

    def validate(self, password: str, user: Any = None) -> None:
        folded = _fold(password).strip()
        listed = blocklist()
        if folded in listed:
            raise ValidationError(
                _(
                    "This password is on a list of passwords that are common or have "
                    "appeared in data breaches, so attackers try it first. Choose another."
                ),
                code="password_blocklisted",
            )
        core = _EDGES.sub("", folded)
        if core != folded and len(core) >= 4 and core in listed:
            raise ValidationError(
                _(
                    "This password is a common password with numbers or symbols added, "
                    "which attackers try early. Choose something less predictable."
                ),
                code="password_blocklisted_variant",
            )
        if _is_pattern(re.sub(r"\s+", "", folded)):
            raise ValidationError(
                _(
                    "This password is a simple pattern (repeated or sequential "
                    "characters). Choose something less predictable."
                ),
                code="password_pattern",
            )

    def get_help_text(self) -> str:
        return _("Not a common or breached password, and not a simple pattern.")


def _words(text: str) -> set[str]:
    """A name and its parts: "Homeroom Public Schools" gives the whole and each word."""
    folded = _fold(text)
    parts = {p for p in re.split(r"[\W_]+", folded) if len(p) >= MIN_CONTEXT_WORD}
    whole = re.sub(r"[\W_]+", "", folded)
    if len(whole) >= MIN_CONTEXT_WORD:
        parts.add(whole)
    return parts


def _context_sources() -> list[Callable[[], Iterable[str]]]:
    return [import_string(path) for path in getattr(settings, "HOMEROOM_PASSWORD_CONTEXT", [])]


class ContextValidator:
    """Refuses a password built from words an attacker would try first for this account
    (NIST "context-specific words"): the district's and its schools' names, the product
    name, the username, first and last name, and the email address before the "@".

    A password may contain such a word, but what is left once they are taken out must
    still be long enough to be a password on its own.
    """

    def __init__(self, extra_words: Iterable[str] = ("homeroom",)) -> None:
        self.extra_words = tuple(extra_words)

    def context_words(self, user: Any = None) -> set[str]:
        words: set[str] = set()
        texts = [settings.HOMEROOM_DISTRICT_NAME, *self.extra_words]
        for source in _context_sources():
            texts.extend(source())
        if user is not None:
            email = getattr(user, "email", "") or ""
            texts += [
                getattr(user, "username", "") or "",
                getattr(user, "first_name", "") or "",
                getattr(user, "last_name", "") or "",
                email.split("@", 1)[0],
            ]
        for text in texts:
            words |= _words(text)
        return words

    def validate(self, password: str, user: Any = None) -> None:
        folded = _fold(password)
        squeezed = re.sub(r"[\W_]+", "", folded)
        found = sorted(
            (w for w in self.context_words(user) if w in folded or w in squeezed),
            key=len,
            reverse=True,
        )
        if not found:
            return
        rest = folded
        for word in found:
            rest = rest.replace(word, "")
        rest_squeezed = re.sub(r"[\W_]+", "", squeezed)
        for word in found:
            rest_squeezed = rest_squeezed.replace(word, "")
        minimum = LengthValidator(**_length_options()).minimum_for(user)
        if len(rest.strip()) < minimum or len(rest_squeezed) < minimum // 2:
            raise ValidationError(
                _(
                    "This password is built from your name, username or email, or from "
                    "the district's or a school's name (it contains “%(word)s”). Those are "
                    "the first things an attacker tries. Choose a password that is long "
                    "enough without them."
                ),
                code="password_context",
                params={"word": found[0]},
            )

    def get_help_text(self) -> str:
        return _("Not built from your name, username or email, or the district's name.")


def _length_options() -> dict[str, int]:
    entries: list[dict[str, Any]] = list(settings.AUTH_PASSWORD_VALIDATORS)  # type: ignore[arg-type]
    for entry in entries:
        if entry["NAME"].endswith(".LengthValidator"):
            return dict(entry.get("OPTIONS", {}))
    return {}


def single_factor_minimum() -> int:
    return LengthValidator(**_length_options()).single_factor


def long_enough_alone(password: str) -> bool:
    """Whether this password may guard an account without a second factor (R41)."""
    return len(normalize(password)) >= single_factor_minimum()
