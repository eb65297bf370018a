"""The admin page: upload, a dry run showing what would change, then the confirmed import,
with its progress streamed into the page. For the registrar, district administrators and
superusers only (R61; access/roles.py)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from homeroom.access import roles
from homeroom.audit.models import Action, AuditEvent
from homeroom.interop.models import ImportRun
from homeroom.sis.models import Student
from tests import builders, personas
from tests.interop.support import fixture, row_counts, zipped

pytestmark = pytest.mark.django_db

ADD = "admin:interop_importrun_add"


def staff_in(group: str):
    user = builders.user(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def signed_in(client, user):
    """Staff reach the admin with a verified second factor (R41)."""
    client.force_login(user)
    return personas.mfa_verified(client, user)


def upload(client, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    package = SimpleUploadedFile(f"{name}.zip", zipped(fixture(name)), "application/zip")
    return client.post(reverse(ADD), {"package": package})


def page(response) -> str:
    assert response.streaming, "the page streams its progress"
    return b"".join(response.streaming_content).decode()


def test_the_registrar_checks_then_imports_a_package(client):
    registrar = staff_in(roles.REGISTRAR)
    signed_in(client, registrar)
    before = row_counts()

    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:interop_importrun_changelist") in index
    uploaded = upload(client, "valid")
    run = ImportRun.objects.get()
    assert uploaded.status_code == 302
    assert uploaded["Location"] == reverse("admin:interop_importrun_check", args=[run.pk])

    checked = page(client.get(uploaded["Location"]))
    assert "<li>Checking orgs…</li>" in checked
    assert '<th scope="row">users.csv</th><td>8</td>' in checked
    assert "Import now" in checked
    assert Student.objects.count() == 0
    before.pop("interop.ImportRun")
    after = row_counts()
    after.pop("interop.ImportRun")
    assert after == before

    imported = page(client.post(reverse("admin:interop_importrun_import", args=[run.pk])))
    assert "<li>Adding 3 students…</li>" in imported
    assert "Rows imported, file by file" in imported
    assert Student.objects.count() == 3
    run.refresh_from_db()
    assert run.status == ImportRun.Status.IMPORTED
    assert bytes(run.package) == b""
    event = AuditEvent.objects.filter(action=Action.IMPORT).get()
    assert event.actor_id == registrar.pk

    listing = client.get(reverse("admin:interop_importrun_changelist"))
    assert listing.status_code == 200
    assert "valid.zip" in listing.content.decode()
    detail = client.get(reverse("admin:interop_importrun_change", args=[run.pk]))
    assert detail.status_code == 200
    assert "Imported" in detail.content.decode()


def test_a_faulty_package_shows_its_problems_and_is_not_kept(client):
    signed_in(client, staff_in(roles.DISTRICT_ADMINISTRATOR))
    before = row_counts()
    response = upload(client, "orphan_reference")
    checked = page(client.get(response["Location"]))
    assert "enrollments.csv:4: userSourcedId &#x27;stu-nobody&#x27; is not a user" in checked
    assert "Import now" not in checked
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED
    assert bytes(run.package) == b""
    # Confirming anyway does nothing.
    refused = client.post(reverse("admin:interop_importrun_import", args=[run.pk]))
    assert refused.status_code == 302
    after = row_counts()
    before.pop("interop.ImportRun")
    after.pop("interop.ImportRun")
    assert after == before


def test_technology_staff_and_teachers_cannot_import(client):
    """R12: least privilege; importing the roster is the registrar's work."""
    signed_in(client, staff_in(roles.TECHNOLOGY))
    assert client.get(reverse(ADD)).status_code == 403
    assert client.get(reverse("admin:interop_importrun_changelist")).status_code == 403
    assert (
        reverse("admin:interop_importrun_changelist")
        not in client.get(reverse("admin:index")).content.decode()
    )
    signed_in(client, builders.user())
    assert client.get(reverse(ADD)).status_code == 302


def test_a_superuser_may_import(client, admin_user):
    signed_in(client, admin_user)
    assert client.get(reverse(ADD)).status_code == 200
