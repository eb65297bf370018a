"""Alerts: what a family should hear, found in the record once it has settled.

- An absence or tardy: the day's mark (the office's, else the one worked out from the
  periods) once it has stood unchanged for the office's correction window
  (HOMEROOM_ATTENDANCE_ALERT_MINUTES), so a slip corrected at once never reaches a parent.
- Scores: when they reach families (the release delay, docs/grading.md), once per release
  window and per child, however many scores: never a message per score. A score entered and
  corrected within its delay is released once, so it is told once.
- Missing work, when a score marked missing is released.
- A course grade falling below the family's threshold, once, when it falls.

Each change enqueues the look in its own transaction (`changes_followed`, lib.followers);
the look runs later in a worker and asks the access policy who may hear, at that moment.
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from homeroom.access import policy
from homeroom.attendance.models import Category, DailyMark, MarkSource, PeriodMark
from homeroom.audit.models import Action
from homeroom.gradebook.models import Score
from homeroom.gradebook.selectors import course_grades, current_rosters
from homeroom.lib import clock
from homeroom.notify import delivery
from homeroom.notify.models import (
    DEFAULT_TIMING,
    KIND_MODULE,
    Alert,
    GradeWatch,
    Kind,
    Preference,
    Timing,
)
from homeroom.sis.models import Student

# One alert a day for each: an absence, a tardy.
_GROUPS = {
    "absent": frozenset({Category.EXCUSED, Category.UNEXCUSED}),
    "tardy": frozenset({Category.TARDY}),
}


def correction_window() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.HOMEROOM_ATTENDANCE_ALERT_MINUTES)


def release_window() -> datetime.timedelta:
    # A delay of 0 still batches a minute's scores together.
    return datetime.timedelta(minutes=max(1, settings.HOMEROOM_SCORE_RELEASE_MINUTES))


def slot_end(moment: datetime.datetime) -> datetime.datetime:
    """The end of the release window a moment falls in: windows are fixed, so every score
    released in one is told in one message."""
    width = release_window().total_seconds()
    end = math.ceil(moment.timestamp() / width) * width
    return datetime.datetime.fromtimestamp(end, tz=datetime.UTC)


# --- Following the record's changes ---------------------------------------------------------


def changes_followed(rows: Sequence[Any]) -> None:
    """Enqueue a look at each changed day mark after its correction window, and at each
    changed score at the end of its release window: in the change's own transaction."""
    from homeroom.notify import tasks

    days: dict[str, set[int]] = defaultdict(set)
    windows: dict[datetime.datetime, set[int]] = defaultdict(set)
    for row in rows:
        if row.action != Action.CHANGE or row.student_id is None:
            continue
        if row.object_type.startswith("attendance.") and "date" in row.detail:
            days[row.detail["date"]].add(row.student_id)
        elif row.object_type == "gradebook.score" and "release_at" in row.detail:
            release = datetime.datetime.fromisoformat(row.detail["release_at"])
            windows[slot_end(release)].add(row.student_id)
    if not days and not windows:
        return
    look_at = clock.now() + correction_window()
    for day, students in sorted(days.items()):
        tasks.alerts_attendance.using(run_after=look_at).enqueue(sorted(students), day)
    for end, students in sorted(windows.items()):
        tasks.alerts_scores.using(run_after=end).enqueue(sorted(students), end.isoformat())


# --- Attendance -------------------------------------------------------------------------------


