"""The checks every portal page passes before any student data: signed in, not denied,
current acceptable-use agreement accepted (policy 1110.2; R68, R71)."""

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

View = Callable[..., HttpResponse]


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
        return view(request, *args, **kwargs)

    return gated
