"""The health endpoint for load balancers and monitors: the database and the cache answer."""

import logging
import uuid

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
    return JsonResponse(
        {"status": "ok" if healthy else "failing", **checks}, status=200 if healthy else 503
    )
