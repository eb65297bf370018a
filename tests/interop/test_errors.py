"""A package with a fault is refused whole: every problem as file:line, nothing written (R61).

Each fixture under fixtures/ is the valid package with one fault.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from homeroom.interop import csvio, validation
from tests.interop.support import (
    copy_fixture,
    fixture,
    import_package,
    problems,
    row_counts,
    zipped,
)

pytestmark = pytest.mark.django_db

EXPECTED = {
    "orphan_reference": [
        "enrollments.csv:4: userSourcedId 'stu-nobody' is not a user in users.csv or in "
        "Homeroom, expected the sourcedId of the enrolled user",
    ],
    "bad_enumeration": [
        "classes.csv:2: classType 'lecture' is not allowed, expected one of homeroom, "
        "scheduled or an ext: value",
    ],
    "bad_date": [
        "roles.csv:3: beginDate '2026-02-30' is not a date, expected YYYY-MM-DD (a time may "
        "follow, as in 2026-08-27T00:00:00Z)",
    ],
    "missing_required": [
        "users.csv:8: familyName is empty, expected a value (the column is required)",
    ],
    "manifest_missing_file": [
        "manifest.csv:8: file.courses is 'bulk' but courses.csv is not in the package, "
        "expected the file or file.courses=absent",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_faulty_package_is_refused_with_its_line_and_nothing_changes(name):
    """R61: validated before anything is written; the import is all or nothing."""
    before = row_counts()
    report = import_package(fixture(name))
    assert problems(report) == EXPECTED[name]
    assert not report.imported
    assert row_counts() == before


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_command_prints_the_problems_and_exits_non_zero(name, capsys):
    before = row_counts()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_oneroster", str(fixture(name)), verbosity=0)
    assert capsys.readouterr().err.splitlines() == EXPECTED[name]
    assert row_counts() == before


def test_a_faulty_package_fails_after_the_valid_one_changes_nothing(tmp_path):
    """The second import, faulty, leaves the first one's rows exactly as they were."""
    assert import_package(fixture("valid")).imported
    before = row_counts()
    report = import_package(fixture("orphan_reference"))
    assert not report.ok
    assert row_counts() == before


def test_every_problem_of_a_package_is_reported_at_once(tmp_path):
    package = copy_fixture("valid", tmp_path / "package")
    users = package / "users.csv"
    users.write_text(
        users.read_text()
        .replace(
            "stu-cal,active,2026-08-01T12:00:00.000Z,true,creyes,,Cal,",
            "stu-cal,busy,x,maybe,creyes,,Cal,",
        )
        .replace(",03,,,,,,,org-es,", ",13x,,,,,,,org-es,")
    )
    report = import_package(package)
    assert problems(report) == [
        "users.csv:4: status 'busy' is not allowed, expected active or tobedeleted",
        "users.csv:4: dateLastModified 'x' is not a date and time, expected ISO 8601 such as "
        "2026-08-27T14:05:00.000Z (or a date YYYY-MM-DD)",
        "users.csv:4: enabledUser 'maybe' is not allowed, expected one of true, false",
        "users.csv:4: grades '13x' is not a grade level, expected one of IT, PR, PK, TK, KG, "
        "01, 02, 03, 04, 05, 06, 07, 08, 09, 10, 11, 12, 13, PS, UG, Other",
        "users.csv:4: grades is empty, expected the student's grade level (Homeroom needs it "
        "for a new student)",
    ]


