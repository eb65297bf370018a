"""Notice subscriptions entered on a parent's behalf (R20: "by portal toggle or registrar
entry"). The registrar, a school's administrators and the district's find a student, see which
of the student's parents hear the school's notices, and enter or end the subscription of a
parent the student does not live with, when that parent asks the office by letter, by phone or
at the counter. Students and parents are reached only through the staff door
(`access.staff.open_subscription_student`, `access.staff.open_subscription_parent`)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from homeroom.access import staff
from homeroom.classroom import selectors
from homeroom.classroom.gate import staff_page
from homeroom.classroom.views.common import page_context
from homeroom.notify import selectors as notify_selectors
from homeroom.notify import services
from homeroom.notify.models import NoticeSubscription
from homeroom.sis.models import Student


@require_GET
@staff_page
def subscriptions(request: HttpRequest) -> HttpResponse:
    """Find a student whose parents' subscriptions this person keeps."""
    resolved = staff.staff_request(request)
    if not staff.scope_of(resolved.viewer).keeps_subscriptions:
        staff.refuse(request, object_type="notify.noticesubscription", object_id=0, write=False)
    query = request.GET.get("q", "").strip()
    found = selectors.student_search(staff.subscription_students(resolved), query)
    staff.record_reads(request, [(s.pk, staff.ROSTER) for s in found], page="subscriptions")
    return render(
        request, "classroom/subscriptions.html", page_context(request, query=query, found=found)
    )


@require_http_methods(["GET", "POST"])
@staff_page
def student_subscriptions(request: HttpRequest, student_id: int) -> HttpResponse:
    """A student's parents and the school's notices; POST enters or ends one parent's
    subscription."""
    write = request.method == "POST"
    student = staff.open_subscription_student(request, student_id, write=write)
    if write:
        return _change(request, student)
    resolved = staff.staff_request(request)
    staff.record_reads(request, [(student.pk, staff.ROSTER)], page="student-subscriptions")
    return render(
        request,
        "classroom/student_subscriptions.html",
        page_context(
            request,
            student=student,
            notices=notify_selectors.student_notices(student, resolved.today),
        ),
    )


def _change(request: HttpRequest, student: Student) -> HttpResponse:
    raw = request.POST.get("guardian", "")
    link = staff.open_subscription_parent(
        request, student, int(raw) if raw.isdigit() else 0, write=True
    )
    actor = staff.staff_request(request).actor
    action = request.POST.get("subscription")
    names = {"guardian": link.guardian, "student": student.display_name}
    try:
        if action == "start":
            services.subscription_start(
                actor=actor,
                started_by=request.user,  # type: ignore[arg-type]
                guardian=link.guardian,
                student=student,
                source=NoticeSubscription.Source.REGISTRAR,
            )
            messages.success(
                request,
                _("%(guardian)s now receives every school notice about %(student)s.") % names,
            )
        elif action == "end":
            current = NoticeSubscription.objects.filter(
                guardian=link.guardian, student=student, ended_at__isnull=True
            ).first()
            if current is None:
                raise ValidationError(_("This parent has no subscription to end."))
            services.subscription_end(
                actor=actor,
                ended_by=request.user,  # type: ignore[arg-type]
                subscription=current,
            )
            messages.success(
                request,
                _("%(guardian)s no longer receives the school notices about %(student)s.") % names,
            )
        else:
            raise ValidationError(_("Choose to enter or to end the subscription."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("classroom:student-subscriptions", student_id=student.pk)
