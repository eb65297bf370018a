"""The admin site: the district's name on it, and ids in its addresses bounded like every
other URL's (lib.converters): an object id beyond the largest key is "not found", never a
server error."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import lazy

from homeroom.lib.converters import LARGEST_KEY


def _district_name() -> str:
    return settings.HOMEROOM_DISTRICT_NAME


class HomeroomAdminSite(admin.AdminSite):
    site_header = lazy(_district_name, str)()
    site_title = lazy(_district_name, str)()

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        wrapped = super().admin_view(view, cacheable)

        @wraps(view)
        def bounded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            for value in [*args, *kwargs.values()]:
                if isinstance(value, str) and value.isdigit() and int(value) > LARGEST_KEY:
                    raise Http404
            return wrapped(request, *args, **kwargs)

        return bounded
