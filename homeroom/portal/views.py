"""The parent and student portal: read-only pages, each reaching students only through the
door (`homeroom.access.door`). Guardians change no education record here (R70)."""

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from homeroom.access import door
from homeroom.access.models import Module
from homeroom.attendance.selectors import codes_in_use
from homeroom.audit.disclosures import disclosures_for_family
from homeroom.portal import selectors
from homeroom.portal.gate import portal_page
from homeroom.sis.models import StaffRole


def _context(request: HttpRequest, **extra):  # type: ignore[no-untyped-def]
    resolved = door.portal_request(request)
    return {"portal": resolved, "children": resolved.students, **extra}


@require_GET
@portal_page
def home(request: HttpRequest) -> HttpResponse:
    resolved = door.portal_request(request)
    cards = selectors.home_cards(resolved)
    door.record_reads(
        resolved,
        [
            (card.access, module)
            for card in cards
            for module in (Module.ATTENDANCE, Module.GRADES)
            if module in card.access.modules
        ],
    )
    return render(request, "portal/home.html", _context(request, cards=cards))


def _parse_month(raw: str | None) -> tuple[datetime.date | None, str]:
    if not raw:
        return None, ""
    try:
        return datetime.datetime.strptime(raw, "%Y-%m").date(), ""
    except ValueError:
        return None, _("“%(value)s” is not a month in the form YYYY-MM; showing this month.") % {
            "value": raw[:20]
        }


@require_GET
@portal_page
def attendance(request: HttpRequest, student_id: int) -> HttpResponse:
    access = door.open_module(request, student_id, Module.ATTENDANCE)
    month, problem = _parse_month(request.GET.get("month"))
    page = selectors.attendance_page(access, door.portal_request(request).today, month)
    if month is not None and page.month != month:
        problem = _("That month is outside this school year; showing this month.")
    return render(
        request,
        "portal/attendance.html",
        _context(request, child=access, page=page, problem=problem, module="attendance"),
    )


@require_GET
@portal_page
def schedule(request: HttpRequest, student_id: int) -> HttpResponse:
    access = door.open_module(request, student_id, Module.SCHEDULE)
    raw = request.GET.get("term", "")
    term_id = int(raw) if raw.isdigit() else None
    page = selectors.schedule_page(access, door.portal_request(request).today, term_id)
    problem = ""
    if raw and (term_id is None or page.term is None or page.term.pk != term_id):
        problem = _("That term is not part of this school year; showing the current term.")
    return render(
        request,
        "portal/schedule.html",
        _context(request, child=access, page=page, problem=problem, module="schedule"),
    )


@require_GET
@portal_page
def grades(request: HttpRequest, student_id: int) -> HttpResponse:
    access = door.open_module(request, student_id, Module.GRADES)
    resolved = door.portal_request(request)
    courses = selectors.grades_page(access, resolved.today, resolved.now)
    return render(
        request,
        "portal/grades.html",
        _context(request, child=access, courses=courses, module="grades"),
    )


@require_GET
@portal_page
def course(request: HttpRequest, student_id: int, section_id: int) -> HttpResponse:
    access = door.open_module(request, student_id, Module.GRADES)
    resolved = door.portal_request(request)
    grade = selectors.course_page(access, resolved.today, resolved.now, section_id)
    if grade is None:
        door.refuse(request, student_id, Module.GRADES)
    return render(
        request,
        "portal/course.html",
        _context(request, child=access, course=grade, module="grades"),
    )


@require_GET
@portal_page
def disclosures(request: HttpRequest, student_id: int) -> HttpResponse:
    access = door.open_disclosures(request, student_id)
    return render(
        request,
        "portal/disclosures.html",
        _context(
            request,
            child=access,
            module="disclosures",
            records=disclosures_for_family(access.student.pk),
        ),
    )


@require_GET
@portal_page
def legend(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/legend.html", _context(request, codes=codes_in_use()))


@require_GET
def route_home(request: HttpRequest) -> HttpResponse:
    """Send each person to their own start page."""
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import redirect

    if not request.user.is_authenticated:
        return redirect_to_login("/")
    viewer = door.portal_request(request).viewer
    if viewer.kind == "staff":
        # Teachers and school staff work in the classroom pages; district staff in the admin.
        in_a_school = any(
            role.role in StaffRole.SCHOOL_ROLES or role.school_id is not None
            for role in viewer.roles
        )
        if request.user.is_staff and not in_a_school:
            return redirect("admin:index")
        return redirect("classroom:home")
    return redirect("portal:home")


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (R40): open to everyone, no data, no queries."""
    return render(request, "portal/accessibility.html")
