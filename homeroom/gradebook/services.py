"""Writes of the grade book: how a section is graded, its categories and assignments, scores.

Every write takes the acting user and an audit `Actor`, runs in one transaction and writes
its audit events (Action.CHANGE, `changes={field: [old, new]}`) in that transaction.

The release delay (docs/grading.md, "The release delay"): a score reaches families
HOMEROOM_SCORE_RELEASE_MINUTES after it is entered or changed, so a teacher can correct a
slip before a family sees it. When values families have already seen are changed, they are
copied into the `released_*` fields first: families keep seeing them until the new values
are released, then see the new ones marked "updated". A change made while the score is
still inside its delay overwrites it and starts the delay again; families never see the
slip, nor a mark saying it changed.
"""

import dataclasses
import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from homeroom.accounts.models import User
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, events_record
from homeroom.gradebook.models import (
    Assignment,
    Category,
    GradebookSetup,
    GradingMethod,
    GradingScale,
    Score,
)
from homeroom.lib import clock
from homeroom.sis.models import Roster, Section, Student

MODULE = "grades"
COMMENT_LIMIT = 500
# Score.points and Assignment.points_possible: 7 digits, 2 after the point.
POINTS_LIMIT = Decimal("99999.99")
TWO_PLACES = Decimal("0.01")
FLAGS = ("missing", "late", "exempt", "incomplete")
SCORE_FIELDS = ("points", *FLAGS, "comment")


def release_delay() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.HOMEROOM_SCORE_RELEASE_MINUTES)


