"""Reads of the grade book as families see it. Callers pass students the policy allowed.

Families see an assignment from its `visible_at`, and a score only once its release delay
has passed (docs/grading.md, "The release delay"); until then they see the value released
before, if there was one. Grades are computed by `calculation.compute_grade`, the one
function every page and export uses.
"""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db.models import Prefetch

from homeroom.gradebook.calculation import (
    BandInput,
    CategoryInput,
    GradeResult,
    ScoreInput,
    compute_grade,
)
from homeroom.gradebook.models import (
    Assignment,
    Category,
    GradeBand,
    GradebookSetup,
    GradingMethod,
    Score,
)
from homeroom.sis.models import Roster, Section, SectionTeacher


@dataclasses.dataclass(frozen=True)
class FamilyScore:
    """A score as families see it at a moment."""

    points: Decimal | None
    missing: bool
    late: bool
    exempt: bool
    incomplete: bool
    comment: str
    released_at: datetime.datetime
    # A value families had already seen was replaced; shown as "updated".
    updated: bool

    @property
    def flags(self) -> list[str]:
        return [name for name in ("missing", "late", "exempt", "incomplete") if getattr(self, name)]


class StoredScore(NamedTuple):
    """A score row as read for families: the fields `family_view` needs, without a model
    instance (a family's grade book holds hundreds of scores; instances cost more to build
    than the query to run)."""

    id: int
    assignment_id: int
    student_id: int
    points: Decimal | None
    missing: bool
    late: bool
    exempt: bool
    incomplete: bool
    comment: str
    recorded_at: datetime.datetime
    release_at: datetime.datetime
    released_points: Decimal | None
    released_missing: bool
    released_late: bool
    released_exempt: bool
    released_incomplete: bool
    released_comment: str
    was_released: bool


@dataclasses.dataclass(frozen=True, slots=True)
class ShownAssignment:
    """An assignment as the portal shows it, likewise without a model instance."""

    pk: int
    section_id: int
    category_id: int
    title: str
    points_possible: Decimal
    due_on: datetime.date
    visible_at: datetime.datetime


def family_view(score: Score | StoredScore, now: datetime.datetime) -> FamilyScore | None:
    if now >= score.release_at:
        return FamilyScore(
            points=score.points,
            missing=score.missing,
            late=score.late,
            exempt=score.exempt,
            incomplete=score.incomplete,
            comment=score.comment,
            released_at=score.release_at,
            updated=score.was_released,
        )
    if score.was_released:
        return FamilyScore(
            points=score.released_points,
            missing=score.released_missing,
            late=score.released_late,
            exempt=score.released_exempt,
            incomplete=score.released_incomplete,
            comment=score.released_comment,
            released_at=score.recorded_at,
            updated=False,
        )
    return None


@dataclasses.dataclass(frozen=True)
class AssignmentRow:
    assignment: ShownAssignment
    category_name: str
    score: FamilyScore | None


@dataclasses.dataclass(frozen=True)
class CourseGrade:
    roster: Roster
    teachers: list[str]
    method: str
    result: GradeResult
    categories: list[Category]
    assignments: list[AssignmentRow]

    @property
    def section(self) -> Section:
        return self.roster.section

    @property
    def missing_count(self) -> int:
        return sum(1 for row in self.assignments if row.score and row.score.missing)


def current_rosters(
    student_ids: Iterable[int], today: datetime.date, *, teachers: bool = True
) -> list[Roster]:
    """The sections students are in today, with their course, and their teachers unless
    told not to (two queries, or one)."""
    rosters = (
        Roster.objects.current(today)
        .filter(student_id__in=list(student_ids))
        .select_related("section__course")
        .order_by("section__course__title", "section__code")
    )
    if teachers:
        rosters = rosters.prefetch_related(
            Prefetch(
                "section__section_teachers",
                queryset=SectionTeacher.objects.select_related("staff").order_by("role", "pk"),
            )
        )
    return list(rosters)


def current_rosters_only(student_ids: Iterable[int], today: datetime.date) -> list[Roster]:
    """`current_rosters` without the course and teachers: one light query."""
    return list(
        Roster.objects.current(today)
        .filter(student_id__in=list(student_ids))
        .only("id", "student_id", "section_id")
    )


def course_grades(rosters: list[Roster], now: datetime.datetime) -> dict[int, list[CourseGrade]]:
    """Each student's grade per section, as families see it now: five queries in all."""
    return course_grades_until(rosters, now)[0]


