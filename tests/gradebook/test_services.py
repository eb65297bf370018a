"""The grade book's writes (homeroom/gradebook/services.py): the release delay of
docs/grading.md, with time under control (time_machine), and an audit event with old and new
values for every change (R50)."""

import datetime
import re
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError

from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from homeroom.gradebook.models import Assignment, Category, GradingMethod, Score
from homeroom.gradebook.selectors import FamilyScore, family_view
from homeroom.gradebook.services import (
    ScoreEntry,
    ScoreValues,
    assignment_save,
    category_save,
    gradebook_setup_save,
    score_record,
    scores_mark_missing,
    scores_record,
)
from homeroom.sis.models import Roster
from tests import builders

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "grading.md"
ZONE = zoneinfo.ZoneInfo("America/New_York")
MORNING = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=ZONE)


def _at(hour: int, minute: int = 0) -> datetime.datetime:
    return MORNING.replace(hour=hour, minute=minute)


@pytest.fixture
def book(settings):
    settings.HOMEROOM_SCORE_RELEASE_MINUTES = 60
    section = builders.section()
    category = builders.category(section)
    assignment = builders.assignment(section, category, points=Decimal(20))
    student = builders.student()
    builders.enrollment(student)
    Roster.objects.create(section=section, student=student, start_date=section.start_date)
    teacher = builders.user()
    return assignment, student, teacher


def _save(book, **values) -> Score:
    assignment, student, teacher = book
    return score_record(
        actor=Actor(user_id=teacher.pk, role="teacher"),
        recorded_by=teacher,
        assignment=assignment,
        student=student,
        **values,
    )


def _seen(book, moment: datetime.datetime) -> FamilyScore | None:
    assignment, student, _teacher = book
    return family_view(Score.objects.get(assignment=assignment, student=student), moment)


def test_a_new_score_reaches_families_after_the_delay_and_not_before(book):
    with time_machine.travel(_at(9), tick=False):
        score = _save(book, points=Decimal(18))
    assert score.release_at == _at(10)
    assert _seen(book, _at(9, 59)) is None
    seen = _seen(book, _at(10))
    assert seen is not None and seen.points == Decimal(18) and not seen.updated
    assert not score.was_released


def test_a_correction_within_the_delay_restarts_it_and_is_not_shown_as_a_change(book):
    with time_machine.travel(_at(9), tick=False):
        _save(book, points=Decimal(8))
    with time_machine.travel(_at(9, 20), tick=False):
        score = _save(book, points=Decimal(18))
    assert score.release_at == _at(10, 20)
    assert not score.was_released and score.released_points is None
    assert _seen(book, _at(10, 19)) is None
    seen = _seen(book, _at(10, 20))
    assert seen is not None and seen.points == Decimal(18) and not seen.updated


def test_a_change_after_release_keeps_the_released_values_until_the_new_release(book):
    with time_machine.travel(_at(9), tick=False):
        _save(book, points=Decimal(15), comment="Good work")
    with time_machine.travel(_at(13), tick=False):
        score = _save(book, points=Decimal(17), late=True, comment="Regraded")
    assert score.was_released
    assert (score.released_points, score.released_late, score.released_comment) == (
        Decimal(15),
        False,
        "Good work",
    )
    before = _seen(book, _at(13, 59))
    assert before is not None and before.points == Decimal(15) and not before.late
    assert before.comment == "Good work" and not before.updated
    after = _seen(book, _at(14))
    assert after is not None and after.points == Decimal(17) and after.late and after.updated


def test_a_second_change_within_the_delay_keeps_what_families_saw_last(book):
    with time_machine.travel(_at(9), tick=False):
        _save(book, points=Decimal(15))
    with time_machine.travel(_at(13), tick=False):
        _save(book, points=Decimal(17))
    with time_machine.travel(_at(13, 30), tick=False):
        score = _save(book, points=Decimal(16))
    assert score.released_points == Decimal(15) and score.was_released
    assert score.release_at == _at(14, 30)
    assert _seen(book, _at(14, 29)).points == Decimal(15)  # type: ignore[union-attr]
    assert _seen(book, _at(14, 30)).points == Decimal(16)  # type: ignore[union-attr]


def test_the_delay_is_a_district_setting(book, settings):
    settings.HOMEROOM_SCORE_RELEASE_MINUTES = 5
    with time_machine.travel(_at(9), tick=False):
        score = _save(book, points=Decimal(12))
    assert score.release_at == _at(9, 5)