def _plain(value: Any) -> Any:
    """A value as the audit log keeps it: JSON, and the same text a person would write."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        # A category or a scale is named by its name, which is what a person recognises.
        return getattr(value, "name", str(value))
    return value


def _changes(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, list[Any]]:
    if old is None:
        return {k: [None, _plain(v)] for k, v in new.items() if v not in (None, "", False)}
    return {k: [_plain(old[k]), _plain(v)] for k, v in new.items() if old[k] != v}


# --- Scores -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ScoreValues:
    """What a teacher enters for one student on one assignment. `comment` None keeps the
    comment already there (the score grid has no comment box)."""

    points: Decimal | None = None
    missing: bool = False
    late: bool = False
    exempt: bool = False
    incomplete: bool = False
    comment: str | None = None

    def check(self) -> None:
        if self.points is not None:
            if not self.points.is_finite() or self.points < 0:
                raise ValidationError(_("Points cannot be negative."))
            if self.points > POINTS_LIMIT:
                raise ValidationError(_("Points can be at most 99999.99."))
            if self.points != self.points.quantize(TWO_PLACES):
                raise ValidationError(_("Points can have at most two decimal places."))
        if self.exempt and self.missing:
            raise ValidationError(
                _("A score cannot be both exempt and missing: exempt work is not due.")
            )
        if self.comment is not None and len(self.comment) > COMMENT_LIMIT:
            raise ValidationError(
                _("A comment can be at most %(limit)d characters.") % {"limit": COMMENT_LIMIT}
            )


@dataclasses.dataclass(frozen=True)
class ScoreEntry:
    assignment_id: int
    student_id: int
    values: ScoreValues


@dataclasses.dataclass(frozen=True)
class ScoresResult:
    created: int
    changed: int
    unchanged: int
    # When families see what was saved; None when nothing changed.
    release_at: datetime.datetime | None


def _current(score: Score) -> dict[str, Any]:
    return {field: getattr(score, field) for field in SCORE_FIELDS}


def _apply(score: Score, wanted: dict[str, Any], now: datetime.datetime) -> bool:
    """Set new values on a stored score by the release rule. Returns whether it was
    released already (families are told it was updated) or still inside its delay."""
    released = now >= score.release_at
    if released:
        # Families keep seeing what they saw until the new values are released.
        for field in SCORE_FIELDS:
            setattr(score, f"released_{field}", getattr(score, field))
        score.was_released = True
    for field, value in wanted.items():
        setattr(score, field, value)
    score.release_at = now + release_delay()
    return released


_WRITTEN = [
    *SCORE_FIELDS,
    "recorded_by",
    "recorded_at",
    "release_at",
    *(f"released_{field}" for field in SCORE_FIELDS),
    "was_released",
]


@transaction.atomic
def scores_record(
    *, actor: Actor, recorded_by: User, section: Section, entries: Sequence[ScoreEntry]
) -> ScoresResult:
    """Record or correct scores in a section's grade book, by the release rule above.

    Entries whose values equal the stored ones change nothing and log nothing. Raises
    ValidationError, writing nothing, for an assignment of another section, a student never
    on the section's roster, or values the grade book cannot hold. Five queries and a
    savepoint, whatever the number of entries.
    """
    for entry in entries:
        entry.values.check()
    assignment_ids = {e.assignment_id for e in entries}
    student_ids = {e.student_id for e in entries}
    assignments = Assignment.objects.filter(section=section).in_bulk(assignment_ids)
    if len(assignments) != len(assignment_ids):
        raise ValidationError(_("An assignment sent is not in this section's grade book."))
    rostered = set(
        Roster.objects.filter(section=section, student_id__in=student_ids).values_list(
            "student_id", flat=True
        )
    )
    if student_ids - rostered:
        raise ValidationError(_("A student sent was never on this section's roster."))
    stored = {
        (s.assignment_id, s.student_id): s
        for s in Score.objects.filter(assignment_id__in=assignment_ids, student_id__in=student_ids)
    }
    now = clock.now()
    new_scores: list[Score] = []
    changed: list[tuple[Score, dict[str, list[Any]], bool]] = []
    for entry in entries:
        score = stored.get((entry.assignment_id, entry.student_id))
        wanted = dataclasses.asdict(entry.values)
        if wanted["comment"] is None:
            wanted["comment"] = score.comment if score is not None else ""
        else:
            wanted["comment"] = wanted["comment"].strip()
        if score is None:
            if wanted == _current(Score()) | {"comment": ""}:
                continue  # An empty cell that was empty: nothing to record.
            score = Score(
                assignment_id=entry.assignment_id,
                student_id=entry.student_id,
                recorded_by=recorded_by,
                recorded_at=now,
                release_at=now + release_delay(),
                **wanted,
            )
            new_scores.append(score)
            continue
        old = _current(score)
        changes = _changes(old, wanted)
        if not changes:
            continue
        was_out = _apply(score, wanted, now)
        score.recorded_by, score.recorded_at = recorded_by, now
        changed.append((score, changes, was_out))
    Score.objects.bulk_create(new_scores)
    if changed:
        Score.objects.bulk_update([score for score, _c, _r in changed], _WRITTEN)
    events = [
        _score_event(score, assignments[score.assignment_id], _changes(None, _current(score)))
        for score in new_scores
    ] + [
        _score_event(score, assignments[score.assignment_id], changes, released=was_out)
        for score, changes, was_out in changed
    ]
    events_record(actor=actor, events=events)
    saved = new_scores + [score for score, _c, _r in changed]
    return ScoresResult(
        created=len(new_scores),
        changed=len(changed),
        unchanged=len(entries) - len(saved),
        release_at=now + release_delay() if saved else None,
    )


def _score_event(
    score: Score, assignment: Assignment, changes: dict[str, list[Any]], *, released: bool = False
) -> Event:
    return Event(
        action=Action.CHANGE,
        student_id=score.student_id,
        module=MODULE,
        object=score,
        changes=changes,
        detail={
            "section_id": assignment.section_id,
            "assignment_id": assignment.pk,
            # Whether families had seen the values replaced (they will see "updated").
            "replaced_released": released,
            "release_at": score.release_at.isoformat(timespec="seconds"),
        },
    )


def score_record(
    *,
    actor: Actor,
    recorded_by: User,
    assignment: Assignment,
    student: Student,
    points: Decimal | None = None,
    missing: bool = False,
    late: bool = False,
    exempt: bool = False,
    incomplete: bool = False,
    comment: str | None = None,
) -> Score:
    """Record or correct one student's score on one assignment (see `scores_record`)."""
    scores_record(
        actor=actor,
        recorded_by=recorded_by,
        section=assignment.section,
        entries=[
            ScoreEntry(
                assignment.pk,
                student.pk,
                ScoreValues(points, missing, late, exempt, incomplete, comment),
            )
        ],
    )
    return Score.objects.get(assignment=assignment, student=student)


@transaction.atomic
def scores_mark_missing(*, actor: Actor, recorded_by: User, assignment: Assignment) -> int:
    """Mark missing the work of every student on the roster without a score, once the due
    date has passed. A student who joined the class after the due date is left alone.
    Returns how many were marked."""
    today = clock.today()
    if assignment.due_on >= today:
        raise ValidationError(
            _("Work can be marked missing once its due date (%(due)s) has passed.")
            % {"due": assignment.due_on}
        )
    students = set(
        Roster.objects.holding(today)
        .filter(section_id=assignment.section_id, start_date__lte=assignment.due_on)
        .values_list("student_id", flat=True)
    )
    scored = {
        s.student_id
        for s in Score.objects.filter(assignment=assignment, student_id__in=students)
        if s.points is not None or any(getattr(s, flag) for flag in FLAGS)
    }
    result = scores_record(
        actor=actor,
        recorded_by=recorded_by,
        section=assignment.section,
        entries=[
            ScoreEntry(assignment.pk, student_id, ScoreValues(missing=True))
            for student_id in sorted(students - scored)
        ],
    )
    return result.created + result.changed


