"""The office's pages: a school's daily attendance, and one student's day with the office's
mark. Each reaches a student only through the staff door (`access.staff`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from homeroom.access import staff
from homeroom.attendance import services as attendance_services
from homeroom.classroom import selectors
from homeroom.classroom.forms import (
    OfficeMarkForm,
    parse_day,
)
from homeroom.classroom.gate import staff_page
from homeroom.classroom.views.common import ATTENDANCE, errors_to_form, page_context, page_url
from homeroom.sis.models import School

# --- The office -------------------------------------------------------------------------------


def _office_school(request: HttpRequest, raw: str | None) -> tuple[School | None, list[School]]:
    resolved = staff.staff_request(request)
    if not staff.scope_of(resolved.viewer).keeps_office:
        staff.refuse(request, object_type="office", object_id=0, write=request.method == "POST")
    schools = list(staff.office_schools(resolved).order_by("name"))
    if raw:
        chosen = next((s for s in schools if str(s.pk) == raw), None)
        if chosen is None:
            staff.refuse(
                request,
                object_type="sis.school",
                object_id=int(raw) if raw.isdigit() else 0,
                write=False,
            )
        return chosen, schools
    return (schools[0] if schools else None), schools


@require_GET
@staff_page
def office(request: HttpRequest) -> HttpResponse:
    """A school's daily attendance for a day, and finding a student to record a mark for."""
    resolved = staff.staff_request(request)
    school, schools = _office_school(request, request.GET.get("school"))
    day, problem = parse_day(request.GET.get("date"), resolved.today)
    query = request.GET.get("q", "").strip()
    rows = selectors.office_day(school, day) if school else []
    found = (
        selectors.student_search(staff.office_students(resolved, school), query)
        if school and query
        else []
    )
    staff.record_reads(
        request,
        [(r.student.pk, ATTENDANCE) for r in rows] + [(s.pk, staff.ROSTER) for s in found],
        page="office",
    )
    return render(
        request,
        "classroom/office.html",
        page_context(
            request,
            school=school,
            schools=schools,
            day=day,
            problem=problem,
            rows=rows,
            query=query,
            found=found,
            in_session=bool(school and selectors.school_day(school.pk, day)),
        ),
    )


@require_http_methods(["GET", "POST"])
@staff_page
def office_student(request: HttpRequest, student_id: int) -> HttpResponse:
    """A student's day: period marks, the derived and office marks, and the office's form."""
    write = request.method == "POST"
    student = staff.open_office_student(request, student_id, write=write)
    resolved = staff.staff_request(request)
    day, problem = parse_day(request.GET.get("date"), resolved.today)
    school = selectors.enrolled_school(student, day)
    allowed = staff.keeps_office_of(resolved, school)
    recorded = selectors.student_day(student, day)
    initial = {}
    if recorded.office is not None:
        initial = {
            "code": recorded.office.code_id,
            "reason": recorded.office.reason,
            "comment": recorded.office.comment,
        }
    form = OfficeMarkForm(request.POST if write else None, initial=initial)
    if write and allowed and form.is_valid():
        try:
            attendance_services.daily_mark_record(
                actor=resolved.actor,
                recorded_by=request.user,  # type: ignore[arg-type]
                student=student,
                school=school,  # type: ignore[arg-type]
                day=day,
                **form.cleaned_data,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("Saved the office's mark for %(name)s on %(day)s.")
                % {"name": student.display_name, "day": formats.date_format(day)},
            )
            return redirect(page_url("office", school=school.pk, date=day.isoformat()))  # type: ignore[union-attr]
    staff.record_reads(request, [(student.pk, ATTENDANCE)], page="office-student")
    return render(
        request,
        "classroom/office_student.html",
        page_context(
            request,
            student=student,
            day=day,
            problem=problem,
            school=school,
            allowed=allowed,
            recorded=recorded,
            form=form,
            history=selectors.student_attendance_history(student),
            in_session=bool(school and selectors.school_day(school.pk, day)),
        ),
        status=400 if write and not allowed else 200,
    )
