"""What every classroom and office page shares: the navigation's context, links, times."""

import datetime
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone

from homeroom.access import staff

GRADES = "grades"
ATTENDANCE = "attendance"


def page_context(request: HttpRequest, **extra: object) -> dict[str, object]:
    name = request.resolver_match.url_name if request.resolver_match else ""
    nav = {
        "home": "home",
        "office": "office",
        "office-student": "office",
        "caseload": "caseload",
        "subscriptions": "subscriptions",
        "student-subscriptions": "subscriptions",
    }.get(name or "", "")
    return {"staff": staff.scope_of(staff.staff_request(request).viewer), "nav": nav, **extra}


def page_url(name: str, *args: int, **query: object) -> str:
    url = reverse(f"classroom:{name}", args=args)
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def shown_time(moment: datetime.datetime) -> str:
    return formats.time_format(timezone.localtime(moment), "TIME_FORMAT")


def errors_to_form(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