def test_every_score_change_is_audited_with_old_and_new_values(book):
    assignment, student, teacher = book
    with time_machine.travel(_at(9), tick=False):
        score = _save(book, points=Decimal(8))
    with time_machine.travel(_at(9, 10), tick=False):
        _save(book, points=Decimal("18.5"), missing=False, late=True)
    events = list(
        AuditEvent.objects.filter(action=Action.CHANGE, object_type="gradebook.score").order_by(
            "seq"
        )
    )
    assert [e.changes for e in events] == [
        {"points": [None, "8"]},
        {"points": ["8", "18.5"], "late": [False, True]},
    ]
    assert all(e.student_id == student.pk and e.module == "grades" for e in events)
    assert all(e.actor_id == teacher.pk and e.object_id == str(score.pk) for e in events)
    assert events[0].detail["section_id"] == assignment.section_id


def test_saving_the_same_values_again_writes_and_logs_nothing(book):
    with time_machine.travel(_at(9), tick=False):
        _save(book, points=Decimal(8))
    with time_machine.travel(_at(9, 30), tick=False):
        score = _save(book, points=Decimal("8.00"))
    assert score.release_at == _at(10)
    assert AuditEvent.objects.filter(object_type="gradebook.score").count() == 1


@pytest.mark.parametrize(
    "values",
    [
        {"points": Decimal(-1)},
        {"points": Decimal("1.234")},
        {"missing": True, "exempt": True},
        {"comment": "x" * 501},
    ],
)
def test_scores_the_grade_book_cannot_hold_are_refused(book, values):
    with pytest.raises(ValidationError):
        _save(book, **values)
    assert not Score.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_score_for_a_student_never_on_the_roster_is_refused(book):
    assignment, _student, teacher = book
    with pytest.raises(ValidationError):
        scores_record(
            actor=Actor(user_id=teacher.pk),
            recorded_by=teacher,
            section=assignment.section,
            entries=[ScoreEntry(assignment.pk, builders.student().pk, ScoreValues(Decimal(1)))],
        )
    assert not Score.objects.exists()


def test_the_grid_keeps_the_comment_it_does_not_show(book):
    assignment, student, teacher = book
    _save(book, points=Decimal(10), comment="See me")
    scores_record(
        actor=Actor(user_id=teacher.pk),
        recorded_by=teacher,
        section=assignment.section,
        entries=[ScoreEntry(assignment.pk, student.pk, ScoreValues(points=Decimal(11)))],
    )
    assert Score.objects.get().comment == "See me"


def test_mark_missing_marks_only_students_without_a_score_after_the_due_date(book):
    assignment, student, teacher = book
    scored = builders.student()
    latecomer = builders.student()
    Roster.objects.create(
        section=assignment.section, student=scored, start_date=datetime.date(2026, 9, 1)
    )
    Roster.objects.create(
        section=assignment.section,
        student=latecomer,
        start_date=assignment.due_on + datetime.timedelta(days=1),
    )
    score_record(
        actor=Actor(user_id=teacher.pk),
        recorded_by=teacher,
        assignment=assignment,
        student=scored,
        points=Decimal(20),
    )
    the_day_before = datetime.datetime(2026, 9, 14, 12, tzinfo=ZONE)
    with time_machine.travel(the_day_before, tick=False), pytest.raises(ValidationError):
        scores_mark_missing(
            actor=Actor(user_id=teacher.pk), recorded_by=teacher, assignment=assignment
        )
    with time_machine.travel(datetime.datetime(2026, 9, 16, 12, tzinfo=ZONE), tick=False):
        marked = scores_mark_missing(
            actor=Actor(user_id=teacher.pk), recorded_by=teacher, assignment=assignment
        )
    assert marked == 1
    assert Score.objects.get(student=student).missing
    assert not Score.objects.get(student=scored).missing
    assert not Score.objects.filter(student=latecomer).exists()


