"""What the classroom tests share: the demo's school days and a teacher's ids."""

import datetime

from django.db.models import Q

from homeroom.gradebook.models import Assignment
from homeroom.lib import clock
from homeroom.sis.models import CalendarDay, Roster, Section, SectionMeeting, Staff
from tests import personas


def school_day(section: Section) -> datetime.date:
    """The latest school day, today or before, on which a section meets."""
    weekdays = set(SectionMeeting.objects.filter(section=section).values_list("weekday", flat=True))
    days = CalendarDay.objects.filter(
        school_id=section.school_id, in_session=True, date__lte=clock.today()
    ).order_by("-date")
    for day in days.values_list("date", flat=True)[:20]:
        if day.weekday() in weekdays:
            return day
    raise AssertionError(f"{section} has no school day to take attendance on")


def sections_of(username: str) -> list[Section]:
    today = clock.today()
    staff = Staff.objects.get(user=personas.user(username))
    return list(
        Section.objects.filter(
            section_teachers__staff=staff, start_date__lte=today, end_date__gte=today
        ).order_by("pk")
    )


def ids_of(username: str) -> dict[str, list[int]]:
    """The ids a teacher's own pages take: sections, their assignments, their students."""
    today = clock.today()
    sections = sections_of(username)
    return {
        "section_id": [s.pk for s in sections],
        "assignment_id": list(
            Assignment.objects.filter(section__in=sections)
            .order_by("-due_on", "pk")
            .values_list("pk", flat=True)[:3]
        ),
        "student_id": sorted(
            set(
                Roster.objects.filter(section__in=sections, start_date__lte=today)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
                .values_list("student_id", flat=True)
            )
        ),
    }
