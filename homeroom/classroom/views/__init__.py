"""Teacher and office pages. Each reaches a section or a student only through the staff door
(`homeroom.access.staff`), reads through `classroom.selectors` and writes through the
attendance and grade book services, which audit every change."""

from homeroom.classroom.views.office import office, office_student
from homeroom.classroom.views.students import caseload, student
from homeroom.classroom.views.teacher import (
    assignment,
    assignment_edit,
    assignment_new,
    attendance,
    gradebook,
    history,
    home,
    mark_missing,
    setup,
)

__all__ = [
    "assignment",
    "assignment_edit",
    "assignment_new",
    "attendance",
    "caseload",
    "gradebook",
    "history",
    "home",
    "mark_missing",
    "office",
    "office_student",
    "setup",
    "student",
]