def attendance_alerts_find(*, student_ids: Iterable[int], day: datetime.date) -> int:
    """Alert the families of students with an absence or a tardy on `day` that has stood for
    the correction window: at most one alert a day for absence and one for tardiness (the
    portal shows the rest). The office's mark for the day, when there is one, decides.
    Returns how many alerts were made."""
    now = clock.now()
    if day < clock.today() - datetime.timedelta(days=1):
        # A correction of an old day is the office's business, not news for the family.
        return 0
    ids = list(student_ids)
    daily: dict[int, list[DailyMark]] = defaultdict(list)
    for mark in DailyMark.objects.filter(student_id__in=ids, date=day).select_related("code"):
        daily[mark.student_id].append(mark)
    periods: dict[int, list[PeriodMark]] = defaultdict(list)
    for period_mark in (
        PeriodMark.objects.filter(student_id__in=ids, date=day)
        .select_related("code", "period", "section__course")
        .order_by("period__sequence", "pk")
    ):
        periods[period_mark.student_id].append(period_mark)
    settled = now - correction_window()
    found = []
    for student_id in ids:
        office = [m for m in daily[student_id] if m.source == MarkSource.OFFICE]
        marks: Sequence[DailyMark | PeriodMark]
        if office:
            if office[0].recorded_at > settled:
                continue  # The office changed it just now: the look its change enqueued decides.
            marks = office
        else:
            derived = [m for m in daily[student_id] if m.source == MarkSource.DERIVED]
            marks = [*derived, *periods[student_id]]
        for group, categories in _GROUPS.items():
            told = next(
                (m for m in marks if m.code.category in categories and m.recorded_at <= settled),
                None,
            )
            if told is None:
                continue
            course = told.section.course.title if isinstance(told, PeriodMark) else ""
            facts = {
                "date": day.isoformat(),
                "code": told.code.code,
                "description": told.code.description,
                "description_es": told.code.description_es,
                "course": course,
            }
            found.append((student_id, facts, f"{day.isoformat()}:{group}"))
    return _alerts_make(Kind.ATTENDANCE, found, now)


# --- Scores -----------------------------------------------------------------------------------


def score_alerts_find(*, student_ids: Iterable[int], window_end: datetime.datetime) -> int:
    """Tell families of the scores released in one release window: one "new scores" alert
    per child, one per score released missing, and a course grade that fell below the
    threshold. Returns how many alerts were made."""
    now = clock.now()
    start = window_end - release_window()
    scores = list(
        Score.objects.filter(
            student_id__in=list(student_ids),
            release_at__gt=start,
            release_at__lte=min(window_end, now),
            assignment__visible_at__lte=now,
        )
        .select_related("assignment__section__course")
        .order_by("student_id", "assignment__section__course__title", "assignment__due_on")
    )
    if not scores:
        return 0
    released: dict[int, list[Score]] = defaultdict(list)
    for score in scores:
        released[score.student_id].append(score)
    made = 0
    news = []
    missing = []
    for student_id, found in released.items():
        courses = sorted({s.assignment.section.course.title for s in found})
        news.append((student_id, {"count": len(found), "courses": courses}, window_end.isoformat()))
        for score in found:
            if score.missing:
                facts = {
                    "assignment": score.assignment.title,
                    "course": score.assignment.section.course.title,
                    "due": score.assignment.due_on.isoformat(),
                }
                missing.append((student_id, facts, str(score.pk)))
    made += _alerts_make(Kind.SCORES, news, now)
    made += _alerts_make(Kind.MISSING, missing, now)
    made += _low_grades(released, now)
    return made


def _low_grades(released: dict[int, list[Score]], now: datetime.datetime) -> int:
    """A course grade that fell below a guardian's threshold with these scores."""
    sections = {
        (s.student_id, s.assignment.section_id) for group in released.values() for s in group
    }
    rosters = [
        r
        for r in current_rosters(released, clock.today(), teachers=False)
        if (r.student_id, r.section_id) in sections
    ]
    grades = course_grades(rosters, now)
    watched = {
        (w.student_id, w.section_id): w
        for w in GradeWatch.objects.filter(student_id__in=list(released))
    }
    falls = []
    for student_id, course_list in grades.items():
        for course in course_list:
            percent = course.result.percent
            watch = watched.get((student_id, course.section.pk))
            before = watch.percent if watch is not None else None
            if watch is None:
                GradeWatch.objects.create(
                    student_id=student_id, section=course.section, percent=percent, seen_at=now
                )
            elif before != percent:
                watch.percent, watch.seen_at = percent, now
                watch.save(update_fields=["percent", "seen_at"])
            if percent is not None:
                falls.append((student_id, course.section.course.title, before, percent))
    found = [
        (
            student_id,
            {
                "course": title,
                "percent": str(percent),
                "before": None if before is None else str(before),
            },
            f"{title}:{now.isoformat(timespec='minutes')}",
        )
        for student_id, title, before, percent in falls
    ]
    return _alerts_make(Kind.LOW_GRADE, found, now)


