"""Reporting a security problem, signed in or not, and the district's security.txt
(policy 1110.2; R73, RFC 9116)."""

import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from homeroom.audit import reports
from homeroom.audit.services import request_actor
from homeroom.lib import clock, throttle
from homeroom.lib.http import client_address
from homeroom.lib.site import site_url
from homeroom.portal.public_forms import SecurityReportForm

# Enough for a person with something to say; too few to flood the department's queue.
REPORTS_PER_ADDRESS = throttle.Limit("security-report", 5, datetime.timedelta(hours=1))
RECEIVED = "homeroom_security_report"
# RFC 9116 asks for less than a year; the file is made on each request, so it stays fresh.
SECURITY_TXT_LIFETIME = datetime.timedelta(days=180)


@never_cache
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    form = SecurityReportForm(request.POST or None)
    address = client_address(request) or "unknown"
    blocked_until = None
    if request.method == "POST":
        blocked_until = REPORTS_PER_ADDRESS.blocked_until(address)
    if request.method == "POST" and blocked_until is None and form.is_valid():
        REPORTS_PER_ADDRESS.record(address)
        filed = reports.report_file(
            actor=request_actor(request),
            description=form.cleaned_data["description"],
            where=form.cleaned_data["where"],
            contact=form.cleaned_data["contact"],
            reporter_label=request.user.get_username() if request.user.is_authenticated else "",
        )
        request.session[RECEIVED] = filed.reference
        return redirect("public:security-report-received")
    return render(
        request,
        "portal/report/form.html",
        {"form": form, "blocked_until": blocked_until},
        status=429 if blocked_until else 200,
    )


@never_cache
@require_GET
def report_received(request: HttpRequest) -> HttpResponse:
    reference = request.session.get(RECEIVED)
    if not reference:
        return redirect("public:security-report")
    return render(request, "portal/report/received.html", {"reference": reference})


@require_GET
def security_txt(request: HttpRequest) -> HttpResponse:
    expires = (clock.now() + SECURITY_TXT_LIFETIME).astimezone(datetime.UTC)
    lines = [
        "# Found a security problem? Please report it, and do not demonstrate or exploit it.",
        f"Contact: {site_url()}{reverse('public:security-report')}",
        f"Contact: mailto:{settings.HOMEROOM_TECHNOLOGY_EMAIL}",
        f"Expires: {expires:%Y-%m-%dT%H:%M:%S}Z",
        "Preferred-Languages: en, es",
        f"Canonical: {site_url()}{reverse('public:security-txt')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
