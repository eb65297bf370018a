"""The health endpoint and the accessibility statement (issue 8; R40)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_answers_ok_when_database_and_cache_answer(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "queue": "ok",
        "queue_age_seconds": 0,
    }
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_health_reports_the_age_of_the_oldest_waiting_task_without_failing(client, settings):
    """The workers' lag is reported (docs/operations.md, "Workers"); pages still serve."""
    import datetime

    import time_machine

    from homeroom.lib import clock
    from homeroom.notify import tasks

    tasks.deliver.enqueue()
    with time_machine.travel(clock.now() + datetime.timedelta(minutes=15), tick=False):
        response = client.get(reverse("health"))
    assert response.status_code == 200
    body = response.json()
    assert body["queue"] == "late" and 15 * 60 - 5 <= body["queue_age_seconds"] <= 15 * 60 + 5


def test_health_answers_503_when_the_cache_fails(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    from django.core.cache import caches

    caches._settings = None  # type: ignore[attr-defined]  # re-read CACHES
    try:
        response = client.get(reverse("health"))
    finally:
        caches._settings = None  # type: ignore[attr-defined]
    assert response.status_code == 503
    assert response.json()["cache"] == "failing" and response.json()["database"] == "ok"


def test_the_accessibility_statement_is_public_and_runs_no_query(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    assert "WCAG" in response.content.decode()
    assert len(queries) == 0
