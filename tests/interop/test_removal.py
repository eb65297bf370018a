"""Removal by import ends access at once and keeps the records (R63, R33); an import never
weakens what only Homeroom holds (R62)."""

import datetime
import shutil

import pytest

from homeroom.lib import clock
from homeroom.sis.models import (
    Enrollment,
    Guardian,
    GuardianLink,
    Roster,
    SectionTeacher,
    Student,
)
from tests.interop.support import (
    delta,
    fixture,
    guardian_row,
    import_package,
    problems,
    row_counts,
)

pytestmark = pytest.mark.django_db


def test_a_delta_ends_links_enrollments_and_class_places_and_keeps_the_rows():
    """R63, R33: tobedeleted ends at once; no education record is deleted."""
    assert import_package(fixture("valid")).imported
    before = row_counts()
    report = import_package(fixture("delta_tobedeleted"))
    assert report.imported, problems(report)
    today = clock.today()
    yesterday = today - datetime.timedelta(days=1)
    assert (
        GuardianLink.objects.get(
            guardian__sourced_id="par-rosa", student__sourced_id="stu-cal"
        ).ended_on
        == today
    )
    assert (
        GuardianLink.objects.get(
            guardian__sourced_id="par-rosa", student__sourced_id="stu-ana"
        ).ended_on
        is None
    )
    ben = Enrollment.objects.get(sourced_id="role-ben")
    assert (ben.exit_date, ben.exit_reason) == (yesterday, Enrollment.ExitReason.OTHER)
    assert Roster.objects.get(sourced_id="enr-ana-alg2").end_date == yesterday
    assert not SectionTeacher.objects.filter(staff__sourced_id="tch-kim").exists()
    after = row_counts()
    for label in (
        "sis.Student",
        "sis.Enrollment",
        "sis.Roster",
        "sis.GuardianLink",
        "gradebook.Score",
    ):
        assert after[label] == before[label], label
    assert report.counts["guardianLinks"].removed == 1
    assert report.counts["roles"].removed == 1
    assert report.counts["enrollments"].removed == 2


def test_a_bulk_file_that_leaves_a_student_out_ends_the_students_access(tmp_path):
    """R63: in bulk, absence is removal; the student's record stays."""
    assert import_package(fixture("valid")).imported
    package = tmp_path / "package"
    shutil.copytree(fixture("valid"), package)
    for name in ("users", "roles", "enrollments", "demographics", "results"):
        path = package / f"{name}.csv"
        lines = path.read_text().replace(",stu-ben,,", ",,,").splitlines(True)
        path.write_text("".join(line for line in lines if "stu-ben" not in line))
    report = import_package(package)
    assert report.imported, problems(report)
    yesterday = clock.today() - datetime.timedelta(days=1)
    assert Student.objects.filter(sourced_id="stu-ben").exists()
    assert Enrollment.objects.get(sourced_id="role-ben").exit_date == yesterday
    assert Roster.objects.get(sourced_id="enr-ben-alg2").end_date == yesterday
    assert GuardianLink.objects.get(student__sourced_id="stu-ben").ended_on == clock.today()
    assert report.counts["users"].removed == 1


def test_a_delta_without_roles_keeps_each_links_relationship(tmp_path):
    """The relationship comes from a guardian's role; a users-only delta names none, so
    Ngozi stays Ben's legal guardian (not 'parent') and her new link to Cal says so too."""
    assert import_package(fixture("valid")).imported
    ngozi = Guardian.objects.get(sourced_id="par-ngozi")
    report = import_package(delta(tmp_path, users=guardian_row(ngozi, ["stu-ben", "stu-cal"])))
    assert report.imported, problems(report)
    relationships = set(
        GuardianLink.objects.filter(guardian=ngozi).values_list("relationship", flat=True)
    )
    assert relationships == {GuardianLink.Relationship.GUARDIAN}
