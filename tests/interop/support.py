"""Helpers for the interchange tests: fixture packages, row counts, a dump of the record."""

import io
import shutil
import zipfile
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection

from homeroom.audit.services import Actor
from homeroom.interop.importer import Report, run_import
from homeroom.sis.models import Guardian

FIXTURES = Path(__file__).parent / "fixtures"
ACTOR = Actor.system("test")

# The apps whose rows an import may write, and those it must never touch.
RECORD_APPS = ("sis", "gradebook", "attendance", "access", "accounts", "interop")


def fixture(name: str) -> Path:
    return FIXTURES / name


def copy_fixture(name: str, target: Path) -> Path:
    shutil.copytree(fixture(name), target)
    return target


def zipped(folder: Path, *, inside: str = "") -> bytes:
    """The package as the bytes of a zip, its files at the root or in a folder `inside`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{inside}{path.name}")
    return buffer.getvalue()


def import_package(location: Any, *, dry_run: bool = False) -> Report:
    return run_import(location, actor=ACTOR, dry_run=dry_run)


def problems(report: Report) -> list[str]:
    return [str(p) for p in report.problems]


def row_counts() -> dict[str, int]:
    """How many rows every model holds, the audit log included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy
    }


def dump(*labels: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the given apps' models, all fields, in primary-key order."""
    result = {}
    for label in labels or RECORD_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.proxy:
                continue
            names = [f.attname for f in model._meta.concrete_fields]
            result[model._meta.label] = list(
                model._default_manager.order_by("pk").values_list(*names)
            )
    return result


def empty_the_district() -> None:
    """Delete every row an import can write, as a fresh database would have none.

    Raw DELETEs in the test's transaction (rolled back after the test); foreign keys are
    checked at commit on both databases, and the test never commits.
    """
    tables = [
        model._meta.db_table
        for label in ("privacy", "records", "attendance", "gradebook", "access", "interop", "sis")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if not model._meta.proxy and model._meta.managed
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


# --- Small delta packages written by a test ----------------------------------------------------

MANIFEST_DELTA = """propertyName,value
manifest.version,1.0
oneroster.version,1.2
{files}source.systemName,Test SIS
"""
USERS_HEADER = (
    "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,"
    "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,"
    "userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,"
    "preferredFamilyName,primaryOrgSourcedId,pronouns"
)
ROLES_HEADER = (
    "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
    "orgSourcedId,userProfileSourcedId"
)
STAMP = "2026-11-20T09:00:00.000Z"


def delta(tmp_path: Path, **files: str) -> Path:
    """A delta package of the given files (name → rows after the header)."""
    folder = tmp_path / "delta"
    folder.mkdir(parents=True)
    headers = {"users": USERS_HEADER, "roles": ROLES_HEADER}
    declared = "".join(f"file.{name},delta\n" for name in files)
    (folder / "manifest.csv").write_text(MANIFEST_DELTA.format(files=declared))
    for name, rows in files.items():
        (folder / f"{name}.csv").write_text(headers[name] + "\n" + rows)
    return folder


def guardian_row(guardian: Guardian, agents: list[str]) -> str:
    names = ",".join(sorted(agents))
    return (
        f"{guardian.sourced_id},active,{STAMP},true,,,{guardian.first_name},"
        f'{guardian.last_name},,,,,,"{names}",,,,,,,,,\n'
    )
