"""The door: how a view reaches a student's record, and how each read or refusal is logged.

A portal view never looks a student up by the id in its URL. It asks `open_module`, which
answers with the student only when the policy allows this viewer this module today, writes
the read to the audit log, and otherwise writes a refusal and raises Http404: "not yours"
and "does not exist" look the same, so ids cannot be probed.
"""

import dataclasses
import datetime
import functools
from collections.abc import Iterable

from django.http import Http404, HttpRequest

from homeroom.access import policy, watch
from homeroom.access.policy import StudentAccess, Viewer
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, events_record
from homeroom.lib import clock, freshness
from homeroom.lib.http import client_address
from homeroom.sis.models import GuardianLink

# Not a switchable module: the family's copy of the record of disclosures (FERPA 99.32(c)).
DISCLOSURES = "disclosures"
# Not a module either: a guardian's choices of what they are told about a child.
NOTIFICATIONS = "notifications"


@dataclasses.dataclass
class PortalRequest:
    """What the policy resolved for this request, computed once and kept on the request.

    The students are looked up only when a page asks for them, after the gate's checks.
    """

    viewer: Viewer
    today: datetime.date
    now: datetime.datetime
    actor: Actor

    @functools.cached_property
    def students(self) -> list[StudentAccess]:
        """Cached (lib.freshness): every write that can change who sees what (a restriction,
        a switch, a link, an enrollment...) is district-wide and makes it stale at commit."""
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


def actor_for(request: HttpRequest, viewer: Viewer) -> Actor:
    return Actor(
        user_id=viewer.user.pk,
        role=viewer.role_label,
        address=client_address(request) or None,
        request_id=getattr(request, "request_id", ""),
    )


def portal_request(request: HttpRequest) -> PortalRequest:
    cached = getattr(request, "_homeroom_portal", None)
    if cached is not None:
        return cached
    today = clock.today()
    viewer = policy.viewer_for(request.user, today)  # type: ignore[arg-type]
    resolved = PortalRequest(
        viewer=viewer, today=today, now=clock.now(), actor=actor_for(request, viewer)
    )
    request._homeroom_portal = resolved  # type: ignore[attr-defined]
    return resolved


def open_module(request: HttpRequest, student_id: int, module: str) -> StudentAccess:
    """The student, if this viewer may see this module of their record today; else 404."""
    resolved = portal_request(request)
    access = resolved.access_to(student_id)
    if access is not None and module in access.modules:
        record_reads(resolved, [(access, module)])
        return access
    _record_refusal(resolved, student_id, module)
    raise Http404


def open_disclosures(request: HttpRequest, student_id: int) -> StudentAccess:
    """The record of disclosures is for whoever holds the student's educational rights (R9)."""
    resolved = portal_request(request)
    access = resolved.access_to(student_id)
    if access is not None and access.rights:
        record_reads(resolved, [(access, DISCLOSURES)])
        return access
    _record_refusal(resolved, student_id, DISCLOSURES)
    raise Http404


def open_notifications(request: HttpRequest, student_id: int) -> StudentAccess:
    """A guardian's page of choices about one child: open while the policy lets them see any
    part of the child's record (a student chooses nothing here)."""
    resolved = portal_request(request)
    access = resolved.access_to(student_id)
    if access is not None and resolved.viewer.kind == policy.ViewerKind.GUARDIAN:
        record_reads(resolved, [(access, NOTIFICATIONS)])
        return access
    _record_refusal(resolved, student_id, NOTIFICATIONS)
    raise Http404


def record_reads(resolved: PortalRequest, reads: Iterable[tuple[StudentAccess, str]]) -> None:
    """One audit event per student and module shown, written in a single INSERT."""
    events_record(
        actor=resolved.actor,
        events=[
            Event(action=Action.PORTAL_READ, student_id=access.student.pk, module=module)
            for access, module in reads
        ],
    )


def refuse(request: HttpRequest, student_id: int, module: str) -> None:
    """Log a refusal for a request the view itself found out of bounds, then 404."""
    _record_refusal(portal_request(request), student_id, module)
    raise Http404


def _record_refusal(resolved: PortalRequest, student_id: int, module: str) -> None:
    # Whether the viewer is linked to the student at all tells a probe of another family's
    # records (which the security-risk rule counts) from a closed door at home (a
    # restriction, a switched-off module, a withdrawn child).
    viewer = resolved.viewer
    if viewer.kind == policy.ViewerKind.GUARDIAN and viewer.guardian_id is not None:
        own = GuardianLink.objects.filter(
            guardian_id=viewer.guardian_id, student_id=student_id
        ).exists()
    else:
        own = viewer.kind == policy.ViewerKind.STUDENT and viewer.student_id == student_id
    events_record(
        actor=resolved.actor,
        events=[
            Event(
                action=Action.REFUSED,
                student_id=student_id,
                module=module,
                detail={"linked": own},
            )
        ],
    )
    if viewer.kind in (policy.ViewerKind.GUARDIAN, policy.ViewerKind.STUDENT):
        watch.refusal_recorded(actor=resolved.actor, user=viewer.user, linked=own)
