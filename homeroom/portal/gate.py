"""The checks every portal page passes before any student data: signed in, not denied,
current acceptable-use agreement accepted (policy 1110.2; R68, R71), this school year's
notice of rights read (FERPA 99.7; R15)."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from homeroom.access import door, policy
from homeroom.accounts.models import User
from homeroom.lib import clock
from homeroom.lib.dates import school_year_ending
from homeroom.privacy import selectors as privacy

View = Callable[..., HttpResponse]

# The session remembers the school year whose notice this person has read, so that the
# check costs nothing on every other page.
ANNUAL_NOTICE_READ = "homeroom_annual_notice_year"
_READS_THE_NOTICE = "reads_the_annual_notice"


def reads_the_annual_notice(view: View) -> View:
    """Mark the page that shows the notice, which the notice's gate lets through."""
    setattr(view, _READS_THE_NOTICE, True)
    return view


def annual_notice_pending(request: HttpRequest) -> bool:
    """Whether this person has yet to read this school year's notice: asked of the database
    once per session and school year."""
    today = clock.today()
    year = school_year_ending(today)
    if request.session.get(ANNUAL_NOTICE_READ) == year:
        return False
    user: User = request.user  # type: ignore[assignment]
    if privacy.annual_notice_due(user, today) is None:
        request.session[ANNUAL_NOTICE_READ] = year
        return False
    return True


def portal_page(view: View) -> View:
    @wraps(view)
    def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        viewer = door.portal_request(request).viewer
        if viewer.denied:
            # The denial ends the session at once; the message stays neutral (R68).
            logout(request)
            return render(request, "accounts/denied.html", status=403)
        if viewer.agreement_pending:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:agreement')}?{query}")
        if viewer.kind == policy.ViewerKind.STAFF:
            # Staff reach students through their own pages, never through the portal.
            if "student_id" in kwargs:
                door.refuse(request, kwargs["student_id"], "portal")
            return redirect("home")
        if not getattr(gated, _READS_THE_NOTICE, False) and annual_notice_pending(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('portal:annual-notice')}?{query}")
        return view(request, *args, **kwargs)

    return gated