def _write(package, name, text):
    (package / name).write_text(text)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda p: _write(
                p, "orgs.csv", (p / "orgs.csv").read_text().replace("sourcedId,", "SourcedId,")
            ),
            [
                "orgs.csv:1: the column SourcedId is not a OneRoster column, expected sourcedId "
                "(column names are case-sensitive)",
                "orgs.csv:1: the header has no column sourcedId, expected the OneRoster 1.2 "
                "header: sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
            ],
        ),
        (
            lambda p: _write(
                p, "orgs.csv", (p / "orgs.csv").read_text() + 'org-x,active,,"Unclosed,school,,\n'
            ),
            [
                "orgs.csv:5: the CSV cannot be read (unexpected end of data), expected RFC 4180 "
                "fields: a field holding a comma, a quote or a line break is enclosed in "
                '"double quotes", and a quote inside it is written twice ("")',
            ],
        ),
        (
            lambda p: (p / "orgs.csv").write_bytes(
                (p / "orgs.csv").read_bytes().replace(b"Birch", b"B\xe9rch")
            ),
            ["orgs.csv:4: the text is not UTF-8, expected a file saved as UTF-8"],
        ),
        (
            lambda p: _write(p, "orgs.csv", (p / "orgs.csv").read_text() + "org-x,active\n"),
            ["orgs.csv:5: the row has 2 fields, expected 7 (one per column of the header)"],
        ),
        (
            lambda p: _write(
                p, "categories.csv", (p / "categories.csv").read_text().splitlines()[0] + "\n"
            ),
            [
                "categories.csv:2: the file has no rows, expected at least one row (or "
                "file.categories=absent in manifest.csv)"
            ],
        ),
        (
            lambda p: _write(p, "notes.csv", "a,b\n1,2\n"),
            [
                "notes.csv:1: notes.csv is not a OneRoster 1.2 file, expected only the files of "
                "OneRoster 1.2 beside manifest.csv"
            ],
        ),
        (
            lambda p: _write(
                p, "manifest.csv", (p / "manifest.csv").read_text().replace("1.2", "1.1")
            ),
            [
                "manifest.csv:3: oneroster.version is '1.1', expected 1.2 (Homeroom reads "
                "OneRoster 1.2 CSV)"
            ],
        ),
        (
            lambda p: (p / "manifest.csv").unlink(),
            [
                "manifest.csv:0: the package has no manifest.csv, expected manifest.csv at the "
                "root of the zip or folder, beside the other CSV files"
            ],
        ),
        (
            lambda p: _write(
                p,
                "roles.csv",
                (p / "roles.csv").read_text()
                + (p / "roles.csv").read_text().splitlines()[1]
                + "\n",
            ),
            [
                "roles.csv:10: sourcedId 'role-ana' is already used on line 2, expected each "
                "sourcedId once in a file"
            ],
        ),
        (
            lambda p: _write(
                p,
                "academicSessions.csv",
                (p / "academicSessions.csv")
                .read_text()
                .replace(
                    "gradingPeriod,2026-11-09,2027-01-22", "gradingPeriod,2026-11-09,2027-02-22"
                ),
            ),
            [
                "academicSessions.csv:6: the dates 2026-11-09 to 2027-02-22 are not within the "
                "parent session 'sem-fall' (2026-08-26 to 2027-01-22), expected a session inside "
                "its parent"
            ],
        ),
        (
            lambda p: _write(
                p,
                "demographics.csv",
                "\n".join((p / "demographics.csv").read_text().splitlines()[:3]) + "\n",
            ),
            [
                "users.csv:4: the student 'stu-cal' has no birthDate in demographics.csv, expected "
                "one (Homeroom needs a date of birth for a new student)"
            ],
        ),
        (
            lambda p: _write(
                p,
                "results.csv",
                (p / "results.csv")
                .read_text()
                .replace(
                    "li-essay,stu-cal,fully graded,45,,2026-09-16,,,false,true,false",
                    "li-essay,stu-cal,exempt,45,,2026-09-16,,,false,true,true",
                ),
            ),
            [
                "results.csv:5: scoreStatus is exempt and missing is true, expected one or the "
                "other (exempt work cannot be missing)"
            ],
        ),
        (
            lambda p: _write(
                p, "users.csv", (p / "users.csv").read_text().replace(",100002,", ",100001,")
            ),
            [
                "users.csv:3: identifier '100001' is already the identifier of the student on "
                "line 2, expected each student's own"
            ],
        ),
    ],
    ids=[
        "header-case",
        "unclosed-quote",
        "not-utf8",
        "short-row",
        "no-rows",
        "unknown-file",
        "version",
        "no-manifest",
        "duplicate-id",
        "session-outside-parent",
        "new-student-without-birth-date",
        "exempt-and-missing",
        "duplicate-local-id",
    ],
)
def test_what_is_wrong_is_said_with_its_line(tmp_path, change, expected):
    package = copy_fixture("valid", tmp_path / "package")
    change(package)
    before = row_counts()
    report = import_package(package)
    assert problems(report) == expected
    assert row_counts() == before


def test_a_delta_row_needs_its_status_and_date(tmp_path):
    assert import_package(fixture("valid")).imported
    package = copy_fixture("delta_tobedeleted", tmp_path / "package")
    roles = package / "roles.csv"
    roles.write_text(
        roles.read_text().replace("role-ben,tobedeleted,2026-11-20T09:00:00.000Z,", "role-ben,,,")
    )
    report = import_package(package, dry_run=True)
    assert problems(report) == [
        "roles.csv:2: status is empty, expected active or tobedeleted (required in a delta file)",
        "roles.csv:2: dateLastModified is empty, expected a date and time such as "
        "2026-08-27T14:05:00.000Z (required in a delta file)",
    ]


def test_something_that_is_not_a_zip_is_refused_clearly(tmp_path):
    path = tmp_path / "roster.zip"
    path.write_bytes(b"this is not a zip")
    report = import_package(path)
    assert not report.ok
    assert "not a zip file" in problems(report)[0]


def test_a_zip_of_a_folder_is_read_from_that_folder(tmp_path):
    report = import_package(zipped(fixture("valid"), inside="roster-2026/"), dry_run=True)
    assert report.ok, problems(report)


def test_dates_are_read_as_written_with_or_without_a_time():
    assert validation.parse_date("2026-08-27") == validation.parse_date("2026-08-27T23:30:00-04:00")
    moment = validation.parse_datetime("2026-08-27T10:15:30.123456789+02:00")
    assert moment.isoformat() == "2026-08-27T08:15:30.123456+00:00"
    assert validation.parse_datetime("2026-08-27").isoformat() == "2026-08-27T00:00:00+00:00"
    for bad in ("27/08/2026", "2026-8-27", "2026-08-27T25:00:00Z", "2026-08-27 10:00", ""):
        with pytest.raises(ValueError):
            validation.parse_datetime(bad)


def test_records_start_at_the_line_where_they_begin(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b'h1,h2\r\n"two\r\nlines",x\r\n\r\nlast,y')
    with path.open("rb") as raw:
        assert list(csvio.read_records(raw)) == [
            (1, ["h1", "h2"]),
            (2, ["two\r\nlines", "x"]),
            (5, ["last", "y"]),
        ]
