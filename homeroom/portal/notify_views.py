"""The family's side of notifications: what they are told and when (per child and kind),
quiet hours, their own messages, the notice subscription of a parent the child does not live
with (R20), and the one-click unsubscribe, which needs no sign-in (RFC 8058).

The choices are the one write open to guardians here (R70: "notice subscriptions").
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from homeroom.access import door
from homeroom.audit.services import Actor
from homeroom.lib.http import client_address
from homeroom.notify import compose, selectors, services
from homeroom.notify.models import Kind, NoticeSubscription, Timing
from homeroom.portal.gate import portal_page
from homeroom.sis.models import Guardian, Student


def _guardian(request: HttpRequest) -> Guardian:
    viewer = door.portal_request(request).viewer
    if viewer.guardian_id is None:
        raise Http404  # Students choose nothing here: their guardians are told.
    return Guardian.objects.get(pk=viewer.guardian_id)


def _time(raw: str) -> datetime.time | None:
    try:
        return datetime.time.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValidationError(_("Give a time such as 21:00.")) from None


@require_http_methods(["GET", "POST"])
@portal_page
def notifications(request: HttpRequest) -> HttpResponse:
    resolved = door.portal_request(request)
    guardian = _guardian(request)
    errors: list[str] = []
    if request.method == "POST":
        try:
            starts = _time(request.POST.get("quiet_starts", "").strip())
            ends = _time(request.POST.get("quiet_ends", "").strip())
            services.quiet_hours_save(
                actor=resolved.actor, guardian=guardian, starts=starts, ends=ends
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Your quiet hours are saved."))
            return redirect("portal:notifications")
    hours = selectors.quiet_hours(guardian)
    return render(
        request,
        "portal/notifications.html",
        {
            "portal": resolved,
            "children": resolved.students,
            "quiet": hours,
            "errors": errors,
            "sent": selectors.family_messages(resolved.viewer.user),
            "module": "notifications",
        },
    )


@require_http_methods(["GET", "POST"])
@portal_page
def child_notifications(request: HttpRequest, student_id: int) -> HttpResponse:
    access = door.open_notifications(request, student_id)
    resolved = door.portal_request(request)
    guardian = _guardian(request)
    student = access.student
    errors: list[str] = []
    if request.method == "POST":
        try:
            _save(request, resolved.actor, guardian, student, access.modules)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect("portal:child-notifications", student_id=student.pk)
    return render(
        request,
        "portal/child_notifications.html",
        {
            "portal": resolved,
            "children": resolved.students,
            "child": access,
            "module": "notifications",
            "choices": selectors.child_choices(guardian, student, access.modules),
            "errors": errors,
        },
    )


def _save(request, actor: Actor, guardian: Guardian, student: Student, modules) -> None:
    action = request.POST.get("action", "choices")
    if action == "subscribe":
        services.subscription_start(
            actor=actor,
            started_by=request.user,
            guardian=guardian,
            student=student,
            source=NoticeSubscription.Source.PORTAL,
        )
        return
    if action == "unsubscribe":
        current = selectors.child_choices(guardian, student, modules).subscription
        if current is not None:
            services.subscription_end(actor=actor, ended_by=request.user, subscription=current)
        return
    offered = selectors.child_choices(guardian, student, modules).choices
    timings = {c.kind: request.POST.get(f"timing-{c.kind}", c.timing) for c in offered}
    raw = request.POST.get("threshold", "").strip()
    threshold = None
    if Kind.LOW_GRADE in timings:
        if not raw.isdigit():
            raise ValidationError(_("A threshold is a percentage from 1 to 100."))
        threshold = int(raw)
    services.preferences_save(
        actor=actor, guardian=guardian, student=student, timings=timings, threshold=threshold
    )


# --- One-click unsubscribe, no sign-in (RFC 8058) ---------------------------------------------


def _unsubscribe_target(token: str) -> tuple[Guardian, dict]:
    data = compose.read_unsubscribe_token(token)
    guardian = Guardian.objects.filter(pk=data["g"]).first() if data else None
    if data is None or guardian is None:
        raise Http404
    return guardian, data


def _what(data: dict) -> str:
    kind = data["k"]
    if kind.startswith(compose.DIGEST):
        timing = kind.split(":", 1)[1]
        return _("the weekly summary") if timing == Timing.WEEKLY else _("the daily summary")
    names = ", ".join(
        s.display_name for s in Student.objects.filter(pk__in=data["s"]).order_by("pk")
    )
    label = str(Kind(kind).label).lower() if kind in Kind.values else kind
    return _("messages about %(what)s for %(names)s") % {"what": label, "names": names}


@csrf_exempt  # Mail clients post the one-click request without a form; the token is the key.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link stops, with one button (a link checker's visit changes
    nothing); POST — the button, or the mail client's one-click request — stops it."""
    guardian, data = _unsubscribe_target(token)
    if request.method == "POST":
        actor = Actor(
            user_id=guardian.user_id,
            role="guardian",
            address=client_address(request) or None,
            request_id=getattr(request, "request_id", ""),
        )
        services.unsubscribe(actor=actor, guardian=guardian, kind=data["k"], students=data["s"])
        return render(request, "portal/unsubscribed.html", {"what": _what(data)})
    return render(request, "portal/unsubscribe.html", {"what": _what(data), "token": token})
