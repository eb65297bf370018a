"""What teachers and the office recorded so far this year: grade books and attendance.

These are the big tables (millions of rows for a large district), so rows are made and
written in chunks and never all held at once.
"""

import datetime
import functools
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models

from homeroom.attendance.models import DailyMark, MarkSource, PeriodMark
from homeroom.demo import catalogue
from homeroom.gradebook.models import (
    Assignment,
    Category,
    GradebookSetup,
    GradingMethod,
    Score,
)

if TYPE_CHECKING:
    from homeroom.demo.district import Pupil, _Seeder

CHUNK = 20000
BATCH_SIZE = 2000
TWO_PLACES = Decimal("0.01")


class RowWriter:
    """Writes plain tuples to one model's table, CHUNK rows at a time.

    For the big tables only (scores, attendance marks): bulk_create spends most of its time
    compiling SQL row by row, which for millions of rows is minutes. SQLite gets many rows to
    an INSERT, each value through the backend adapter bulk_create would use; PostgreSQL gets
    COPY, its own bulk-load path, with psycopg adapting the values as for any query.
    """

    def __init__(self, model: type[models.Model], field_names: list[str]) -> None:
        # The connection itself, not the thread-local proxy: it is asked millions of times.
        self.connection = connections[DEFAULT_DB_ALIAS]
        ops = self.connection.ops
        meta = model._meta
        fields = [cast("models.Field[Any, Any]", meta.get_field(name)) for name in field_names]
        self.width = len(fields)
        columns = ", ".join(ops.quote_name(f.column or f.name) for f in fields)
        # Names from the model's _meta, never from input.
        table = ops.quote_name(meta.db_table)
        self.copy = self.connection.vendor == "postgresql"
        if self.copy:
            self.statement = f"COPY {table} ({columns}) FROM STDIN"
        else:
            self.statement = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
            self.placeholders = "(" + ", ".join(["%s"] * self.width) + ")"
            limit = self.connection.features.max_query_params or 999
            self.per_statement = max(1, min(1000, limit // self.width))
        # Values arrive as the right Python types (aware datetimes, dates, Decimals); these
        # are the backend adapters that each field's get_db_prep_value ends in (SQLite only).
        self.converted: list[tuple[int, Any]] = []
        for n, field in enumerate(fields):
            if isinstance(field, models.DateTimeField):
                self.converted.append((n, ops.adapt_datetimefield_value))
            elif isinstance(field, models.DateField):
                self.converted.append((n, ops.adapt_datefield_value))
            elif isinstance(field, models.DecimalField):
                adapt = functools.partial(
                    ops.adapt_decimalfield_value,
                    max_digits=field.max_digits,
                    decimal_places=field.decimal_places,
                )
                self.converted.append((n, adapt))
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        with self.connection.cursor() as cursor:
            if self.copy:
                # psycopg adapts aware datetimes, dates and Decimals itself.
                with cursor.cursor.copy(self.statement) as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                for start in range(0, len(self.rows), self.per_statement):
                    batch = self.rows[start : start + self.per_statement]
                    values = ", ".join([self.placeholders] * len(batch))
                    cursor.execute(
                        self.statement + values, [v for row in batch for v in self._adapted(row)]
                    )
        self.written += len(self.rows)
        self.rows = []

    def _adapted(self, row: tuple) -> tuple:
        if not self.converted:
            return row
        values = list(row)
        for n, adapt in self.converted:
            values[n] = adapt(values[n])
        return tuple(values)


# --- Grade books ------------------------------------------------------------------------------

SCORE_FIELDS = [
    "sourced_id",
    "assignment",
    "student",
    "points",
    "missing",
    "late",
    "exempt",
    "incomplete",
    "comment",
    "recorded_by",
    "recorded_at",
    "release_at",
    "released_points",
    "released_missing",
    "released_late",
    "released_exempt",
    "released_incomplete",
    "released_comment",
    "was_released",
]


def _topics_for(course: catalogue.Course) -> list[str]:
    # Course-code prefixes are upper case; longer ones first ("SCI-" before "SCI").
    prefixes = [k for k in catalogue.TOPICS if k.upper() == k]
    for prefix in sorted(prefixes, key=len, reverse=True):
        if course.code.startswith(prefix):
            return catalogue.TOPICS[prefix]
    if course.code.startswith("SCI"):
        return catalogue.TOPICS[catalogue.SCIENCE]
    if course.code.startswith("SS"):
        return catalogue.TOPICS[catalogue.SOCIAL]
    return catalogue.TOPICS.get(course.subject, catalogue.TOPICS[catalogue.CLASSROOM])


_TITLES = {
    "Tests": "Unit test",
    "Quizzes": "Quiz",
    "Homework": "Homework",
    "Projects": "Project",
    "Assessments": "Assessment",
    "Classwork": "Classwork",
}


def seed_grade_books(seeder: "_Seeder") -> None:
    """Every section's grade book: setup, categories, assignments through a little past
    today, and a score for every student on every assignment already due."""
    rng = seeder.rng
    today = seeder.today
    year = seeder.year
    horizon = today + datetime.timedelta(days=14)
    release_delay = datetime.timedelta(minutes=settings.HOMEROOM_SCORE_RELEASE_MINUTES)
    scores = RowWriter(Score, SCORE_FIELDS)
    scale = seeder.scale
    assert scale is not None, "made before the grade books"
    counts = {"gradebook_setups": 0, "categories": 0, "assignments": 0}
    year_length = (year.last_day - year.first_day).days or 1

    for plan in seeder.schools.values():
        plans = (
            catalogue.ELEMENTARY_CATEGORIES
            if plan.kind == catalogue.ELEMENTARY
            else catalogue.SECONDARY_CATEGORIES
        )
        teacher_of = {id(t.slot): t for t in plan.teachers}
        for offering in plan.offerings:
            teacher_user = teacher_of[id(offering.teacher)].member.user
            for spec, section in zip(offering.unit.courses, offering.sections, strict=True):
                weighted = rng.random() < 0.8
                GradebookSetup.objects.create(
                    section=section,
                    method=GradingMethod.WEIGHTED if weighted else GradingMethod.TOTAL_POINTS,
                    scale=scale,
                )
                drop_homework = weighted and rng.random() < 0.3
                categories = [
                    Category(
                        sourced_id=seeder.sourced_id(),
                        section=section,
                        name=cp.name,
                        # A total-points book ignores weights; zero says so.
                        weight=Decimal(cp.weight if weighted else 0),
                        drop_lowest=1 if drop_homework and cp.name == "Homework" else 0,
                    )
                    for cp in plans
                ]
                Category.objects.bulk_create(categories)
                counts["gradebook_setups"] += 1
                counts["categories"] += len(categories)

                assignments = _plan_assignments(
                    seeder, section, spec, plans, categories, teacher_user, horizon, year_length
                )
                Assignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE)
                counts["assignments"] += len(assignments)
                _score(
                    seeder,
                    offering.students,
                    section,
                    spec,
                    assignments,
                    teacher_user,
                    release_delay,
                    scores,
                )
    scores.flush()
    seeder.counts.update(counts)
    seeder.counts["scores"] = scores.written


def _plan_assignments(
    seeder: "_Seeder",
    section: Any,
    spec: catalogue.Course,
    plans: list[catalogue.CategoryPlan],
    categories: list[Category],
    teacher_user: Any,
    horizon: datetime.date,
    year_length: int,
) -> list[Assignment]:
    """One to three assignments a week, from the section's first day to `horizon`."""
    rng = seeder.rng
    today = seeder.today
    days = [
        d for d in seeder.year.instructional_days if section.start_date <= d <= section.end_date
    ]
    index_of = {day: n for n, day in enumerate(days)}
    weeks: dict[tuple[int, int], list[datetime.date]] = defaultdict(list)
    for day in days:
        if day <= horizon:
            weeks[day.isocalendar()[:2]].append(day)
    topics = _topics_for(spec)
    planned = []
    for week_days in weeks.values():
        for _ in range(seeder.pick([(1, 0.5), (2, 0.38), (3, 0.12)])):
            n = seeder.pick([(n, cp.share) for n, cp in enumerate(plans)])
            assigned = rng.choice(week_days)
            lead = rng.randint(*plans[n].lead_days)
            due = days[min(index_of[assigned] + lead, len(days) - 1)]
            points = rng.choice(plans[n].points_possible)
            planned.append((due, assigned, n, points))
    planned.sort(key=lambda item: (item[0], item[1], item[2]))

    numbers: dict[int, int] = defaultdict(int)
    rows = []
    for due, assigned, n, points in planned:
        numbers[n] += 1
        progress = (assigned - seeder.year.first_day).days / year_length
        topic = topics[min(len(topics) - 1, int(progress * len(topics)))]
        label = _TITLES[plans[n].name]
        if plans[n].name in ("Homework", "Quizzes"):
            title = f"{label} {numbers[n]}: {topic}"
        else:
            title = f"{label}: {topic}"
        if assigned > today:
            # Written ahead of time; families see it from the morning it is assigned.
            created_at = seeder.at(
                today - datetime.timedelta(days=1), rng.randrange(19, 22), rng.randrange(60)
            )
        else:
            created_at = seeder.at(
                assigned - datetime.timedelta(days=1), rng.randrange(19, 22), rng.randrange(60)
            )
        rows.append(
            Assignment(
                sourced_id=seeder.sourced_id(),
                section=section,
                category=categories[n],
                title=title,
                points_possible=Decimal(points),
                assigned_on=assigned,
                due_on=due,
                visible_at=seeder.at(assigned, 7, 0),
                created_by=teacher_user,
                created_at=created_at,
            )
        )
    return rows


def _points(value: float, possible: int) -> Decimal:
    step = 0.5 if possible <= 25 else 1.0
    rounded = round(value / step) * step
    return Decimal(str(min(max(rounded, 0.0), possible))).quantize(TWO_PLACES)


def _sofias_flags(spec: catalogue.Course, past_due: list[Assignment]) -> dict[int, str]:
    """Sofia's record for the demo: two missing assignments (Algebra II, Chemistry) and a
    late one (English), never the newest, so each has reached her family."""
    flags: dict[int, str] = {}
    if len(past_due) < 2:
        return flags
    if spec.code == "ALG2":
        flags[id(past_due[-2])] = "missing"
    elif spec.code == "CHEM":
        flags[id(past_due[len(past_due) // 2])] = "missing"
    elif spec.code == "ENG10":
        flags[id(past_due[-2])] = "late"
    return flags


def _score(
    seeder: "_Seeder",
    students: list["Pupil"],
    section: Any,
    spec: catalogue.Course,
    assignments: list[Assignment],
    teacher_user: Any,
    release_delay: datetime.timedelta,
    scores: RowWriter,
) -> None:
    rng = seeder.rng
    today = seeder.today
    past_due = [a for a in assignments if a.due_on < today]
    if not past_due:
        return
    # How each student does in this class, beyond their ability overall.
    knack = {id(p): rng.gauss(0, 0.04) for p in students}
    sofia = seeder.persona_pupils.get("sofia")
    forced = _sofias_flags(spec, past_due) if sofia in students else {}
    for assignment in past_due:
        possible = int(assignment.points_possible)
        difficulty = rng.gauss(0, 0.05)
        spread = 0.09 if possible >= 50 else 0.06
        graded_on = min(assignment.due_on + datetime.timedelta(days=rng.randint(1, 4)), today)
        released = graded_on < today
        if released:
            start = seeder.at(graded_on, rng.randrange(15, 22), rng.randrange(60))
        else:
            # Entered this afternoon: still inside the release delay for a while.
            start = seeder.at(graded_on, 14, rng.randrange(60))
        for n, pupil in enumerate(students):
            if not pupil.enrolled_on(assignment.due_on):
                continue
            value = (
                pupil.ability + knack[id(pupil)] + difficulty + rng.gauss(0, spread)
            ) * possible
            points: Decimal | None = _points(value, possible)
            missing = late = exempt = incomplete = False
            comment = ""
            roll = rng.random()
            flag = forced.get(id(assignment)) if pupil is sofia else None
            if flag == "missing" or (flag is None and roll < pupil.missing_rate):
                missing, points = True, None
                if rng.random() < 0.35:
                    comment = rng.choice(catalogue.MISSING_COMMENTS)
            elif flag == "late" or (flag is None and roll < pupil.missing_rate + pupil.late_rate):
                late = True
                points = _points(value * 0.9, possible)
            elif roll < pupil.missing_rate + pupil.late_rate + pupil.exempt_rate:
                exempt, points = True, None
            elif roll < (
                pupil.missing_rate + pupil.late_rate + pupil.exempt_rate + pupil.incomplete_rate
            ):
                incomplete = True
                points = _points(value * rng.uniform(0.4, 0.7), possible)
            elif rng.random() < 0.03:
                comment = rng.choice(catalogue.SCORE_COMMENTS)
            recorded_at = start + datetime.timedelta(seconds=20 * n)
            # Never changed since it was entered: families see it from release_at and have no
            # earlier value, so the released_* copy stays empty and was_released False (it
            # means "changed after families saw it", shown to them as "updated").
            shown = (None, False, False, False, False, "", False)
            scores.add(
                (
                    seeder.sourced_id(),
                    assignment.pk,
                    pupil.row.pk,
                    points,
                    missing,
                    late,
                    exempt,
                    incomplete,
                    comment,
                    teacher_user.pk,
                    recorded_at,
                    recorded_at + release_delay,
                    *shown,
                )
            )


# --- Attendance -------------------------------------------------------------------------------

DAILY_FIELDS = [
    "student",
    "school",
    "date",
    "code",
    "source",
    "comment",
    "reason",
    "recorded_by",
    "recorded_at",
]
PERIOD_FIELDS = [
    "student",
    "section",
    "period",
    "date",
    "code",
    "comment",
    "recorded_by",
    "recorded_at",
]


def seed_attendance(seeder: "_Seeder") -> None:
    """Marks for every school day from the first through today, recorded negatively: a
    student enrolled on a day with no mark was present."""
    daily = RowWriter(DailyMark, DAILY_FIELDS)
    period = RowWriter(PeriodMark, PERIOD_FIELDS)
    elapsed = seeder.year.days_through(seeder.today)
    reasons = [((code, reason), weight) for code, reason, weight in catalogue.OFFICE_REASONS]
    lookups = {
        id(plan): (
            {id(t.slot): t.member.user.pk for t in plan.teachers},
            {p.sequence: p.pk for p in plan.periods},
        )
        for plan in seeder.schools.values()
    }
    for pupil in seeder.pupils:
        days = [d for d in elapsed if pupil.enrolled_on(d)]
        if not days or not pupil.offerings:
            continue
        meetings = _meetings_by_weekday(pupil, *lookups[id(pupil.school)])
        forced = _sofias_days(days) if pupil.persona == "sofia" else {}
        absence, tardy = pupil.absence_rate, pupil.tardy_rate
        excused_share = 0.4 if absence > 0.1 else 0.6
        for day in days:
            roll = seeder.rng.random()
            kind = forced.get(day)
            if kind is None:
                if roll < absence:
                    kind = "excused" if seeder.rng.random() < excused_share else "unexcused"
                elif roll < absence + tardy:
                    kind = "tardy"
                elif roll < absence + tardy + 0.004:
                    kind = "early"
                else:
                    continue
            today_meetings = [m for m in meetings[day.weekday()] if m[3] <= day <= m[4]]
            if kind == "excused":
                if day in forced:
                    code, reason = "E", "Parent called: illness"
                else:
                    code, reason = seeder.pick(reasons)
                daily.add(_office_mark(seeder, pupil, day, code, reason))
                continue
            if not today_meetings:
                continue
            if kind == "unexcused":
                marked, code = today_meetings, "A"
            elif kind == "tardy":
                marked, code = today_meetings[:1], "T"
            else:
                marked, code = today_meetings[-seeder.rng.randint(1, 2) :], "D"
            first_at = None
            for sequence, section_id, period_row, _start, _end, teacher_id in marked:
                bell = pupil.school.bell_times[sequence - 1][0]
                recorded_at = seeder.at(day, bell.hour, bell.minute) + datetime.timedelta(
                    minutes=seeder.rng.randint(3, 15)
                )
                first_at = first_at or (recorded_at, teacher_id)
                period.add(
                    (
                        pupil.row.pk,
                        section_id,
                        period_row,
                        day,
                        seeder.codes[code].pk,
                        "",
                        teacher_id,
                        recorded_at,
                    )
                )
            assert first_at is not None
            # Derived from the first period mark of the day, by its teacher.
            daily.add(
                (
                    pupil.row.pk,
                    pupil.school.row.pk,
                    day,
                    seeder.codes[code].pk,
                    MarkSource.DERIVED.value,
                    "",
                    "",
                    first_at[1],
                    first_at[0],
                )
            )
    daily.flush()
    period.flush()
    seeder.counts["daily_marks"] = daily.written
    seeder.counts["period_marks"] = period.written


def _office_mark(
    seeder: "_Seeder", pupil: "Pupil", day: datetime.date, code: str, reason: str
) -> tuple:
    clerk = pupil.school.clerk
    assert clerk is not None
    return (
        pupil.row.pk,
        pupil.school.row.pk,
        day,
        seeder.codes[code].pk,
        MarkSource.OFFICE.value,
        "",
        reason,
        clerk.user.pk,
        seeder.at(day, seeder.rng.randrange(7, 10), seeder.rng.randrange(60)),
    )


def _meetings_by_weekday(
    pupil: "Pupil", teacher_of: dict[int, int], periods: dict[int, int]
) -> dict[int, list[tuple]]:
    """(period sequence, section id, period id, first day, last day, teacher's user id) for
    each class the student meets on each weekday, in the order of the day."""
    by_day: dict[int, list[tuple]] = {weekday: [] for weekday in range(5)}
    for offering in pupil.offerings:
        for spec, section in zip(offering.unit.courses, offering.sections, strict=True):
            first = max(section.start_date, pupil.entry)
            last = section.end_date if pupil.exit is None else min(section.end_date, pupil.exit)
            for weekday in spec.weekdays:
                by_day[weekday].append(
                    (
                        offering.period,
                        section.pk,
                        periods[offering.period],
                        first,
                        last,
                        teacher_of[id(offering.teacher)],
                    )
                )
    for meetings in by_day.values():
        meetings.sort()
    return by_day


def _sofias_days(days: list[datetime.date]) -> dict[datetime.date, str]:
    """Sofia's attendance for the demo: one excused absence and one tardy, recently."""
    if len(days) < 2:
        return {}
    excused = days[max(0, len(days) - 8)]
    tardy = days[-3] if len(days) >= 3 else days[-1]
    if tardy == excused:
        tardy = days[-1]
    return {excused: "excused", tardy: "tardy"}
