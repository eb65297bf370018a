"""Parsing what teachers and the office send. Forms check and convert; the services decide.

The attendance sheet and the score grid are many small inputs named by student (and
assignment) id, so they are read by small classes here rather than by one Django form field
per input. A cell or a row the person did not touch is recognised by the value the page was
drawn with (sent back in a hidden input) and is left alone, so a page opened a while ago
cannot undo a colleague's later change to other students.
"""

import dataclasses
import datetime
import hashlib
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homeroom.attendance.models import AttendanceCode
from homeroom.attendance.services import COMMENT_LIMIT, MarkEntry
from homeroom.classroom.selectors import (
    FLAG_LETTERS,
    AssignmentRow,
    AttendanceSheet,
    Gradebook,
    GridCell,
    GridRow,
    SheetRow,
    points_text,
)
from homeroom.gradebook.models import (
    Assignment,
    Category,
    GradebookSetup,
    GradingMethod,
    GradingScale,
)
from homeroom.gradebook.services import ScoreEntry, ScoreValues


def parse_day(raw: str | None, default: datetime.date) -> tuple[datetime.date, str]:
    """A date from the address (YYYY-MM-DD), or the default with a message saying why."""
    if not raw:
        return default, ""
    try:
        return datetime.date.fromisoformat(raw), ""
    except ValueError:
        return default, _("“%(value)s” is not a date in the form YYYY-MM-DD; showing %(day)s.") % {
            "value": raw[:20],
            "day": default.isoformat(),
        }


# --- Attendance -------------------------------------------------------------------------------


class AttendanceForm:
    """One code and one comment per student on the sheet: `code-<student id>`,
    `comment-<student id>`."""

    def __init__(self, sheet: AttendanceSheet, data: Mapping[str, str] | None = None) -> None:
        self.sheet = sheet
        self.data = data
        self.errors: dict[int, str] = {}
        self.entries: dict[int, MarkEntry] = {}

    def is_valid(self) -> bool:
        assert self.data is not None
        codes = {str(code.pk): code for code in self.sheet.codes}
        # A row sent without a code keeps the code the page showed as chosen: present, for a
        # student not marked yet.
        for row in self.sheet.rows:
            sid = row.student.pk
            raw = self.data.get(f"code-{sid}", str(self.sheet.chosen(row) or ""))
            comment = self.data.get(f"comment-{sid}", "").strip()
            if raw not in codes:
                self.errors[sid] = _("Choose a code for %(name)s.") % {
                    "name": row.student.display_name
                }
                continue
            if len(comment) > COMMENT_LIMIT:
                self.errors[sid] = _(
                    "The comment for %(name)s is longer than %(limit)d characters."
                ) % {
                    "name": row.student.display_name,
                    "limit": COMMENT_LIMIT,
                }
                continue
            self.entries[sid] = MarkEntry(codes[raw].pk, comment)
        return not self.errors

    def lines(self) -> list["SheetLine"]:
        """Each row as the page shows it: what was sent, after an error; else what is saved,
        or the default present code where nothing is."""
        lines = []
        for row in self.sheet.rows:
            sid = row.student.pk
            chosen: int | None = self.sheet.chosen(row)
            comment = row.mark.comment if row.mark is not None else ""
            if self.data is not None:
                raw = self.data.get(f"code-{sid}", "")
                chosen = int(raw) if raw.isdigit() else None
                comment = self.data.get(f"comment-{sid}", "")
            lines.append(SheetLine(row, chosen, comment, self.errors.get(sid, "")))
        return lines


@dataclasses.dataclass(frozen=True)
class SheetLine:
    row: SheetRow
    chosen: int | None
    comment: str
    error: str


# --- Scores -----------------------------------------------------------------------------------

_LETTER_FLAGS = {letter: flag for flag, letter in FLAG_LETTERS.items()}
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[.,]\d+|[A-Za-z]|\S")


