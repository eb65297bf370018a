"""The checks every classroom and office page passes before any student data: signed in,
not denied, a member of staff (R12). Guardians and students have the portal."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from homeroom.access import policy, staff
from homeroom.lib import clock

View = Callable[..., HttpResponse]


def staff_page(view: View) -> View:
    @wraps(view)
    def gated(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if policy.denial_in_force(user, clock.today()) is not None:
            logout(request)
            return render(request, "accounts/denied.html", status=403)
        if not staff.scope_of(staff.staff_request(request).viewer).is_staff:
            # Families reach students through the portal, never through staff pages; an id
            # in the address is logged as a refusal, as any other out-of-bounds request.
            for key in ("section_id", "student_id"):
                if key in kwargs:
                    staff.refuse(
                        request, object_type=f"sis.{key[:-3]}", object_id=kwargs[key], write=False
                    )
            return redirect("home")
        return view(request, *args, **kwargs)

    return gated
