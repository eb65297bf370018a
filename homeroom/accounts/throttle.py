"""Throttling of sign-in attempts (R44; NIST SP 800-63B rev. 4 section 3.2.2).

django-axes records every failed attempt (a wrong password, or a wrong code at the second
step) per username and per address. This handler turns those records into progressive
delays instead of a fixed lockout:

- a username gets AXES_FAILURE_LIMIT free attempts, an address (which a school's or a
  library's network shares) HOMEROOM_SIGN_IN_ADDRESS_FREE_ATTEMPTS;
- past those, each further attempt waits for a delay that starts at
  HOMEROOM_SIGN_IN_DELAY_MINUTES and doubles with each failure, up to an hour;
- at HOMEROOM_SIGN_IN_ACCOUNT_CAP (at most 100) consecutive failures a username is locked
  until AXES_COOLOFF_TIME has passed since the last one, or until staff unlock it;
- attempts during a wait are refused without a password check and are not counted;
- failures are forgotten AXES_COOLOFF_TIME after the last one, and a username's are
  cleared by a successful sign-in.

A username that belongs to no account is throttled exactly like one that does, so the
answers never tell whether an account exists.
"""

import dataclasses
import datetime
import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest

from homeroom.lib import clock
from homeroom.lib.http import client_address

MAX_DELAY = datetime.timedelta(hours=1)


@dataclasses.dataclass(frozen=True)
class Lock:
    until: datetime.datetime
    hard: bool

    def minutes_left(self, now: datetime.datetime | None = None) -> int:
        seconds = (self.until - (now or clock.now())).total_seconds()
        return max(1, math.ceil(seconds / 60))


def _memory() -> datetime.timedelta:
    return get_cool_off() or datetime.timedelta(hours=24)


def delay_after(failures: int, free: int) -> datetime.timedelta:
    """The wait after `failures` consecutive failures, `free` of them without a wait."""
    if failures < free:
        return datetime.timedelta(0)
    base = datetime.timedelta(minutes=settings.HOMEROOM_SIGN_IN_DELAY_MINUTES)
    doublings = min(failures - free, 12)
    return min(base * (2**doublings), MAX_DELAY)


def _lock_from(
    rows: QuerySet[AccessAttempt], *, free: int, cap: int | None, now: datetime.datetime
) -> Lock | None:
    totals = rows.filter(attempt_time__gte=now - _memory()).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    failures, last = totals["failures"] or 0, totals["last"]
    if last is None:
        return None
    if cap is not None and failures >= cap:
        lock = Lock(until=last + _memory(), hard=True)
    elif failures >= free:
        lock = Lock(until=last + delay_after(failures, free), hard=False)
    else:
        return None
    return lock if lock.until > now else None


def lock_for(request: HttpRequest, username: str | None) -> Lock | None:
    """The wait in force for this username or this request's address, the longer first."""
    now = clock.now()
    locks = []
    if username:
        locks.append(
            _lock_from(
                AccessAttempt.objects.filter(username=username),
                free=settings.AXES_FAILURE_LIMIT,
                cap=settings.HOMEROOM_SIGN_IN_ACCOUNT_CAP,
                now=now,
            )
        )
    address = client_address(request)
    if address:
        locks.append(
            _lock_from(
                AccessAttempt.objects.filter(ip_address=address),
                free=settings.HOMEROOM_SIGN_IN_ADDRESS_FREE_ATTEMPTS,
                cap=None,
                now=now,
            )
        )
    found = [lock for lock in locks if lock is not None]
    return max(found, key=lambda lock: lock.until) if found else None


class ProgressiveLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with the progressive delays described above."""

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        return lock_for(request, get_client_username(request, credentials)) is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None:
            locked = self.is_locked(request, credentials)
            request.axes_locked_out = locked
            if locked:
                request.axes_credentials = credentials

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # A success clears the account's count (NIST), not the address's: one valid
        # account must not reset an attacker's count from that address.
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
