"""export_oneroster: a valid OneRoster 1.2 package, scoped to what is asked, audited (R64)."""

import csv
import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from homeroom.interop.exporter import ExportRefused, run_export
from homeroom.interop.models import ExportClock
from homeroom.lib import oneroster
from homeroom.sis.models import Guardian
from tests.interop.support import fixture, import_package, problems

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("test")


@pytest.fixture
def district():
    report = import_package(fixture("valid"))
    assert report.imported, problems(report)


def rows(path, name):
    with (path / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_by_default_birth_dates_and_guardian_contacts_stay_out(district, tmp_path):
    """R64: demographics.csv and guardians' email and phone only when asked for."""
    out = tmp_path / "out"
    run_export(out, actor=ACTOR)
    assert not (out / "demographics.csv").exists()
    manifest = dict(csv.reader((out / "manifest.csv").open()))
    assert manifest["file.demographics"] == "absent"
    guardians = {g.sourced_id for g in Guardian.objects.all()}
    for row in rows(out, "users"):
        if row["sourcedId"] in guardians:
            assert (row["email"], row["phone"], row["sms"]) == ("", "", "")
    assert "rosa.reyes@example.com" not in (out / "users.csv").read_text()


def test_asked_for_they_are_there(district, tmp_path):
    out = tmp_path / "out"
    run_export(out, actor=ACTOR, demographics=True, guardian_contacts=True)
    births = {row["sourcedId"]: row["birthDate"] for row in rows(out, "demographics")}
    assert births == {"stu-ana": "2010-04-17", "stu-ben": "2010-09-02", "stu-cal": "2018-01-09"}
    rosa = next(row for row in rows(out, "users") if row["sourcedId"] == "par-rosa")
    assert (rosa["email"], rosa["phone"]) == ("rosa.reyes@example.com", "(860) 555-0142")


def test_the_export_is_a_package_the_import_accepts(district, tmp_path):
    """R64: the export conforms to the import's validator; headers are OneRoster 1.2's."""
    out = tmp_path / "out.zip"
    run_export(out, actor=ACTOR, demographics=True)
    with zipfile.ZipFile(out) as archive:
        names = sorted(archive.namelist())
        for name in names:
            if name == "manifest.csv":
                continue
            header = archive.read(name).decode().split("\r\n", 1)[0].split(",")
            spec = oneroster.SPECS[name.removesuffix(".csv")]
            assert header[: len(spec.columns)] == list(spec.columns)
            assert header[len(spec.columns) :] == (
                ["metadata.classSourcedId", "metadata.dropLowest"]
                if name == "categories.csv"
                else []
            )
    report = import_package(out, dry_run=True)
    assert report.ok, problems(report)


def test_userids_carry_the_sasid_and_sourcedids_are_kept(district, tmp_path):
    """R64, R65."""
    out = tmp_path / "out"
    run_export(out, actor=ACTOR)
    ana = next(row for row in rows(out, "users") if row["sourcedId"] == "stu-ana")
    assert ana["userIds"] == "{SASID:1234567890}"
    assert ana["identifier"] == "100001"
    assert ana["agentSourcedIds"] == "par-rosa"


def test_every_export_is_audited_with_counts_and_flags(district, tmp_path):
    """R50, R64."""
    run_export(tmp_path / "out", actor=ACTOR, guardian_contacts=True)
    event = AuditEvent.objects.filter(action=Action.EXPORT).get()
    assert event.detail["counts"]["users"] == 8
    assert event.detail["demographics"] is False
    assert event.detail["guardian_contacts"] is True
    assert event.object_type == "interop.oneroster"


def test_every_export_alerts_technology_staff(
    district, tmp_path, settings, smtp_server, django_capture_on_commit_callbacks
):
    """Issue 5: any bulk export raises an alert, mailed through a real SMTP server."""
    settings.HOMEROOM_TECHNOLOGY_EMAIL = "technology@district.test"
    with django_capture_on_commit_callbacks(execute=True):
        run_export(tmp_path / "out", actor=ACTOR)
    alert = AuditEvent.objects.get(action=Action.SECURITY)
    assert alert.detail["rule"] == "export" and alert.detail["rows"] > 0
    [message] = smtp_server.messages
    assert message.rcpt_tos == ["technology@district.test"]
    assert b"OneRoster" in message.content


def test_only_narrows_the_package_to_a_vendors_scope(district, tmp_path):
    out = tmp_path / "out"
    run_export(out, actor=ACTOR, only=["orgs", "classes", "users", "enrollments"])
    assert sorted(p.name for p in out.iterdir()) == [
        "classes.csv",
        "enrollments.csv",
        "manifest.csv",
        "orgs.csv",
        "users.csv",
    ]
    with pytest.raises(ExportRefused, match="unknown file"):
        run_export(tmp_path / "other", actor=ACTOR, only=["grades"])


def test_a_record_homeroom_created_keeps_the_date_of_the_first_export(tmp_path):
    """Rows no import dated carry the moment of the first export, the same ever after."""
    from tests import builders

    builders.enrollment(builders.student())
    run_export(tmp_path / "a", actor=ACTOR, only=["users"])
    stamp = ExportClock.objects.get().first_export_at
    run_export(tmp_path / "b", actor=ACTOR, only=["users"])
    first, second = (
        (tmp_path / "a" / "users.csv").read_bytes(),
        (tmp_path / "b" / "users.csv").read_bytes(),
    )
    assert first == second
    assert stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z") in first.decode()


def test_the_command_refuses_a_folder_that_holds_files(district, tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="already exists"):
        call_command("export_oneroster", str(tmp_path), verbosity=0)
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_the_command_writes_a_zip(district, tmp_path):
    out = io.StringIO()
    call_command(
        "export_oneroster", str(tmp_path / "district.zip"), "--with-demographics", stdout=out
    )
    assert "Exported" in out.getvalue()
    with zipfile.ZipFile(tmp_path / "district.zip") as archive:
        assert "demographics.csv" in archive.namelist()
