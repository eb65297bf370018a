"""A request, resolved once: who is asking (the policy's viewer), on what day, and the actor
the audit log names. The portal's door, the staff pages and the admin all read this one
answer; nothing else builds a viewer or an actor from a request.

`RequestResolutionMiddleware` also lends the actor to the apps below the policy (the audit
log's own admin, the accounts pages), which cannot import it: `audit.services.request_actor`
asks the request for it.
"""

import dataclasses
import datetime
import functools
from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homeroom.access import policy
from homeroom.access.policy import StudentAccess, Viewer
from homeroom.audit.services import Actor
from homeroom.lib import clock, freshness
from homeroom.lib.http import client_address


@dataclasses.dataclass
class AccessRequest:
    """What the policy resolved for this request: computed once, kept on the request."""

    viewer: Viewer
    today: datetime.date
    now: datetime.datetime
    actor: Actor

    @functools.cached_property
    def students(self) -> list[StudentAccess]:
        """The students a guardian or student may see today, looked up only when a page asks,
        after the gate's checks. Cached (lib.freshness): every write that can change who sees
        what (a restriction, a switch, a link, an enrollment …) is district-wide and makes
        it stale at commit."""
        viewer = self.viewer
        return freshness.remember(
            "portal-students",
            (viewer.user.pk, viewer.kind, viewer.guardian_id, viewer.student_id, self.today),
            [freshness.GLOBAL],
            lambda: (
                policy.portal_students(viewer, self.today, policy.switches_now()),
                None,
            ),
        )

    def access_to(self, student_id: int) -> StudentAccess | None:
        for access in self.students:
            if access.student.pk == student_id:
                return access
        return None


def _actor(request: HttpRequest, viewer: Viewer) -> Actor:
    return Actor(
        user_id=viewer.user.pk if viewer.user.is_authenticated else None,
        role=viewer.role_label if viewer.user.is_authenticated else "",
        address=client_address(request) or None,
        request_id=getattr(request, "request_id", ""),
    )


def resolve(request: HttpRequest) -> AccessRequest:
    """This request's answer, computed on first use. A sign-in or sign-out within the
    request changes the user, and the answer with it."""
    cached: AccessRequest | None = getattr(request, "_homeroom_access", None)
    user = request.user
    if cached is not None and cached.viewer.user.pk == user.pk:
        return cached
    today = clock.today()
    viewer = policy.viewer_for(user, today)  # type: ignore[arg-type]
    resolved = AccessRequest(
        viewer=viewer, today=today, now=clock.now(), actor=_actor(request, viewer)
    )
    request._homeroom_access = resolved  # type: ignore[attr-defined]
    return resolved


def request_actor(request: HttpRequest) -> Actor:
    return resolve(request).actor


class RequestResolutionMiddleware:
    """Lends `request_actor` to the apps below the policy (audit.services.request_actor)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.homeroom_actor = functools.partial(request_actor, request)  # type: ignore[attr-defined]
        return self.get_response(request)


class DeniedAccountMiddleware:
    """An account denied access (R68) is signed out on its next request, whatever the page:
    the portal, the classroom, its own account pages, the admin. A denial ends the sessions
    it finds when placed; this catches one that starts later, or a session made since."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and resolve(request).viewer.denied:
            logout(request)
            return render(request, "accounts/denied.html", status=403)
        return self.get_response(request)
