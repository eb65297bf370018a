"""Writes of attendance: a teacher's period marks, the daily marks derived from them, and the
office's daily marks.

Every write takes the acting user and an audit `Actor`, runs in one transaction and writes
its audit events (Action.CHANGE, `changes={field: [old, new]}`) in that transaction. Nothing
here deletes a mark: a correction changes the row and the audit log keeps what it was.

Saving a class's attendance costs the same number of queries for 5 students as for 35:
rows are read in one query per kind and written with bulk_create / bulk_update, and the
audit events go in one INSERT.

How a day's attendance follows from the periods (docs/classroom.md, "Daily attendance"):

- absent for the day when absent in MORE than HOMEROOM_DAILY_ABSENT_PERCENT % of the
  periods the student has that day (periods not taken yet count as present), with the
  absence code used for most of those periods (on a tie, the one first in the district's
  list of codes);
- otherwise tardy for the day when marked tardy in any period (the earliest such mark's
  code), else leaving early when marked so in any period;
- otherwise present: no daily row is needed, since attendance is recorded by exception, but
  a derived row that exists already is set to the default present code, never deleted.

An office mark (source "office", with a reason) overrides the derived one for the day; the
derived one is kept and still follows the period marks.
"""

import dataclasses
import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homeroom.accounts.models import User
from homeroom.attendance.models import (
    ABSENT_CATEGORIES,
    AttendanceCode,
    Category,
    DailyMark,
    MarkSource,
    PeriodMark,
)
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, events_record
from homeroom.lib import clock
from homeroom.sis.models import (
    CalendarDay,
    Enrollment,
    Period,
    Roster,
    School,
    Section,
    SectionMeeting,
    Student,
)

MODULE = "attendance"
COMMENT_LIMIT = 500


@dataclasses.dataclass(frozen=True)
class MarkEntry:
    """What the teacher chose for one student: a code and an optional comment."""

    code_id: int
    comment: str = ""


@dataclasses.dataclass(frozen=True)
class TakeResult:
    students: int
    created: int
    changed: int
    daily_changed: int


# --- Taking attendance ------------------------------------------------------------------------


def rostered_on(section: Section, day: datetime.date) -> QuerySet[Roster]:
    """Roster rows of a section that hold on a day."""
    return Roster.objects.holding(day).filter(section=section)


def meeting_check(*, section: Section, day: datetime.date, period: Period) -> None:
    """Raise ValidationError unless the class meets in this period on this school day."""
    if not section.start_date <= day <= section.end_date:
        raise ValidationError(
            _("%(course)s does not run on %(day)s.") % {"course": section, "day": day}
        )
    if (
        period.school_id != section.school_id
        or not SectionMeeting.objects.filter(
            section=section, period=period, weekday=day.weekday()
        ).exists()
    ):
        raise ValidationError(
            _("%(course)s does not meet in %(period)s on that day.")
            % {"course": section, "period": period}
        )
    if not CalendarDay.objects.filter(
        school_id=section.school_id, date=day, in_session=True
    ).exists():
        raise ValidationError(_("%(day)s is not a school day.") % {"day": day})