def test_assignments_categories_and_the_method_are_audited_with_old_and_new(book):
    assignment, _student, teacher = book
    section = assignment.section
    actor = Actor(user_id=teacher.pk, role="teacher")
    homework = category_save(
        actor=actor, changed_by=teacher, section=section, name="Homework", weight=Decimal(20)
    )
    category_save(
        actor=actor,
        changed_by=teacher,
        section=section,
        category=homework,
        name="Homework",
        weight=Decimal(25),
        drop_lowest=1,
    )
    saved = assignment_save(
        actor=actor,
        changed_by=teacher,
        section=section,
        assignment=assignment,
        category=homework,
        title="Quiz 1, corrected",
        points_possible=Decimal(20),
        due_on=assignment.due_on,
        visible_at=assignment.visible_at,
        assigned_on=assignment.assigned_on,
        description=assignment.description,
    )
    gradebook_setup_save(
        actor=actor,
        changed_by=teacher,
        section=section,
        method=GradingMethod.TOTAL_POINTS,
        scale=builders.grading_scale(),
    )
    changes = [
        (e.object_type, e.changes)
        for e in AuditEvent.objects.filter(action=Action.CHANGE).order_by("seq")
    ]
    assert changes == [
        ("gradebook.category", {"name": [None, "Homework"], "weight": [None, "20"]}),
        ("gradebook.category", {"weight": ["20", "25"], "drop_lowest": [0, 1]}),
        (
            "gradebook.assignment",
            {
                "category": ["Tests", "Homework"],
                "title": [assignment.title, "Quiz 1, corrected"],
            },
        ),
        ("gradebook.gradebooksetup", {"method": [None, "points"], "scale": [None, "Test scale"]}),
    ]
    assert saved.title == "Quiz 1, corrected"
    assert Category.objects.get(pk=homework.pk).drop_lowest == 1


def test_an_assignment_due_before_it_is_assigned_is_refused(book):
    assignment, _student, teacher = book
    with pytest.raises(ValidationError) as refused:
        assignment_save(
            actor=Actor(user_id=teacher.pk),
            changed_by=teacher,
            section=assignment.section,
            category=assignment.category,
            title="Backwards",
            points_possible=Decimal(10),
            assigned_on=datetime.date(2026, 10, 2),
            due_on=datetime.date(2026, 10, 1),
            visible_at=_at(9),
        )
    assert "due_on" in refused.value.message_dict
    assert Assignment.objects.count() == 1


# --- The worked examples of docs/grading.md, "The release delay" ------------------------------

_BLOCK = re.compile(r"^### (?P<title>.+?)$|^```release-example\n(?P<body>.*?)^```$", re.M | re.S)
_FLAG_WORDS = ("missing", "late", "exempt", "incomplete")


def _values(cell: str) -> dict:
    values: dict = {}
    for part in (p.strip() for p in cell.split(",") if p.strip()):
        if part in _FLAG_WORDS:
            values[part] = True
        else:
            values["points"] = Decimal(part)
    return values


def _shown(seen: FamilyScore | None) -> str:
    if seen is None:
        return "nothing"
    parts = [] if seen.points is None else [f"{seen.points.normalize():f}"]
    parts += [flag for flag in _FLAG_WORDS if getattr(seen, flag)]
    return ", ".join(parts) + (" (updated)" if seen.updated else "")


def _release_examples() -> list[tuple[str, int, list[tuple[str, str, str]]]]:
    examples = []
    title = ""
    for match in _BLOCK.finditer(DOCS.read_text(encoding="utf-8")):
        if match["title"]:
            title = match["title"]
            continue
        head, table = match["body"].strip().split("\n\n")
        minutes = int(re.fullmatch(r"delay: (\d+) minutes", head.strip())[1])  # type: ignore[index]
        rows = [[c.strip() for c in line.split("|")] for line in table.strip().splitlines()[1:]]
        examples.append((title, minutes, [(t, saved, seen) for t, saved, seen in rows]))
    return examples


RELEASE_EXAMPLES = _release_examples()


def test_the_docs_have_release_examples():
    assert len(RELEASE_EXAMPLES) >= 3


@pytest.mark.parametrize(
    ("title", "minutes", "rows"), RELEASE_EXAMPLES, ids=[e[0] for e in RELEASE_EXAMPLES]
)
def test_release_example_from_the_docs(book, settings, title, minutes, rows):
    settings.HOMEROOM_SCORE_RELEASE_MINUTES = minutes
    for time_text, saved, expected in rows:
        hour, minute = (int(part) for part in time_text.split(":"))
        moment = _at(hour, minute)
        if saved:
            with time_machine.travel(moment, tick=False):
                _save(book, **_values(saved))
        assert _shown(_seen(book, moment)) == expected, (title, time_text)
