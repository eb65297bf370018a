"""A teacher's pages: the day, attendance, the grade book and its history. Each reaches a
section only through the staff door (`access.staff.open_section`)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homeroom.access import staff
from homeroom.attendance import services as attendance_services
from homeroom.attendance.models import Category as AttendanceCategory
from homeroom.classroom import selectors
from homeroom.classroom.forms import (
    AssignmentForm,
    AssignmentScoresForm,
    AttendanceForm,
    GridForm,
    SetupForms,
    parse_day,
)
from homeroom.classroom.gate import staff_page
from homeroom.classroom.views.common import (
    ATTENDANCE,
    GRADES,
    errors_to_form,
    page_context,
    page_url,
    shown_time,
)
from homeroom.gradebook import services as gradebook_services
from homeroom.gradebook.models import Assignment, Category, GradebookSetup
from homeroom.sis.models import Section

# --- The teacher's day ------------------------------------------------------------------------


@require_GET
@staff_page
def home(request: HttpRequest) -> HttpResponse:
    resolved = staff.staff_request(request)
    day, problem = parse_day(request.GET.get("date"), resolved.today)
    return render(
        request,
        "classroom/home.html",
        page_context(
            request,
            day=day,
            problem=problem,
            plan=selectors.teacher_day(staff.sections_taught(resolved, day), day),
            sections=selectors.sections_listed(staff.sections_taught(resolved)),
        ),
    )


# --- Attendance -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_page
def attendance(request: HttpRequest, section_id: int) -> HttpResponse:
    write = request.method == "POST"
    section = staff.open_section(request, section_id, write=write)
    resolved = staff.staff_request(request)
    day, problem = parse_day(request.GET.get("date"), resolved.today)
    periods = selectors.meeting_periods(section, day)
    period = next((p for p in periods if str(p.pk) == request.GET.get("period")), None)
    period = period or (periods[0] if periods else None)
    closed = _closed_reason(section, day, resolved.today, bool(periods))
    context = page_context(
        request, section=section, day=day, periods=periods, period=period, problem=problem
    )
    if closed or period is None:
        context["closed"] = closed
        return render(request, "classroom/attendance.html", context, status=400 if write else 200)
    sheet = selectors.attendance_sheet(section, day, period)
    form = AttendanceForm(sheet, request.POST if write else None)
    here = page_url("attendance", section.pk, date=day.isoformat(), period=period.pk)
    if write and form.is_valid():
        try:
            result = attendance_services.attendance_take(
                actor=resolved.actor,
                recorded_by=request.user,  # type: ignore[arg-type]
                section=section,
                day=day,
                period=period,
                entries=form.entries,
            )
        except ValidationError as error:
            context["service_errors"] = error.messages
        else:
            messages.success(request, _saved_attendance(sheet, form, result))
            return redirect(here)
    staff.record_reads(
        request,
        [(r.student.pk, ATTENDANCE) for r in sheet.rows],
        section=section,
        page="attendance",
    )
    context.update(sheet=sheet, form=form, here=here)
    return render(request, "classroom/attendance.html", context)


def _closed_reason(section: Section, day: datetime.date, today: datetime.date, meets: bool) -> str:
    if day > today:
        return _("Attendance cannot be taken for a day that has not come yet.")
    if not section.start_date <= day <= section.end_date:
        return _("This class does not run on that day.")
    if selectors.school_day(section.school_id, day) is None:
        return _("That day is not a school day.")
    if not meets:
        return _("This class does not meet on that day of the week.")
    return ""


def _saved_attendance(
    sheet: selectors.AttendanceSheet,
    form: AttendanceForm,
    result: attendance_services.TakeResult,
) -> str:
    codes = {c.pk: c for c in sheet.codes}
    absent = sum(1 for e in form.entries.values() if codes[e.code_id].is_absence)
    tardy = sum(
        1 for e in form.entries.values() if codes[e.code_id].category == AttendanceCategory.TARDY
    )
    changed = result.created + result.changed
    return _(
        "Attendance saved: %(students)s, %(absent)s absent, %(tardy)s tardy (%(changed)s)."
    ) % {
        "students": ngettext("%(n)d student", "%(n)d students", result.students)
        % {"n": result.students},
        "absent": absent,
        "tardy": tardy,
        "changed": ngettext(
            "%(n)d mark recorded or changed", "%(n)d marks recorded or changed", changed
        )
        % {"n": changed},
    }


# --- The grade book ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_page
def gradebook(request: HttpRequest, section_id: int) -> HttpResponse:
    write = request.method == "POST"
    section = staff.open_section(request, section_id, write=write)
    resolved = staff.staff_request(request)
    book = selectors.gradebook(section, resolved.today, resolved.now)
    form = GridForm(book, request.POST if write else None)
    if write and form.is_valid() and _scores_saved(request, resolved, section, form):
        focus = request.POST.get("focus", "")
        anchor = f"#{focus}" if focus.startswith("c-") and len(focus) < 40 else ""
        return redirect(page_url("gradebook", section.pk) + anchor)
    staff.record_reads(
        request, [(row.student.pk, GRADES) for row in book.rows], section=section, page="gradebook"
    )
    return render(
        request,
        "classroom/gradebook.html",
        page_context(
            request,
            section=section,
            book=book,
            lines=form.lines(),
            error_list=form.summary(),
            release_minutes=settings.HOMEROOM_SCORE_RELEASE_MINUTES,
        ),
    )


def _scores_saved(
    request: HttpRequest,
    resolved: staff.StaffRequest,
    section: Section,
    form: GridForm | AssignmentScoresForm,
) -> bool:
    """Save a score form's entries in one transaction (the grid and the assignment sheet
    alike): True with a message saying what was saved, or False with the service's reason
    on the form, nothing saved."""
    try:
        result = gradebook_services.scores_record(
            actor=resolved.actor,
            recorded_by=request.user,  # type: ignore[arg-type]
            section=section,
            entries=form.entries,
        )
    except ValidationError as error:
        form.problem = " ".join(error.messages)
        return False
    messages.success(request, _saved_scores(result))
    return True


def _saved_scores(result: gradebook_services.ScoresResult) -> str:
    saved = result.created + result.changed
    if not saved or result.release_at is None:
        return _("Nothing to save: no score was changed.")
    return ngettext(
        "Saved %(count)d score. Families see it from %(time)s.",
        "Saved %(count)d scores. Families see them from %(time)s.",
        saved,
    ) % {"count": saved, "time": shown_time(result.release_at)}


@require_http_methods(["GET", "POST"])
@staff_page
def setup(request: HttpRequest, section_id: int) -> HttpResponse:
    """How the section is graded: the method and scale, and the categories with weights."""
    write = request.method == "POST"
    section = staff.open_section(request, section_id, write=write)
    forms = SetupForms(
        GradebookSetup.objects.filter(section=section).first(),
        list(Category.objects.filter(section=section).order_by("name")),
        request.POST if write else None,
    )
    if write and forms.bound is None:
        messages.error(request, _("Nothing was saved: use one of the Save buttons."))
        return redirect(page_url("setup", section.pk))
    if write and forms.bound is not None and forms.bound.is_valid():
        try:
            _setup_save(request, section, forms)
        except ValidationError as error:
            errors_to_form(forms.bound, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(page_url("setup", section.pk))
    return render(
        request, "classroom/setup.html", page_context(request, section=section, forms=forms)
    )


def _setup_save(request: HttpRequest, section: Section, forms: SetupForms) -> None:
    resolved = staff.staff_request(request)
    data = forms.bound.cleaned_data  # type: ignore[union-attr]
    if forms.bound is forms.setup:
        gradebook_services.gradebook_setup_save(
            actor=resolved.actor,
            changed_by=request.user,  # type: ignore[arg-type]
            section=section,
            method=data["method"],
            scale=data["scale"],
        )
        return
    gradebook_services.category_save(
        actor=resolved.actor,
        changed_by=request.user,  # type: ignore[arg-type]
        section=section,
        category=forms.category_of(forms.bound),
        name=data["name"],
        weight=data["weight"],
        drop_lowest=data["drop_lowest"],
    )


def _open_assignment(
    request: HttpRequest, section_id: int, assignment_id: int, *, write: bool
) -> tuple[Section, Assignment]:
    section = staff.open_section(request, section_id, write=write)
    assignment = (
        Assignment.objects.filter(section=section, pk=assignment_id)
        .select_related("category", "section")
        .first()
    )
    if assignment is None:
        staff.refuse(
            request, object_type="gradebook.assignment", object_id=assignment_id, write=write
        )
    return section, assignment


@require_http_methods(["GET", "POST"])
@staff_page
def assignment_new(request: HttpRequest, section_id: int) -> HttpResponse:
    return _assignment_form(request, section_id, None)


@require_http_methods(["GET", "POST"])
@staff_page
def assignment_edit(request: HttpRequest, section_id: int, assignment_id: int) -> HttpResponse:
    return _assignment_form(request, section_id, assignment_id)


def _assignment_form(
    request: HttpRequest, section_id: int, assignment_id: int | None
) -> HttpResponse:
    write = request.method == "POST"
    if assignment_id is None:
        section = staff.open_section(request, section_id, write=write)
        assignment = None
    else:
        section, assignment = _open_assignment(request, section_id, assignment_id, write=write)
    resolved = staff.staff_request(request)
    categories = Category.objects.filter(section=section).order_by("name")
    form = AssignmentForm(
        request.POST if write else None,
        categories=categories,
        initial=AssignmentForm.initial_for(assignment, resolved.today),
    )
    if write and form.is_valid():
        try:
            saved = gradebook_services.assignment_save(
                actor=resolved.actor,
                changed_by=request.user,  # type: ignore[arg-type]
                section=section,
                assignment=assignment,
                **form.cleaned_data,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("Assignment “%(title)s” saved.") % {"title": saved.title})
            return redirect(page_url("assignment", section.pk, saved.pk))
    return render(
        request,
        "classroom/assignment_form.html",
        page_context(
            request,
            section=section,
            assignment=assignment,
            form=form,
            has_categories=categories.exists(),
        ),
    )


@require_http_methods(["GET", "POST"])
@staff_page
def assignment(request: HttpRequest, section_id: int, assignment_id: int) -> HttpResponse:
    """One assignment's scores with flags and comments, and "mark missing"."""
    write = request.method == "POST"
    section, assignment = _open_assignment(request, section_id, assignment_id, write=write)
    resolved = staff.staff_request(request)
    rows = selectors.assignment_sheet(assignment, resolved.today, resolved.now)
    form = AssignmentScoresForm(assignment, rows, request.POST if write else None)
    if write and form.is_valid() and _scores_saved(request, resolved, section, form):
        return redirect(page_url("assignment", section.pk, assignment.pk))
    staff.record_reads(
        request, [(row.student.pk, GRADES) for row in rows], section=section, page="assignment"
    )
    return render(
        request,
        "classroom/assignment.html",
        page_context(
            request,
            section=section,
            assignment=assignment,
            lines=form.lines(),
            form=form,
            unscored=selectors.unscored_count(rows, assignment),
            past_due=assignment.due_on < resolved.today,
        ),
    )


