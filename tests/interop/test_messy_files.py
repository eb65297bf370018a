"""Real files are messy: whatever RFC 4180 and OneRoster allow is read as meant (R61).

fixtures/messy is the valid package with a byte-order mark, CRLF line ends, quoted commas,
quotes and line breaks, unknown extra columns, columns in another order, blank lines,
accents, dates with a time and a zone, dateLastModified without milliseconds or as a date.
"""

import datetime

import pytest

from homeroom.gradebook.models import Category, Score
from homeroom.interop.importer import run_import
from homeroom.sis.models import AcademicSession, Course, Enrollment, Staff, Student
from tests.interop.support import ACTOR, dump, fixture, import_package, problems, zipped

pytestmark = pytest.mark.django_db


def test_a_messy_package_imports_as_meant():
    report = import_package(fixture("messy"))
    assert report.imported, problems(report)
    assert Staff.objects.get(sourced_id="tch-lee").last_name == "Lee, Jr."
    assert Staff.objects.get(sourced_id="adm-park").first_name == 'Sam "Sammy"'
    assert Student.objects.get(sourced_id="stu-cal").legal_first_name == "Calé"
    assert Score.objects.get(sourced_id="res-ana-quiz1").comment == "Good work,\nsee me after class"
    year = AcademicSession.objects.get(sourced_id="year-2027")
    assert year.start_date == datetime.date(2026, 8, 26)
    assert year.source_modified_at == datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC)
    enrollment = Enrollment.objects.get(sourced_id="role-ana")
    assert enrollment.entry_date == datetime.date(2026, 8, 26)
    assert enrollment.source_modified_at == datetime.datetime(2026, 8, 1, 12, tzinfo=datetime.UTC)
    course = Course.objects.get(sourced_id="crs-alg2")
    assert (course.title, course.code, course.subject) == ("Algebra II", "ALG2", "Mathematics")


def test_the_messy_package_and_the_clean_one_give_the_same_record():
    """Quoting, line ends, order of columns and extra columns change nothing that is kept,
    beyond the values that differ on purpose."""
    assert import_package(fixture("messy")).imported
    messy = dump("sis", "gradebook")
    assert import_package(fixture("valid")).imported
    clean = dump("sis", "gradebook")
    changed = {
        label
        for label in clean
        if [row[1:] for row in clean[label]] != [row[1:] for row in messy[label]]
    }
    # Names, the comment and the dates written differently on purpose.
    assert changed <= {
        "sis.Staff",
        "sis.Student",
        "gradebook.Score",
        "sis.AcademicSession",
        "sis.Enrollment",
    }


def test_a_zip_with_the_files_in_a_folder_is_read(tmp_path):
    report = run_import(zipped(fixture("messy"), inside="export/"), actor=ACTOR)
    assert report.imported, problems(report)


def test_categories_shared_by_classes_become_one_per_class(tmp_path):
    """OneRoster categories belong to no class; Homeroom's belong to one section. A category
    used by two classes becomes two, the second with an id derived from both."""
    package = tmp_path / "package"
    import shutil

    shutil.copytree(fixture("valid"), package)
    items = package / "lineItems.csv"
    items.write_text(
        items.read_text().replace("cls-ela3-01,cat-ela-writing", "cls-ela3-01,cat-alg2-hw")
    )
    report = import_package(package)
    assert report.imported, problems(report)
    homework = Category.objects.filter(name="Homework").order_by("section__code", "sourced_id")
    assert homework.count() == 2
    assert {c.section.course.code for c in homework} == {"ALG2", "ELA3"}
    assert "cat-alg2-hw" in {c.sourced_id for c in homework}
    assert report.notes == [
        "categories.csv line 4: the category 'cat-ela-writing' belongs to no class (no "
        "metadata.classSourcedId and no line item uses it); it is left out."
    ]
