"""A cache that cannot serve stale data: entries are keyed by version tokens that every
write changes when it commits.

Scopes name what a piece of data depends on: the whole district (`GLOBAL`), one student
(`student(id)`), one section (`section(id)`). Each scope has a random token in the cache.
A reader reads the tokens of the scopes it depends on *before* it reads the database, and
stores its result under a key made of them; a writer replaces the tokens of the scopes it
touched *after* its transaction commits. So a result computed from data older than a
commit is only ever stored under tokens that no reader asks for again. A token that was
evicted is drawn anew, which is a miss, never a stale hit.

The audit log's writer calls `bump` (every change of a record is audited in its own
transaction: DESIGN.md), so no write path needs to know about the cache.
"""

import functools
import hashlib
import math
import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GLOBAL = "global"
_VERSION = "fresh:v:"
_DATA = "fresh:d:"
# A ceiling, so that a change made outside the application (raw SQL) is seen in time too.
MAX_SECONDS = 3600


def student(student_id: int) -> str:
    return f"s{student_id}"


def section(section_id: int) -> str:
    return f"c{section_id}"


@functools.cache
def release() -> str:
    """What this running code is: a deploy (new templates, new code) or a change of the
    district's settings starts with a cache of its own, even when the cache outlives it."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    # Contents, not sizes and times: a build may normalise file times.
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".html", ".mo"}:
            digest.update(f"{path.relative_to(root)}\0".encode())
            digest.update(path.read_bytes())
    district = sorted(
        (name, repr(getattr(settings, name)))
        for name in dir(settings)
        if name.startswith("HOMEROOM_") or name in {"TIME_ZONE", "LANGUAGES"}
    )
    digest.update(repr(district).encode())
    return digest.hexdigest()[:16]


def tokens(scopes: Iterable[str]) -> dict[str, str]:
    """The current token of each scope, drawing one for a scope that has none."""
    keys = sorted({_VERSION + scope for scope in scopes})
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            # add(): if another process drew one meanwhile, keep theirs.
            cache.add(key, secrets.token_hex(8), timeout=None)
        found.update(cache.get_many(missing))
    return {key[len(_VERSION) :]: str(found.get(key, "")) for key in keys}


def bump(scopes: Iterable[str]) -> None:
    """Replace the tokens of these scopes now, and again once the transaction commits.

    Now: the writing transaction itself, reading on, sees its own change. Again at commit:
    a reader that drew the new token before the commit was visible cached old data under
    it; the second token orphans that entry.
    """
    scopes = set(scopes)
    # Even with the portal cache off: entries stored before it was turned off must not be
    # found again when it is turned back on.
    if not scopes:
        return

    def replace() -> None:
        cache.set_many({_VERSION + s: secrets.token_hex(8) for s in scopes}, timeout=None)

    replace()
    transaction.on_commit(replace)


def remember[T](
    name: str,
    params: Iterable[Any],
    scopes: Iterable[str],
    compute: Callable[[], tuple[T, float | None]],
) -> T:
    """The value of `compute()`, cached under the scopes' current tokens.

    `compute` returns the value and, if it will change by itself at a known moment (a score
    released at 9:40), the seconds until then; the entry lives no longer than that.
    """
    if not settings.HOMEROOM_PORTAL_CACHE:
        return compute()[0]
    started = time.time()
    current = tokens(scopes)
    material = repr((release(), name, tuple(params), sorted(current.items()))).encode()
    key = _DATA + name + ":" + hashlib.sha256(material).hexdigest()
    hit = _fresh(cache.get(key))
    if hit is not None:
        return hit[0]
    value, seconds = compute()
    if seconds is None or seconds > 0:
        cache.set(key, _entry(value, started, seconds), timeout=_timeout(seconds))
    return value


def remember_many[K, V](
    name: str,
    items: dict[K, tuple[tuple[Any, ...], list[str]]],
    compute: Callable[[list[K]], tuple[dict[K, V], float | None]],
) -> dict[K, V]:
    """`remember` for several items at once: the cached ones in one round trip, the missing
    ones computed together by `compute(missing)` (so a page's queries do not grow with the
    number of items), then stored."""
    if not items:
        return {}
    if not settings.HOMEROOM_PORTAL_CACHE:
        return compute(list(items))[0]
    started = time.time()
    current = tokens(scope for _params, scopes in items.values() for scope in scopes)
    keys: dict[K, str] = {}
    for item, (params, scopes) in items.items():
        material = repr(
            (release(), name, params, sorted((s, current[s]) for s in set(scopes)))
        ).encode()
        keys[item] = _DATA + name + ":" + hashlib.sha256(material).hexdigest()
    found = cache.get_many(list(keys.values()))
    result: dict[K, V] = {}
    missing: list[K] = []
    for item, key in keys.items():
        hit = _fresh(found.get(key))
        if hit is not None:
            result[item] = hit[0]
        else:
            missing.append(item)
    if missing:
        computed, seconds = compute(missing)
        if seconds is None or seconds > 0:
            cache.set_many(
                {keys[item]: _entry(computed[item], started, seconds) for item in missing},
                timeout=_timeout(seconds),
            )
        result.update(computed)
    return result


def _timeout(seconds: float | None) -> int:
    """The cache server's own expiry, in whole seconds: a backstop that frees memory."""
    return MAX_SECONDS if seconds is None else max(1, min(math.ceil(seconds), MAX_SECONDS))


def _entry(value: Any, started: float, seconds: float | None) -> tuple[Any, float]:
    """The stored form: the value (in a tuple, so that None is cached too) and the moment it
    stops being true, counted from when the reader began. That moment is checked on every
    read against this process's clock, not left to the cache server, whose expiry runs on
    its own clock and in whole seconds."""
    return (value, started + (MAX_SECONDS if seconds is None else min(seconds, MAX_SECONDS)))


def _fresh(entry: Any) -> tuple[Any] | None:
    if not isinstance(entry, tuple) or len(entry) != 2 or time.time() >= entry[1]:
        return None
    return (entry[0],)


def seconds_until(moment: Any, now: Any) -> float | None:
    """Seconds from now to a moment (none left when it has passed), or None when there is
    no such moment. Give the current time, not the request's start: the entry's life is
    counted from when its reader began, and must not outlast the moment."""
    if moment is None:
        return None
    return max(0.0, (moment - now).total_seconds())
