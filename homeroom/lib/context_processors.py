from typing import Any

from django.conf import settings
from django.http import HttpRequest


def district(request: HttpRequest) -> dict[str, Any]:
    return {"district_name": settings.HOMEROOM_DISTRICT_NAME}