@transaction.atomic
def attendance_take(
    *,
    actor: Actor,
    recorded_by: User,
    section: Section,
    day: datetime.date,
    period: Period,
    entries: Mapping[int, MarkEntry],
) -> TakeResult:
    """Record a class's attendance for one period of one day, or correct it.

    Every student on the roster that day gets a period mark, present ones too: the marks'
    existence is how "attendance taken" is known. A student left out of `entries` is marked
    with the default present code. Then each student's derived daily mark is brought in line
    with the district's rule. Raises ValidationError, writing nothing, on a day in the
    future, a period the class does not meet in, an unknown code or a student not on the
    roster.
    """
    if day > clock.today():
        raise ValidationError(_("Attendance cannot be taken for a day that has not come yet."))
    meeting_check(section=section, day=day, period=period)
    codes = {code.pk: code for code in AttendanceCode.objects.filter(active=True)}
    present = _default_present(codes.values())
    roster = set(rostered_on(section, day).values_list("student_id", flat=True))
    strangers = set(entries) - roster
    if strangers:
        raise ValidationError(
            ngettext(
                "%(count)d of the students sent is not on this class's roster on that day.",
                "%(count)d of the students sent are not on this class's roster on that day.",
                len(strangers),
            )
            % {"count": len(strangers)}
        )
    for entry in entries.values():
        if entry.code_id not in codes:
            raise ValidationError(_("Choose one of the attendance codes in use."))
        if len(entry.comment) > COMMENT_LIMIT:
            raise ValidationError(
                _("A comment can be at most %(limit)d characters.") % {"limit": COMMENT_LIMIT}
            )

    now = clock.now()
    existing = {
        mark.student_id: mark
        for mark in PeriodMark.objects.filter(section=section, date=day, period=period)
    }
    context = {"section_id": section.pk, "date": day.isoformat(), "period_id": period.pk}
    new_marks: list[PeriodMark] = []
    changed_marks: list[tuple[PeriodMark, dict[str, list[Any]]]] = []
    for student_id in sorted(roster):
        entry = entries.get(student_id, MarkEntry(present.pk))
        comment = entry.comment.strip()
        mark = existing.get(student_id)
        if mark is None:
            new_marks.append(
                PeriodMark(
                    student_id=student_id,
                    section=section,
                    period=period,
                    date=day,
                    code_id=entry.code_id,
                    comment=comment,
                    recorded_by=recorded_by,
                    recorded_at=now,
                )
            )
            continue
        changes: dict[str, list[Any]] = {}
        if mark.code_id != entry.code_id:
            changes["code"] = [_code_label(codes, mark.code_id), codes[entry.code_id].code]
        if mark.comment != comment:
            changes["comment"] = [mark.comment, comment]
        if changes:
            mark.code_id, mark.comment = entry.code_id, comment
            mark.recorded_by, mark.recorded_at = recorded_by, now
            changed_marks.append((mark, changes))

    PeriodMark.objects.bulk_create(new_marks)
    if changed_marks:
        PeriodMark.objects.bulk_update(
            [mark for mark, _changes in changed_marks],
            ["code", "comment", "recorded_by", "recorded_at"],
        )
    events = [
        Event(
            action=Action.CHANGE,
            student_id=mark.student_id,
            module=MODULE,
            object=mark,
            changes={
                "code": [None, codes[mark.code_id].code],
                **({"comment": [None, mark.comment]} if mark.comment else {}),
            },
            detail=context,
        )
        for mark in new_marks
    ] + [
        Event(
            action=Action.CHANGE,
            student_id=mark.student_id,
            module=MODULE,
            object=mark,
            changes=changes,
            detail=context,
        )
        for mark, changes in changed_marks
    ]
    touched = {mark.student_id for mark in new_marks} | {m.student_id for m, _c in changed_marks}
    daily_events = _derive_daily(
        school_id=section.school_id,
        day=day,
        student_ids=touched,
        codes=codes,
        recorded_by=recorded_by,
        now=now,
        section_id=section.pk,
    )
    events_record(actor=actor, events=events + daily_events)
    return TakeResult(
        students=len(roster),
        created=len(new_marks),
        changed=len(changed_marks),
        daily_changed=len(daily_events),
    )


def _default_present(codes: Iterable[AttendanceCode]) -> AttendanceCode:
    for code in codes:
        if code.is_default_present:
            return code
    raise ValidationError(
        _("The district has no default present code: ask the district office to set one.")
    )


def _code_label(codes: Mapping[int, AttendanceCode], code_id: int | None) -> str | None:
    if code_id is None:
        return None
    code = codes.get(code_id)
    # A code since retired is still named by its id, never lost.
    return code.code if code is not None else str(code_id)


# --- Daily attendance derived from the periods ------------------------------------------------


def daily_code_for(
    marks: list[PeriodMark],
    scheduled_periods: int,
    codes: Mapping[int, AttendanceCode],
    absent_percent: int,
) -> AttendanceCode | None:
    """The day's code by the district's rule, or None for present (see the module's text).

    `marks` are the student's period marks of the day; `scheduled_periods` how many periods
    the student has that day, counting any marked period outside the timetable too.
    """
    total = max(scheduled_periods, len(marks))
    absent = [m for m in marks if codes[m.code_id].category in ABSENT_CATEGORIES]
    if total and len(absent) * 100 > absent_percent * total:
        tally = Counter(m.code_id for m in absent)
        return min(
            (codes[code_id] for code_id in tally),
            key=lambda code: (-tally[code.pk], code.sort_order, code.code),
        )
    in_order = sorted(marks, key=lambda m: (m.period.sequence, m.section_id))
    for category in (Category.TARDY, Category.EARLY_DISMISSAL):
        for mark in in_order:
            if codes[mark.code_id].category == category:
                return codes[mark.code_id]
    return None


