"""The door: how a view reaches a student's record, and how each read or refusal is logged.

A portal view never looks a student up by the id in its URL. It asks `open_module`, which
answers with the student only when the policy allows this viewer this module today, writes
the read to the audit log, and otherwise writes a refusal and raises Http404: "not yours"
and "does not exist" look the same, so ids cannot be probed.
"""

from collections.abc import Iterable

from django.http import Http404, HttpRequest

from homeroom.access import policy, watch
from homeroom.access.policy import StudentAccess
from homeroom.access.requests import AccessRequest, resolve
from homeroom.audit.models import Action
from homeroom.audit.services import Event, events_record
from homeroom.sis.models import GuardianLink

# Not a switchable module: the family's copy of the record of disclosures (FERPA 99.32(c)).
DISCLOSURES = "disclosures"
# Not a switchable module either: the parents, guardians and contacts on file for a child.
CONTACTS = "contacts"
# Not a module either: a guardian's choices of what they are told about a child.
NOTIFICATIONS = "notifications"
# The rights-holder's pages beside the record of disclosures: directory opt-outs (99.37)
# and consents to disclose (99.30).
DIRECTORY = "directory"
CONSENTS = "consents"

# The portal's name for a resolved request (the same object as the staff pages').
PortalRequest = AccessRequest
portal_request = resolve


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
    return open_rights(request, student_id, DISCLOSURES)


def open_rights(request: HttpRequest, student_id: int, what: str) -> StudentAccess:
    """A page for whoever holds the student's educational rights (a parent with rights, or
    the eligible student): the record of disclosures, directory opt-outs, consents."""
    resolved = portal_request(request)
    access = resolved.access_to(student_id)
    if access is not None and access.rights:
        record_reads(resolved, [(access, what)])
        return access
    _record_refusal(resolved, student_id, what)
    raise Http404


def open_contacts(request: HttpRequest, student_id: int) -> StudentAccess:
    """The contacts on file, for whoever sees any part of the student's record; a field
    restriction (R3) hides the other people's details on the page itself."""
    resolved = portal_request(request)
    access = resolved.access_to(student_id)
    if access is not None:
        record_reads(resolved, [(access, CONTACTS)])
        return access
    _record_refusal(resolved, student_id, CONTACTS)
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
