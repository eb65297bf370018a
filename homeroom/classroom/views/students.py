"""A student's record for staff, reached only through `access.staff.open_student` (with a
stated reason outside one's own students), and a counselor's caseload."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from homeroom.access import break_glass, staff
from homeroom.access.models import Module
from homeroom.classroom import student_record
from homeroom.classroom.forms import (
    ReasonForm,
)
from homeroom.classroom.gate import staff_page
from homeroom.classroom.views.common import ATTENDANCE, errors_to_form, page_context
from homeroom.sis.models import Student

# --- A student's record, and the caseload ------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_page
def student(request: HttpRequest, student_id: int) -> HttpResponse:
    """A student's record for staff: for their own students, or after a stated reason."""
    resolved = staff.staff_request(request)
    try:
        found = staff.open_student(request, student_id)
    except staff.ReasonNeeded:
        return _reason(request, student_id)
    record = student_record.student_record(found, resolved.today, resolved.now)
    staff.record_reads(
        request,
        [(found.pk, m) for m in (staff.ROSTER, ATTENDANCE, Module.SCHEDULE, Module.GRADES)],
        page="student",
    )
    grant = break_glass.open_grant(resolved.viewer.user, found.pk, resolved.now)
    return render(
        request, "classroom/student.html", page_context(request, record=record, grant=grant)
    )


def _reason(request: HttpRequest, student_id: int) -> HttpResponse:
    """Ask why; with a reason, open the record for a while (logged, reported weekly)."""
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        target = Student.objects.filter(pk=student_id).first()
        if target is None:
            # Asked the same way whether or not the student exists; refused only now.
            staff.refuse(
                request,
                student_id=student_id,
                module=staff.ROSTER,
                object_type="sis.student",
                object_id=student_id,
                write=False,
            )
        try:
            break_glass.break_glass_open(
                actor=staff.staff_request(request).actor,
                user=request.user,  # type: ignore[arg-type]
                student=target,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            return redirect("classroom:student", student_id)
    return render(
        request,
        "classroom/reason.html",
        page_context(request, form=form, minutes=settings.HOMEROOM_BREAK_GLASS_MINUTES),
    )


@require_GET
@staff_page
def caseload(request: HttpRequest) -> HttpResponse:
    """A counselor's students today."""
    resolved = staff.staff_request(request)
    students = list(staff.caseload(resolved))
    staff.record_reads(request, [(s.pk, staff.ROSTER) for s in students], page="caseload")
    return render(
        request, "classroom/caseload.html", page_context(request, students=students, nav="caseload")
    )