def _derive_daily(
    *,
    school_id: int,
    day: datetime.date,
    student_ids: set[int],
    codes: dict[int, AttendanceCode],
    recorded_by: User,
    now: datetime.datetime,
    section_id: int,
) -> list[Event]:
    """Bring each student's derived daily mark in line with their period marks: three reads
    and at most two writes, whatever the number of students. Returns the audit events."""
    if not student_ids:
        return []
    marks: dict[int, list[PeriodMark]] = defaultdict(list)
    for mark in PeriodMark.objects.filter(student_id__in=student_ids, date=day).select_related(
        "period"
    ):
        marks[mark.student_id].append(mark)
    missing_codes = {m.code_id for group in marks.values() for m in group} - set(codes)
    if missing_codes:
        # A mark made with a code retired since still counts by its category.
        codes = {**codes, **AttendanceCode.objects.in_bulk(missing_codes)}
    scheduled: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for student_id, section, period in (
        Roster.objects.current(day)
        .filter(student_id__in=student_ids, section__meetings__weekday=day.weekday())
        .values_list("student_id", "section_id", "section__meetings__period_id")
    ):
        scheduled[student_id].add((section, period))
    derived = {
        mark.student_id: mark
        for mark in DailyMark.objects.filter(
            student_id__in=student_ids, date=day, source=MarkSource.DERIVED
        )
    }
    present = _default_present(codes.values())
    percent = settings.HOMEROOM_DAILY_ABSENT_PERCENT
    context = {
        "date": day.isoformat(),
        "source": MarkSource.DERIVED.value,
        "section_id": section_id,
    }
    to_create: list[DailyMark] = []
    to_update: list[tuple[DailyMark, dict[str, list[Any]]]] = []
    for student_id in sorted(student_ids):
        day_marks = marks.get(student_id, [])
        periods = scheduled[student_id] | {(m.section_id, m.period_id) for m in day_marks}
        code = daily_code_for(day_marks, len(periods), codes, percent)
        row = derived.get(student_id)
        if row is None:
            if code is not None:
                to_create.append(
                    DailyMark(
                        student_id=student_id,
                        school_id=school_id,
                        date=day,
                        code=code,
                        source=MarkSource.DERIVED,
                        recorded_by=recorded_by,
                        recorded_at=now,
                    )
                )
            continue
        wanted = code or present
        if row.code_id != wanted.pk:
            changes = {"code": [_code_label(codes, row.code_id), wanted.code]}
            row.code = wanted
            row.recorded_by, row.recorded_at = recorded_by, now
            to_update.append((row, changes))
    DailyMark.objects.bulk_create(to_create)
    if to_update:
        DailyMark.objects.bulk_update(
            [row for row, _changes in to_update], ["code", "recorded_by", "recorded_at"]
        )
    return [
        Event(
            action=Action.CHANGE,
            student_id=row.student_id,
            module=MODULE,
            object=row,
            changes={"code": [None, row.code.code]},
            detail=context,
        )
        for row in to_create
    ] + [
        Event(
            action=Action.CHANGE,
            student_id=row.student_id,
            module=MODULE,
            object=row,
            changes=changes,
            detail=context,
        )
        for row, changes in to_update
    ]


# --- The office -------------------------------------------------------------------------------


@transaction.atomic
def daily_mark_record(
    *,
    actor: Actor,
    recorded_by: User,
    student: Student,
    school: School,
    day: datetime.date,
    code: AttendanceCode,
    reason: str,
    comment: str = "",
) -> DailyMark:
    """Record or correct the office's mark for a student's day, with the reason (a parent's
    call excusing an absence, say). It overrides the derived mark, which is kept.

    Raises ValidationError, writing nothing, without a reason, with a code not in use, or
    for a day that is not a school day of a school the student is enrolled in.
    """
    reason = reason.strip()
    comment = comment.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the office records this mark, e.g. “Parent called: illness”.")}
        )
    if len(reason) > COMMENT_LIMIT or len(comment) > COMMENT_LIMIT:
        raise ValidationError(
            _("The reason and the comment can each be at most %(limit)d characters.")
            % {"limit": COMMENT_LIMIT}
        )
    if not code.active:
        raise ValidationError({"code": _("Choose one of the attendance codes in use.")})
    if not CalendarDay.objects.filter(school=school, date=day, in_session=True).exists():
        raise ValidationError({"day": _("%(day)s is not a school day.") % {"day": day}})
    enrolled = Enrollment.objects.current(day).filter(student=student, school=school).exists()
    if not enrolled:
        raise ValidationError(
            {"day": _("The student was not enrolled in this school on %(day)s.") % {"day": day}}
        )
    mark = (
        DailyMark.objects.select_for_update()
        .select_related("code")
        .filter(student=student, date=day, source=MarkSource.OFFICE)
        .first()
    )
    changes: dict[str, list[Any]] = {}
    if mark is None:
        mark = DailyMark.objects.create(
            student=student,
            school=school,
            date=day,
            code=code,
            source=MarkSource.OFFICE,
            reason=reason,
            comment=comment,
            recorded_by=recorded_by,
            recorded_at=clock.now(),
        )
        changes = {"code": [None, code.code], "reason": [None, reason]}
        if comment:
            changes["comment"] = [None, comment]
    else:
        if mark.code_id != code.pk:
            changes["code"] = [mark.code.code, code.code]
        if mark.reason != reason:
            changes["reason"] = [mark.reason, reason]
        if mark.comment != comment:
            changes["comment"] = [mark.comment, comment]
        if not changes:
            return mark
        mark.code, mark.reason, mark.comment = code, reason, comment
        mark.recorded_by, mark.recorded_at = recorded_by, clock.now()
        mark.save(update_fields=["code", "reason", "comment", "recorded_by", "recorded_at"])
    events_record(
        actor=actor,
        events=[
            Event(
                action=Action.CHANGE,
                student_id=student.pk,
                module=MODULE,
                object=mark,
                changes=changes,
                detail={
                    "date": day.isoformat(),
                    "source": MarkSource.OFFICE.value,
                    "school_id": school.pk,
                },
            )
        ],
    )
    return mark