@require_POST
@staff_page
def mark_missing(request: HttpRequest, section_id: int, assignment_id: int) -> HttpResponse:
    section, assignment = _open_assignment(request, section_id, assignment_id, write=True)
    resolved = staff.staff_request(request)
    try:
        count = gradebook_services.scores_mark_missing(
            actor=resolved.actor,
            recorded_by=request.user,  # type: ignore[arg-type]
            assignment=assignment,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "Marked %(count)d student missing.", "Marked %(count)d students missing.", count
            )
            % {"count": count},
        )
    return redirect(page_url("assignment", section.pk, assignment.pk))


# --- The change history -----------------------------------------------------------------------


@require_GET
@staff_page
def history(request: HttpRequest, section_id: int) -> HttpResponse:
    section = staff.open_section(request, section_id)
    resolved = staff.staff_request(request)
    students = selectors.roster_students(section, resolved.today)
    raw = request.GET.get("student", "")
    chosen = next((s for s in students if str(s.pk) == raw), None)
    entries = selectors.section_history(section, student_id=chosen.pk if chosen else None)
    staff.record_reads(
        request,
        [(e.event.student_id, e.event.module) for e in entries if e.event.student_id],
        section=section,
        page="history",
    )
    return render(
        request,
        "classroom/history.html",
        page_context(
            request,
            section=section,
            entries=entries,
            students=students,
            chosen=chosen,
            limit=selectors.HISTORY_LIMIT,
        ),
    )
