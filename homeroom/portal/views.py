"""The parent and student portal: read-only pages, each reaching students only through the
door (`homeroom.access.door`). Guardians change no education record here (R70)."""

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from homeroom.access import door
from homeroom.access.models import Module
from homeroom.access.policy import StudentAccess
from homeroom.attendance.selectors import codes_in_use
from homeroom.audit.disclosures import disclosures_for_family
from homeroom.lib import clock, freshness
from homeroom.portal import selectors
from homeroom.portal.gate import portal_page
from homeroom.sis.models import StaffRole


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    resolved = door.portal_request(request)
    return {"portal": resolved, "children": resolved.students, **extra}


def _fragment[T](
    name: str,
    params: tuple[Any, ...],
    scopes: Iterable[str],
    build: Callable[[], tuple[str, dict[str, Any], float | None, T]],
) -> tuple[SafeString, T]:
    """A page's content, rendered once and then served from the cache (lib.freshness) until
    a write to what it shows commits or the moment it changes by itself (`build` gives the
    template, its context, the seconds until then, and what else the view needs to know).

    Only the content below the heading is cached: the heading, the navigation and the
    audit events are made on every request, for the viewer making it."""

    def render_now() -> tuple[tuple[str, T], float | None]:
        template, context, seconds, extra = build()
        return (render_to_string(template, context), extra), seconds

    html, extra = freshness.remember(
        "html-" + name, (*params, translation.get_language()), scopes, render_now
    )
    # Rendered by our own template, which escaped what it shows.
    return mark_safe(html), extra


def _shown(access: StudentAccess) -> tuple[Any, ...]:
    """What a fragment shows of the student and of this viewer's access: part of its key, so
    two viewers with different access never share one."""
    student = access.student
    return (
        student.pk,
        student.display_name,
        student.first_name,
        student.grade_level,
        access.school_name,
        tuple(sorted(access.modules)),
        access.rights,
    )


@require_GET
@portal_page
def home(request: HttpRequest) -> HttpResponse:
    resolved = door.portal_request(request)
    children = resolved.students
    if not children:
        # No currently enrolled child (or none this account may see): say so and what to do,
        # rather than an empty overview (policy 1110.2; R67).
        return render(
            request,
            "portal/nothing_to_show.html",
            _context(request, contact=settings.HOMEROOM_ACCESS_CONTACT),
        )
    scopes = selectors.grade_scopes(
        [a.student.pk for a in children], selectors.grade_book_day(resolved.today)
    )

    def build() -> tuple[str, dict[str, Any], float | None, None]:
        cards = selectors.home_cards(resolved)
        next_change = min((c.next_change for c in cards if c.next_change), default=None)
        return (
            "portal/_home_content.html",
            {"cards": cards},
            freshness.seconds_until(next_change, clock.now()),
            None,
        )

    content, _none = _fragment(
        "home",
        (resolved.today, tuple(_shown(a) for a in children)),
        [scope for pk_scopes in scopes.values() for scope in pk_scopes] or [freshness.GLOBAL],
        build,
    )
    door.record_reads(
        resolved,
        [
            (access, module)
            for access in children
            for module in (Module.ATTENDANCE, Module.GRADES)
            if module in access.modules
        ],
    )
    return render(request, "portal/home.html", _context(request, content=content))


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
    today = door.portal_request(request).today
    month, problem = _parse_month(request.GET.get("month"))

    def build() -> tuple[str, dict[str, Any], float | None, datetime.date]:
        page = selectors.attendance_page(access, today, month)
        return "portal/_attendance_content.html", {"child": access, "page": page}, None, page.month

    content, shown = _fragment(
        "attendance",
        (_shown(access), today, month),
        [freshness.GLOBAL, freshness.student(access.student.pk)],
        build,
    )
    if month is not None and shown != month:
        problem = _("That month is outside this school year; showing this month.")
    return render(
        request,
        "portal/attendance.html",
        _context(request, child=access, content=content, problem=problem, module="attendance"),
    )


@require_GET
@portal_page
def schedule(request: HttpRequest, student_id: int) -> HttpResponse:
    access = door.open_module(request, student_id, Module.SCHEDULE)
    today = door.portal_request(request).today
    raw = request.GET.get("term", "")
    term_id = int(raw) if raw.isdigit() else None

    def build() -> tuple[str, dict[str, Any], float | None, int | None]:
        page = selectors.schedule_page(access, today, term_id)
        context = {"child": access, "page": page}
        return "portal/_schedule_content.html", context, None, page.term.pk if page.term else None

    # A timetable changes only with rosters, bell schedules and the calendar: district data.
    content, shown_term = _fragment(
        "schedule", (_shown(access), today, term_id), [freshness.GLOBAL], build
    )
    problem = ""
    if raw and (term_id is None or shown_term != term_id):
        problem = _("That term is not part of this school year; showing the current term.")
    return render(
        request,
        "portal/schedule.html",
        _context(request, child=access, content=content, problem=problem, module="schedule"),
    )


@require_GET
@portal_page
def grades(request: HttpRequest, student_id: int) -> HttpResponse:
    access = door.open_module(request, student_id, Module.GRADES)
    resolved = door.portal_request(request)
    pk = access.student.pk
    day = selectors.grade_book_day(resolved.today)

    def build() -> tuple[str, dict[str, Any], float | None, None]:
        found = selectors.grades_page(access, day, resolved.now)
        context = {"child": access, "courses": found.courses}
        seconds = freshness.seconds_until(found.next_change, clock.now())
        return "portal/_grades_content.html", context, seconds, None

    content, _none = _fragment(
        "grades",
        (_shown(access), day),
        selectors.grade_scopes([pk], day)[pk],
        build,
    )
    return render(
        request,
        "portal/grades.html",
        _context(request, child=access, content=content, module="grades"),
    )


@require_GET
@portal_page
def course(request: HttpRequest, student_id: int, section_id: int) -> HttpResponse:
    access = door.open_module(request, student_id, Module.GRADES)
    resolved = door.portal_request(request)
    pk = access.student.pk
    day = selectors.grade_book_day(resolved.today)

    def build() -> tuple[str, dict[str, Any], float | None, str | None]:
        found, next_change = selectors.course_page(access, day, resolved.now, section_id)
        seconds = freshness.seconds_until(next_change, clock.now())
        title = found.section.course.title if found is not None else None
        return "portal/_course_content.html", {"child": access, "course": found}, seconds, title

    content, title = _fragment(
        "course",
        (_shown(access), day, section_id),
        selectors.grade_scopes([pk], day)[pk],
        build,
    )
    if title is None:
        # Not one of this student's current courses (or no such section): the same 404.
        door.refuse(request, student_id, Module.GRADES)
    return render(
        request,
        "portal/course.html",
        _context(request, child=access, content=content, course_title=title, module="grades"),
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
def contacts(request: HttpRequest, student_id: int) -> HttpResponse:
    access = door.open_contacts(request, student_id)
    viewer = door.portal_request(request).viewer
    return render(
        request,
        "portal/contacts.html",
        _context(
            request,
            child=access,
            module="contacts",
            contacts=selectors.contacts(access, viewer.guardian_id),
            hidden=bool(access.hidden),
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
