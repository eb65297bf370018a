"""The health endpoint for load balancers and monitors: the database and the cache answer,
and how long the oldest task ready to run has waited (the workers' lag)."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health: the database does not answer")
        checks["database"] = "failing"
    try:
        probe = f"health:{uuid.uuid4().hex}"
        cache.set(probe, "1", timeout=5)
        if cache.get(probe) != "1":
            raise RuntimeError("the cache did not return what was stored")
        cache.delete(probe)
    except Exception:
        logger.exception("health: the cache does not answer")
        checks["cache"] = "failing"
    healthy = all(state == "ok" for state in checks.values())
    # The queue's lag is reported, not failed on: a web node serves pages whether or not the
    # workers keep up, and the load balancer must not take it out for that.
    queue: dict[str, object] = {}
    if checks["database"] == "ok":
        age = queue_age_seconds()
        late = age is not None and age > settings.HOMEROOM_QUEUE_LATE_MINUTES * 60
        queue = {"queue": "late" if late else "ok", "queue_age_seconds": age or 0}
    return JsonResponse(
        {"status": "ok" if healthy else "failing", **checks, **queue},
        status=200 if healthy else 503,
    )


def queue_age_seconds() -> int | None:
    """Seconds the oldest task ready to run has waited since it became due; None if none."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    from homeroom.lib import clock

    oldest = DBTaskResult.objects.ready().order_by("run_after", "enqueued_at").first()
    if oldest is None:
        return None
    due = oldest.enqueued_at if oldest.run_after == get_date_max() else oldest.run_after
    return max(0, int((clock.now() - max(due, oldest.enqueued_at)).total_seconds()))
