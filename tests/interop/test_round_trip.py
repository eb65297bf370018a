"""Export, import into an empty database, export again: the same files, byte for byte (R64, R65).

And an import is idempotent: the same package twice changes nothing the second time (R61).
"""

import datetime

import pytest

from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from homeroom.demo.district import seed_district
from homeroom.interop import importer
from homeroom.interop.exporter import run_export
from homeroom.sis.models import GuardianLink, Student
from tests.interop.support import (
    dump,
    empty_the_district,
    files_of,
    fixture,
    import_package,
    problems,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)
ACTOR = Actor.system("test")


def export(path, **flags):
    return run_export(path, actor=ACTOR, **flags)


@pytest.fixture
def seeded():
    return seed_district(students=40, seed=3, password="x", today=TODAY)


@pytest.mark.parametrize("fast", [False, True], ids=["bulk_create", "plain-inserts"])
def test_the_demo_district_round_trips_byte_for_byte(seeded, tmp_path, monkeypatch, fast):
    """R64, R65: export, import into an empty database, export again: identical files,
    sourcedIds and dateLastModified kept. Both ways of inserting new rows (the one for large
    tables taken for every table here) give the same."""
    if fast:
        monkeypatch.setattr(importer, "FAST_INSERT", 0)
    first = tmp_path / "first"
    export(first, demographics=True, guardian_contacts=True)
    empty_the_district()
    assert Student.objects.count() == 0
    report = import_package(first)
    assert report.imported, problems(report)
    second = tmp_path / "second"
    export(second, demographics=True, guardian_contacts=True)
    assert files_of(first) == files_of(second)
    assert sorted(files_of(first)) == [
        "academicSessions.csv",
        "categories.csv",
        "classes.csv",
        "courses.csv",
        "demographics.csv",
        "enrollments.csv",
        "lineItems.csv",
        "manifest.csv",
        "orgs.csv",
        "results.csv",
        "roles.csv",
        "users.csv",
    ]


def test_a_package_from_another_system_round_trips_after_its_first_import(tmp_path):
    """What Homeroom writes of a foreign district, it reads back to the same files."""
    assert import_package(fixture("valid")).imported
    first = tmp_path / "first"
    export(first, demographics=True, guardian_contacts=True)
    empty_the_district()
    assert import_package(first).imported
    second = tmp_path / "second"
    export(second, demographics=True, guardian_contacts=True)
    assert files_of(first) == files_of(second)


def test_received_ids_and_dates_are_written_back_as_received(tmp_path):
    """R65: sourcedIds are kept; dateLastModified is kept as received."""
    assert import_package(fixture("valid")).imported
    out = tmp_path / "out"
    export(out)
    roles = (out / "roles.csv").read_text()
    for sid in ("role-ana", "role-rosa", "role-lee", "role-park"):
        assert f"{sid},active,2026-08-01T12:00:00.000Z," in roles
    enrollments = (out / "enrollments.csv").read_text()
    assert (
        "enr-lee-alg2,active,2026-08-01T12:00:00.000Z,cls-alg2-01,org-hs,tch-lee,teacher,true"
        in enrollments
    )
    assert (
        "stu-ana,active,2026-08-01T12:00:00.000Z,true,,{SASID:1234567890},Ana,Reyes,Lucia,100001"
        in (out / "users.csv").read_text()
    )


def test_importing_the_same_package_twice_changes_nothing(seeded, tmp_path):
    """R61: idempotent on sourcedId; the second import finds nothing to do."""
    package = tmp_path / "package"
    export(package, demographics=True)
    assert import_package(package).imported
    before = dump()
    report = import_package(package)
    assert report.imported
    assert dump() == before
    assert all(c.added == c.changed == c.removed == 0 for c in report.counts.values())
    assert report.counts["results"].unchanged > 0


def test_a_foreign_package_imported_twice_changes_nothing():
    first = import_package(fixture("valid"))
    assert first.imported, problems(first)
    before = dump()
    second = import_package(fixture("valid"))
    assert dump() == before
    assert {name: c.as_dict() for name, c in second.counts.items() if c.total} == {}


def test_new_links_wait_for_activation_and_stable_ids(tmp_path):
    """R14, R62: a link from an import is a relationship only; its portal access waits for
    an activation code. Its id is derived from the two people, the same in any database."""
    assert import_package(fixture("valid")).imported
    links = GuardianLink.objects.order_by("sourced_id")
    assert {link.portal_status for link in links} == {GuardianLink.PortalStatus.NOT_ACTIVATED}
    assert all(link.activated_at is None for link in links)
    ids = [link.sourced_id for link in links]
    empty_the_district()
    assert import_package(fixture("valid")).imported
    assert [link.sourced_id for link in GuardianLink.objects.order_by("sourced_id")] == ids


def test_an_import_is_audited_with_counts_only():
    """R50: one event per import, in its transaction, with counts per file and no contents."""
    before = AuditEvent.objects.filter(action=Action.IMPORT).count()
    report = import_package(fixture("valid"))
    assert report.imported
    events = AuditEvent.objects.filter(action=Action.IMPORT).order_by("-seq")
    assert events.count() == before + 1
    detail = events.first().detail  # type: ignore[union-attr]
    assert detail["counts"]["users"]["added"] == 8
    assert detail["counts"]["results"]["added"] == 4
    assert "Reyes" not in str(detail)


def test_a_dry_run_reports_the_counts_and_writes_nothing():
    before = dump()
    events = AuditEvent.objects.count()
    report = import_package(fixture("valid"), dry_run=True)
    assert report.ok and not report.imported
    assert report.counts["users"].added == 8
    assert report.counts["guardianLinks"].added == 3
    assert dump() == before
    assert AuditEvent.objects.count() == events
