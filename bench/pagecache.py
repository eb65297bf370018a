"""Empties the portal's page cache (homeroom/lib/freshness.py) in the benchmark's Redis, so a
request can be measured as a family's first view of a page. Sessions, lockouts and
throttling counts stay."""

import os

import redis


def empty() -> int:
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    keys = list(client.scan_iter(match="*:fresh:*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)