# Read straight into the light rows above, in their fields' order.
_ASSIGNMENT_FIELDS = tuple(
    "id" if field.name == "pk" else field.name for field in dataclasses.fields(ShownAssignment)
)
_SCORE_FIELDS = StoredScore._fields


def course_grades_until(
    rosters: list[Roster], now: datetime.datetime, *, teachers: bool = True
) -> tuple[dict[int, list[CourseGrade]], datetime.datetime | None]:
    """`course_grades`, and the next moment the answer changes by itself with no write: an
    assignment becoming visible or a score reaching families (a cache lives until then).
    With `teachers=False` (rosters read without them) the teachers are left empty."""
    section_ids = {r.section_id for r in rosters}
    student_ids = {r.student_id for r in rosters}
    setups = {
        s.section_id: s
        for s in GradebookSetup.objects.filter(section_id__in=section_ids)
        .select_related("scale")
        .prefetch_related(Prefetch("scale__bands", queryset=GradeBand.objects.all()))
    }
    categories: dict[int, list[Category]] = defaultdict(list)
    for category in Category.objects.filter(section_id__in=section_ids).order_by("name"):
        categories[category.section_id].append(category)
    assignments: dict[int, list[ShownAssignment]] = defaultdict(list)
    next_change: datetime.datetime | None = None
    for values in (
        Assignment.objects.filter(section_id__in=section_ids)
        .order_by("-due_on", "-pk")
        .values_list(*_ASSIGNMENT_FIELDS)
    ):
        assignment = ShownAssignment(*values)
        if assignment.visible_at <= now:
            assignments[assignment.section_id].append(assignment)
        elif next_change is None or assignment.visible_at < next_change:
            next_change = assignment.visible_at
    visible_ids = [a.pk for group in assignments.values() for a in group]
    scores: dict[tuple[int, int], StoredScore] = {}
    for values in Score.objects.filter(
        student_id__in=student_ids, assignment_id__in=visible_ids
    ).values_list(*_SCORE_FIELDS):
        score = StoredScore(*values)
        scores[(score.student_id, score.assignment_id)] = score
        if score.release_at > now and (next_change is None or score.release_at < next_change):
            next_change = score.release_at
    grades: dict[int, list[CourseGrade]] = defaultdict(list)
    for roster in rosters:
        setup = setups.get(roster.section_id)
        section_categories = categories[roster.section_id]
        names = {c.pk: c.name for c in section_categories}
        rows = []
        inputs = []
        for assignment in assignments[roster.section_id]:
            stored = scores.get((roster.student_id, assignment.pk))
            shown = family_view(stored, now) if stored is not None else None
            rows.append(AssignmentRow(assignment, names.get(assignment.category_id, ""), shown))
            if shown is not None:
                inputs.append(
                    ScoreInput(
                        assignment_id=assignment.pk,
                        category_id=assignment.category_id,
                        points_possible=assignment.points_possible,
                        points=shown.points,
                        missing=shown.missing,
                        exempt=shown.exempt,
                        incomplete=shown.incomplete,
                        late=shown.late,
                    )
                )
        method = setup.method if setup else GradingMethod.WEIGHTED
        bands = (
            [BandInput(b.label, b.min_percent) for b in setup.scale.bands.all()] if setup else []
        )
        result = compute_grade(
            method=method,
            categories=[
                CategoryInput(c.pk, c.name, c.weight, c.drop_lowest) for c in section_categories
            ],
            scores=inputs,
            bands=bands,
            missing_counts_as_zero=settings.HOMEROOM_MISSING_COUNTS_AS_ZERO,
        )
        grades[roster.student_id].append(
            CourseGrade(
                roster=roster,
                teachers=[t.staff.display_name for t in roster.section.section_teachers.all()]
                if teachers
                else [],
                method=method,
                result=result,
                categories=section_categories,
                assignments=rows,
            )
        )
    return grades, next_change


def latest_scores(
    grades: list[CourseGrade], limit: int = 5
) -> list[tuple[CourseGrade, AssignmentRow]]:
    scored = [
        (grade, row)
        for grade in grades
        for row in grade.assignments
        if row.score is not None and not row.score.missing
    ]
    scored.sort(key=lambda pair: pair[1].score.released_at, reverse=True)  # type: ignore[union-attr]
    return scored[:limit]
