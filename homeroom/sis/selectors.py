"""Reads of the roster. Callers pass students the access policy already allowed."""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch, Q

from homeroom.sis.models import (
    AcademicSession,
    BellTime,
    CalendarDay,
    Period,
    Roster,
    SectionMeeting,
    SectionTeacher,
)


def terms_of_year(year: AcademicSession) -> list[AcademicSession]:
    """The year's semesters, terms and grading periods, in date order."""
    return list(
        AcademicSession.objects.filter(Q(parent=year) | Q(parent__parent=year)).order_by(
            "start_date", "-end_date"
        )
    )


def term_holding(terms: list[AcademicSession], day: datetime.date) -> AcademicSession | None:
    """The longest term that holds the day (a semester before its quarters)."""
    holding = [t for t in terms if t.contains(day)]
    if not holding:
        return None
    return max(holding, key=lambda t: (t.end_date - t.start_date, -t.pk))


def rosters_in(
    student_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> list[Roster]:
    """Students' places in sections that run, and that they attend, within a date range.

    Sections come with course, school, teachers and meetings: four queries in all.
    """
    return list(
        Roster.objects.overlapping(start, end)
        .filter(
            student_id__in=list(student_ids),
            section__start_date__lte=end,
            section__end_date__gte=start,
        )
        .select_related("section__course", "section__school")
        .prefetch_related(
            Prefetch(
                "section__section_teachers",
                queryset=SectionTeacher.objects.select_related("staff").order_by("role", "pk"),
            ),
            Prefetch(
                "section__meetings",
                queryset=SectionMeeting.objects.select_related("period"),
            ),
        )
        .order_by("section__course__title", "section__code")
    )


def teacher_names(roster: Roster) -> list[str]:
    return [link.staff.display_name for link in roster.section.section_teachers.all()]


@dataclasses.dataclass(frozen=True)
class Slot:
    period: Period
    starts_at: datetime.time | None
    ends_at: datetime.time | None
    roster: Roster | None


@dataclasses.dataclass(frozen=True)
class WeekGrid:
    periods: list[Period]
    weekdays: list[int]
    # rows[period index][weekday] -> the roster meeting then, if any
    rows: list[tuple[Period, datetime.time | None, datetime.time | None, list[Roster | None]]]


def bell_times(school_ids: Iterable[int], day: datetime.date | None) -> dict[int, BellTime]:
    """Period id → bell time, from each school's schedule for the day (or its default)."""
    schedule_ids: dict[int, int] = {}
    if day is not None:
        for school_id, schedule_id in CalendarDay.objects.filter(
            school_id__in=list(school_ids), date=day, in_session=True
        ).values_list("school_id", "bell_schedule_id"):
            schedule_ids[school_id] = schedule_id
    times = BellTime.objects.filter(
        Q(bell_schedule_id__in=list(schedule_ids.values()))
        | Q(
            bell_schedule__school_id__in=[s for s in school_ids if s not in schedule_ids],
            bell_schedule__is_default=True,
        )
    ).select_related("period")
    return {t.period_id: t for t in times}


def week_grid(rosters: list[Roster], times: dict[int, BellTime]) -> WeekGrid:
    by_slot: dict[tuple[int, int], Roster] = {}
    periods: dict[int, Period] = {}
    for roster in rosters:
        for meeting in roster.section.meetings.all():
            by_slot[(meeting.period_id, meeting.weekday)] = roster
            periods[meeting.period_id] = meeting.period
    ordered = sorted(periods.values(), key=lambda p: (p.sequence, p.pk))
    weekdays = list(range(5))
    rows = []
    for period in ordered:
        time = times.get(period.pk)
        rows.append(
            (
                period,
                time.starts_at if time else None,
                time.ends_at if time else None,
                [by_slot.get((period.pk, weekday)) for weekday in weekdays],
            )
        )
    return WeekGrid(periods=ordered, weekdays=weekdays, rows=rows)


def day_slots(rosters: list[Roster], weekday: int, times: dict[int, BellTime]) -> list[Slot]:
    slots = []
    for roster in rosters:
        for meeting in roster.section.meetings.all():
            if meeting.weekday == weekday:
                time = times.get(meeting.period_id)
                slots.append(
                    Slot(
                        period=meeting.period,
                        starts_at=time.starts_at if time else None,
                        ends_at=time.ends_at if time else None,
                        roster=roster,
                    )
                )
    return sorted(slots, key=lambda s: (s.period.sequence, s.period.pk))


def group_by_student(rosters: list[Roster]) -> dict[int, list[Roster]]:
    grouped: dict[int, list[Roster]] = defaultdict(list)
    for roster in rosters:
        grouped[roster.student_id].append(roster)
    return grouped
