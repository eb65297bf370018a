"""A student's record as staff see it on one page: who and where, this term's classes, the
school year's attendance, current grades. Reached only through `access.staff.open_student`.
A constant number of queries, however long the record."""

import dataclasses
import datetime

from homeroom.attendance import selectors as attendance
from homeroom.gradebook import selectors as gradebook
from homeroom.gradebook.selectors import CourseGrade
from homeroom.sis.models import Enrollment, Roster, Student


@dataclasses.dataclass(frozen=True)
class StaffStudentRecord:
    student: Student
    enrollment: Enrollment | None
    rosters: list[Roster]
    attendance: attendance.AttendanceSummary
    grades: list[CourseGrade]


def student_record(
    student: Student, today: datetime.date, now: datetime.datetime
) -> StaffStudentRecord:
    enrollment = (
        Enrollment.objects.current(today)
        .filter(student=student)
        .select_related("school")
        .order_by("-entry_date")
        .first()
    )
    year = attendance.school_year_of(today)
    start = year.start_date if year else today
    end = min(year.end_date, today) if year else today
    days = attendance.enrolled_school_days([student.pk], start, end).get(student.pk, {})
    marks = attendance.effective_marks([student.pk], start, end).get(student.pk, {})
    rosters = gradebook.current_rosters([student.pk], today)
    grades, _next = gradebook.course_grades_until(rosters, now)
    return StaffStudentRecord(
        student=student,
        enrollment=enrollment,
        rosters=rosters,
        attendance=attendance.summarise(days.keys(), marks),
        grades=grades.get(student.pk, []),
    )