# --- How a section is graded ------------------------------------------------------------------


@transaction.atomic
def gradebook_setup_save(
    *, actor: Actor, changed_by: User, section: Section, method: str, scale: GradingScale
) -> GradebookSetup:
    if method not in GradingMethod.values:
        raise ValidationError({"method": _("Choose weighted categories or total points.")})
    setup = GradebookSetup.objects.select_for_update().filter(section=section).first()
    old = None if setup is None else {"method": setup.method, "scale": setup.scale}
    new = {"method": method, "scale": scale}
    if setup is None:
        setup = GradebookSetup.objects.create(section=section, method=method, scale=scale)
    elif old != new:
        setup.method, setup.scale = method, scale
        setup.save(update_fields=["method", "scale"])
    else:
        return setup
    _record_section_change(actor, setup, section, _changes(old, new))
    return setup


@transaction.atomic
def category_save(
    *,
    actor: Actor,
    changed_by: User,
    section: Section,
    name: str,
    weight: Decimal,
    drop_lowest: int = 0,
    category: Category | None = None,
) -> Category:
    """Add a category to a section's grade book, or change one. Weights are proportions
    (docs/grading.md): they need not add up to 100."""
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the category a name, e.g. “Tests”.")
    if not weight.is_finite() or weight < 0 or weight > Decimal("999.99"):
        errors["weight"] = _("A weight is a number from 0 to 999.99.")
    if drop_lowest < 0 or drop_lowest > 50:
        errors["drop_lowest"] = _("Drop from 0 to 50 of the lowest scores.")
    if category is not None and category.section_id != section.pk:
        errors["name"] = _("This category belongs to another section.")
    taken = Category.objects.filter(section=section, name__iexact=name)
    if category is not None:
        taken = taken.exclude(pk=category.pk)
    if name and taken.exists():
        errors["name"] = _("This section already has a category named “%(name)s”.") % {"name": name}
    if errors:
        raise ValidationError(errors)
    new = {"name": name, "weight": weight, "drop_lowest": drop_lowest}
    if category is None:
        category = Category.objects.create(section=section, **new)
        changes = _changes(None, new)
    else:
        category = Category.objects.select_for_update().get(pk=category.pk)
        changes = _changes({k: getattr(category, k) for k in new}, new)
        if not changes:
            return category
        for field, value in new.items():
            setattr(category, field, value)
        category.save(update_fields=list(new))
    _record_section_change(actor, category, section, changes)
    return category


@transaction.atomic
def assignment_save(
    *,
    actor: Actor,
    changed_by: User,
    section: Section,
    category: Category,
    title: str,
    points_possible: Decimal,
    due_on: datetime.date,
    visible_at: datetime.datetime,
    assigned_on: datetime.date | None = None,
    description: str = "",
    assignment: Assignment | None = None,
) -> Assignment:
    """Add an assignment to a section's grade book, or change one. Families see it, and its
    released scores, from `visible_at`."""
    title = title.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the assignment a title.")
    if category.section_id != section.pk:
        errors["category"] = _("Choose one of this section's categories.")
    if not points_possible.is_finite() or not Decimal(0) < points_possible <= POINTS_LIMIT:
        errors["points_possible"] = _("Points possible must be more than 0.")
    elif points_possible != points_possible.quantize(TWO_PLACES):
        errors["points_possible"] = _("Points can have at most two decimal places.")
    if assigned_on is not None and due_on < assigned_on:
        errors["due_on"] = _("The due date cannot be before the day it is assigned.")
    if assignment is not None and assignment.section_id != section.pk:
        errors["title"] = _("This assignment belongs to another section.")
    if errors:
        raise ValidationError(errors)
    new = {
        "category": category,
        "title": title,
        "points_possible": points_possible,
        "due_on": due_on,
        "visible_at": visible_at,
        "assigned_on": assigned_on,
        "description": description.strip(),
    }
    if assignment is None:
        assignment = Assignment.objects.create(
            section=section, created_by=changed_by, created_at=clock.now(), **new
        )
        changes = _changes(None, new)
    else:
        assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
        changes = _changes({k: getattr(assignment, k) for k in new}, new)
        if not changes:
            return assignment
        for field, value in new.items():
            setattr(assignment, field, value)
        assignment.save(update_fields=list(new))
    _record_section_change(actor, assignment, section, changes)
    return assignment


def _record_section_change(
    actor: Actor, row: Any, section: Section, changes: dict[str, list[Any]]
) -> None:
    events_record(
        actor=actor,
        events=[
            Event(
                action=Action.CHANGE,
                module=MODULE,
                object=row,
                changes=changes,
                detail={"section_id": section.pk, "label": str(row)},
            )
        ],
    )