def _fell_below(facts: dict[str, Any], threshold: int) -> bool:
    percent = Decimal(facts["percent"])
    before = facts.get("before")
    return percent < threshold and (before is None or Decimal(before) >= threshold)


# --- Making alerts ---------------------------------------------------------------------------


def _preferences(pairs: Iterable[tuple[int, int]], kind: str) -> dict[tuple[int, int], Preference]:
    pairs = list(pairs)
    guardians = {g for g, _s in pairs}
    students = {s for _g, s in pairs}
    return {
        (p.guardian_id, p.student_id): p
        for p in Preference.objects.filter(
            guardian_id__in=guardians, student_id__in=students, kind=kind
        )
    }


def _alerts_make(
    kind: Kind, found: list[tuple[int, dict[str, Any], str]], now: datetime.datetime
) -> int:
    """One alert per guardian the policy lets hear of each finding, by their choice: sent
    at once (after their quiet hours), kept for their digest, or not made at all."""
    if not found:
        return 0
    audience = policy.family_audience(
        {student_id for student_id, _f, _k in found},
        clock.today(),
        policy.switches_now(),
        KIND_MODULE[kind],
    )
    members: dict[int, list[policy.FamilyMember]] = defaultdict(list)
    for member in audience:
        members[member.student_id].append(member)
    chosen = _preferences(((m.guardian_id, m.student_id) for m in audience), kind)
    alerts = []
    for student_id, facts, event in found:
        for member in members.get(student_id, []):
            preference = chosen.get((member.guardian_id, student_id))
            timing = preference.timing if preference else DEFAULT_TIMING[kind]
            if timing == Timing.NEVER:
                continue
            own = dict(facts)
            if kind == Kind.LOW_GRADE:
                threshold = (
                    preference.threshold
                    if preference and preference.threshold
                    else settings.HOMEROOM_LOW_GRADE_PERCENT
                )
                if not _fell_below(facts, threshold):
                    continue
                own["threshold"] = threshold
            alerts.append(
                Alert(
                    guardian_id=member.guardian_id,
                    student_id=student_id,
                    kind=kind,
                    timing=timing,
                    facts=own,
                    key=f"{kind}:{student_id}:{event}:{member.guardian_id}",
                    found_at=now,
                )
            )
    return _alerts_store(alerts, now)


def _alerts_store(alerts: list[Alert], now: datetime.datetime) -> int:
    """Store the alerts not made before (a look may run twice), and send the at-once ones.
    A look running at the same time as another loses the race on the unique key and stores
    what is left on its second try."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                known = set(
                    Alert.objects.filter(key__in=[a.key for a in alerts]).values_list(
                        "key", flat=True
                    )
                )
                fresh = [a for a in alerts if a.key not in known]
                Alert.objects.bulk_create(fresh)
                stored = list(
                    Alert.objects.filter(key__in=[a.key for a in fresh], timing=Timing.AT_ONCE)
                )
                delivery.alerts_queue(stored, now)
                return len(fresh)
        except IntegrityError:
            continue
    return 0


# --- Digests ----------------------------------------------------------------------------------


def digests_make(now: datetime.datetime | None = None) -> int:
    """Gather each guardian's waiting alerts into their daily digest (and, on Fridays, their
    weekly one). Returns how many digests were queued."""
    now = now or clock.now()
    today = timezone.localdate(now)
    timings = [Timing.DAILY] + ([Timing.WEEKLY] if today.weekday() == 4 else [])
    return delivery.digests_queue(timings, today, now)


def students_named(student_ids: Iterable[int]) -> dict[int, str]:
    return {s.pk: s.display_name for s in Student.objects.filter(pk__in=list(student_ids))}