def parse_points(text: str) -> Decimal | None:
    """Points as a person types them: "8", "8.5" or "8,5"; empty for none."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            _("“%(text)s” is not a number of points.") % {"text": text[:20]}
        ) from None
    if not value.is_finite() or value < 0:
        raise ValidationError(_("Points cannot be negative."))
    return value


def parse_cell(text: str) -> ScoreValues:
    """A grid cell: points and/or flag letters, in any order ("8.5", "M", "7 L", "5 I").

    M missing, L late, X exempt, I incomplete. An empty cell clears the score's points and
    flags. The comment is kept (None): comments are written on the assignment's page.
    """
    points: Decimal | None = None
    flags: set[str] = set()
    for token in _TOKEN.findall(text):
        letter = token.upper()
        if letter in _LETTER_FLAGS:
            flags.add(_LETTER_FLAGS[letter])
        elif token[0].isdigit() or token[0] in ".,":
            if points is not None:
                raise ValidationError(_("Type one number of points in a cell."))
            points = parse_points(token)
        else:
            raise ValidationError(
                _(
                    "“%(text)s” is not a score: type points such as 8.5, or M (missing), "
                    "L (late), X (exempt), I (incomplete)."
                )
                % {"text": text.strip()[:20]}
            )
    values = ScoreValues(
        points=points,
        missing="missing" in flags,
        late="late" in flags,
        exempt="exempt" in flags,
        incomplete="incomplete" in flags,
    )
    values.check()
    return values


def cell_name(assignment_id: int, student_id: int) -> str:
    return f"c-{assignment_id}-{student_id}"


class GridForm:
    """The score grid: `c-<assignment>-<student>` holds the cell, `o-…` the text it was drawn
    with. Only cells whose text changed are sent to the service."""

    def __init__(self, book: Gradebook, data: Mapping[str, str] | None = None) -> None:
        self.book = book
        self.data = data
        self.errors: dict[str, str] = {}
        self.entries: list[ScoreEntry] = []
        # What the service refused, if anything, after the cells themselves were fine.
        self.problem = ""

    def is_valid(self) -> bool:
        assert self.data is not None
        for row in self.book.rows:
            for cell in row.cells:
                name = cell_name(cell.assignment.pk, row.student.pk)
                if name not in self.data:
                    continue
                sent = self.data[name]
                original = self.data.get(f"o-{name[2:]}", cell.text)
                if " ".join(sent.split()).upper() == " ".join(original.split()).upper():
                    continue
                try:
                    values = parse_cell(sent)
                except ValidationError as error:
                    self.errors[name] = " ".join(error.messages)
                    continue
                self.entries.append(ScoreEntry(cell.assignment.pk, row.student.pk, values))
        return not self.errors

    def summary(self) -> list[tuple[str, str]]:
        """Each problem with the cell it is in, for the list at the top of the page."""
        found = []
        if self.problem:
            found.append(("", self.problem))
        for row in self.book.rows:
            for cell in row.cells:
                name = cell_name(cell.assignment.pk, row.student.pk)
                if name in self.errors:
                    found.append(
                        (
                            name,
                            f"{row.student.display_name}, {cell.assignment.title}: "
                            f"{self.errors[name]}",
                        )
                    )
        return found

    def lines(self) -> list["GridLine"]:
        """The grid as the page shows it: what was sent, after an error; else what is saved."""
        lines = []
        for row in self.book.rows:
            inputs = []
            for cell in row.cells:
                name = cell_name(cell.assignment.pk, row.student.pk)
                original = cell.text
                value = original
                if self.data is not None and name in self.data:
                    value = self.data[name]
                    original = self.data.get(f"o-{name[2:]}", original)
                inputs.append(GridInput(cell, name, value, original, self.errors.get(name, "")))
            lines.append(GridLine(row, inputs))
        return lines


@dataclasses.dataclass(frozen=True)
class GridInput:
    cell: GridCell
    name: str
    value: str
    # The text the cell was first drawn with, sent back to tell a touched cell.
    original: str
    error: str


@dataclasses.dataclass(frozen=True)
class GridLine:
    row: GridRow
    inputs: list[GridInput]


def row_digest(points: str, flags: set[str], comment: str) -> str:
    """A short fingerprint of a row as the page showed it (see the module's text)."""
    text = "\x1f".join([points, ",".join(sorted(flags)), comment])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def score_digest(row: AssignmentRow) -> str:
    score = row.score
    if score is None:
        return row_digest("", set(), "")
    flags = {flag for flag in FLAG_LETTERS if getattr(score, flag)}
    return row_digest(points_text(score.points), flags, score.comment)


class AssignmentScoresForm:
    """One assignment's scores: `p-<student>` points, `<flag>-<student>` checkboxes,
    `comment-<student>`, `o-<student>` the row's fingerprint as drawn."""

    def __init__(
        self, assignment: Assignment, rows: list[AssignmentRow], data: Mapping | None = None
    ) -> None:
        self.assignment = assignment
        self.rows = rows
        self.data = data
        self.errors: dict[int, str] = {}
        self.entries: list[ScoreEntry] = []
        self.problem = ""

    def is_valid(self) -> bool:
        assert self.data is not None
        for row in self.rows:
            sid = row.student.pk
            if f"p-{sid}" not in self.data:
                continue
            points_raw = self.data.get(f"p-{sid}", "")
            flags = {flag for flag in FLAG_LETTERS if self.data.get(f"{flag}-{sid}")}
            comment = self.data.get(f"comment-{sid}", "").strip()
            sent = row_digest(points_raw.strip().replace(",", "."), flags, comment)
            if sent == self.data.get(f"o-{sid}", score_digest(row)):
                continue
            try:
                values = ScoreValues(
                    points=parse_points(points_raw),
                    comment=comment,
                    **{flag: True for flag in flags},
                )
                values.check()
            except ValidationError as error:
                self.errors[sid] = " ".join(error.messages)
                continue
            self.entries.append(ScoreEntry(self.assignment.pk, sid, values))
        return not self.errors

    def lines(self) -> list["ScoreLine"]:
        """Each row as the page shows it: what was sent, after an error; else what is saved."""
        lines = []
        for row in self.rows:
            sid = row.student.pk
            score = row.score
            if self.data is not None and f"p-{sid}" in self.data:
                points = self.data.get(f"p-{sid}", "")
                flags = {flag for flag in FLAG_LETTERS if self.data.get(f"{flag}-{sid}")}
                comment = self.data.get(f"comment-{sid}", "")
                digest = self.data.get(f"o-{sid}", score_digest(row))
            else:
                points = points_text(score.points) if score else ""
                flags = {flag for flag in FLAG_LETTERS if score and getattr(score, flag)}
                comment = score.comment if score else ""
                digest = score_digest(row)
            lines.append(
                ScoreLine(row, points, frozenset(flags), comment, digest, self.errors.get(sid, ""))
            )
        return lines


@dataclasses.dataclass(frozen=True)
class ScoreLine:
    row: AssignmentRow
    points: str
    flags: frozenset[str]
    comment: str
    digest: str
    error: str


# --- The grade book's setup, categories and assignments ---------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class SetupForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("Grading method"), choices=GradingMethod.choices)
    scale = forms.ModelChoiceField(
        label=gettext_lazy("Grading scale"),
        queryset=GradingScale.objects.order_by("name"),
        empty_label=None,
    )


class CategoryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    weight = forms.DecimalField(
        label=gettext_lazy("Weight"), min_value=0, max_digits=5, decimal_places=2
    )
    drop_lowest = forms.IntegerField(
        label=gettext_lazy("Drop the lowest"), min_value=0, max_value=50, initial=0
    )


class SetupForms:
    """The setup page's forms: the method and scale, one per category, and a new category.
    Only the form whose Save button was pressed (the `action` sent) is bound."""

    def __init__(
        self,
        current: GradebookSetup | None,
        categories: list[Category],
        data: Mapping[str, str] | None = None,
    ) -> None:
        action = data.get("action", "") if data is not None else ""
        self.setup = SetupForm(
            data if action == "setup" else None,
            initial={
                "method": current.method if current else GradingMethod.WEIGHTED,
                "scale": current.scale_id
                if current
                else GradingScale.objects.values_list("pk", flat=True).first(),
            },
            prefix="setup",
        )
        self.categories = [
            (
                category,
                CategoryForm(
                    data if action == f"category-{category.pk}" else None,
                    initial={
                        "name": category.name,
                        "weight": category.weight,
                        "drop_lowest": category.drop_lowest,
                    },
                    prefix=f"category-{category.pk}",
                ),
            )
            for category in categories
        ]
        self.new = CategoryForm(data if action == "new" else None, prefix="new")
        by_action: dict[str, forms.Form] = {"setup": self.setup, "new": self.new}
        by_action |= {f"category-{c.pk}": form for c, form in self.categories}
        self.bound = by_action.get(action)

    def category_of(self, form: forms.Form | None) -> Category | None:
        """The category a bound form changes; None for the new category's form."""
        return next((c for c, f in self.categories if f is form), None)


class AssignmentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), queryset=Category.objects.none(), empty_label=None
    )
    points_possible = forms.DecimalField(
        label=gettext_lazy("Points possible"), max_digits=7, decimal_places=2, min_value=0.01
    )
    assigned_on = forms.DateField(
        label=gettext_lazy("Assigned on"), required=False, widget=DateInput()
    )
    due_on = forms.DateField(label=gettext_lazy("Due"), widget=DateInput())
    visible_at = forms.DateTimeField(
        label=gettext_lazy("Families see it from"),
        widget=DateTimeInput(),
        help_text=gettext_lazy(
            "Families see the assignment, and its scores once released, from this moment."
        ),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, categories, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        assigned, due = cleaned.get("assigned_on"), cleaned.get("due_on")
        if assigned and due and due < assigned:
            self.add_error("due_on", _("The due date cannot be before the day it is assigned."))
        return cleaned

    @staticmethod
    def initial_for(assignment: Assignment | None, today: datetime.date) -> dict:
        if assignment is None:
            now = timezone.localtime()
            return {
                "due_on": today,
                "assigned_on": today,
                "visible_at": now.replace(second=0, microsecond=0),
            }
        return {
            "title": assignment.title,
            "category": assignment.category_id,
            "points_possible": assignment.points_possible,
            "assigned_on": assignment.assigned_on,
            "due_on": assignment.due_on,
            "visible_at": timezone.localtime(assignment.visible_at),
            "description": assignment.description,
        }


# --- The office -------------------------------------------------------------------------------


class OfficeMarkForm(forms.Form):
    code = forms.ModelChoiceField(
        label=gettext_lazy("Code for the day"),
        queryset=AttendanceCode.objects.filter(active=True).order_by("sort_order", "code"),
        empty_label=None,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=COMMENT_LIMIT,
        help_text=gettext_lazy("Who told the office what, e.g. “Parent called: illness”."),
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"), max_length=COMMENT_LIMIT, required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label_from_instance = (  # type: ignore[attr-defined]
            lambda code: f"{code.code} – {code.explanation}"
        )


class ReasonForm(forms.Form):
    """Why a member of staff needs a record outside their own students (break-glass)."""

    reason = forms.CharField(
        label=_("Your reason"),
        help_text=_(
            "What your work needs now, for example “covering Ms. Taylor's class today, "
            "student unwell: parent's phone number”."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
