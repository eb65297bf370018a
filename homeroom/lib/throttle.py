"""Counting attempts in a fixed time window, in Django's cache (settings.CACHES).

The cache is shared by every worker in production (Redis) and by every thread of one process
in development and tests (locmem), so a limit holds however requests are spread. The window
starts with the first attempt and does not slide: a client that is blocked knows exactly
when it may try again.

A subject (an address, an account id, an email address) is kept as a digest, so the cache
holds no personal data in its keys.
"""

import dataclasses
import datetime
import hashlib

from django.core.cache import cache

from homeroom.lib import clock


@dataclasses.dataclass(frozen=True)
class Limit:
    """At most `attempts` attempts per subject within `window`."""

    name: str
    attempts: int
    window: datetime.timedelta

    def _key(self, subject: str) -> str:
        digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
        return f"homeroom:throttle:{self.name}:{digest}"

    @property
    def _seconds(self) -> int:
        return max(1, int(self.window.total_seconds()))

    def _state(self, key: str) -> tuple[int, float | None]:
        """The attempts counted in the subject's window and when it ends; none once the
        window has ended by the application's clock (the cache server's own expiry runs on
        its clock and is only a backstop that frees memory)."""
        found = cache.get_many([key, f"{key}:ends"])
        ends = found.get(f"{key}:ends")
        if ends is not None and ends <= clock.now().timestamp():
            return 0, None
        return int(found.get(key, 0)), ends

    def count(self, subject: str) -> int:
        return self._state(self._key(subject))[0]

    def blocked_until(self, subject: str) -> datetime.datetime | None:
        """When the subject may try again, if it has used up its attempts; else None."""
        attempts, ends = self._state(self._key(subject))
        if attempts < self.attempts:
            return None
        if ends is None:
            return clock.now() + self.window
        return datetime.datetime.fromtimestamp(ends, tz=datetime.UTC)

    def record(self, subject: str) -> None:
        """Count one attempt; the first one opens the window."""
        key = self._key(subject)
        now = clock.now()
        ends = cache.get(f"{key}:ends")
        if ends is not None and ends <= now.timestamp():
            # The window has ended though the cache still holds it: this attempt opens anew.
            cache.delete_many([key, f"{key}:ends"])
        cache.add(f"{key}:ends", (now + self.window).timestamp(), self._seconds)
        if cache.add(key, 1, self._seconds):
            return
        try:
            cache.incr(key)
        except ValueError:
            # The window closed between add() and incr(): this attempt opens a new one.
            cache.add(key, 1, self._seconds)

    def clear(self, subject: str) -> None:
        key = self._key(subject)
        cache.delete_many([key, f"{key}:ends"])


def blocked_until(checks: list[tuple[Limit, str]]) -> datetime.datetime | None:
    """When every one of these (limit, subject) pairs lets the subject try again, if any of
    them blocks now; else None."""
    blocked = [until for limit, subject in checks if (until := limit.blocked_until(subject))]
    return max(blocked) if blocked else None
