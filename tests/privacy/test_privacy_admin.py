"""The privacy admin through its real pages: a district administrator records a contract
(the notice falls due), opens a contractor's account and technology staff end it; the
registrar enters a paper opt-out and asks for consent; a teacher reaches none of it. Every
save went through a service, so each left its audit event."""

import datetime

import pytest
from django.urls import reverse

from homeroom.audit.models import Action, AuditEvent
from homeroom.privacy.models import (
    CLAUSES,
    DirectoryOptOut,
    DisclosureConsent,
    VendorAccount,
    VendorContract,
)
from homeroom.sis.models import School
from tests import personas

pytestmark = pytest.mark.django_db


def _contract_form(**changes) -> dict[str, object]:
    form: dict[str, object] = {
        "reference": "lakeside-math",
        "vendor": "Lakeside Math Inc.",
        "vendor_contact": "privacy@lakeside.example",
        "description": "Math practice in class.",
        "purpose": "school_service",
        "signed_on": "2026-11-16",
        "ends_on": "2027-06-30",
        "scope_files": ["orgs", "users", "enrollments"],
        "columns": "users: grades, email",
        "scope_schools": [School.objects.get(name="Harborview High School").pk],
        **{name: "on" for name, _label in CLAUSES},
    }
    form.update(changes)
    return form


def test_a_district_administrator_records_a_contract_in_the_admin(demo, client):
    personas.sign_in(client, "lee")
    response = client.post(reverse("admin:privacy_vendorcontract_add"), _contract_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    contract = VendorContract.objects.get(reference="lakeside-math")
    assert contract.scope_columns == {"users": ["grades", "email"]}
    assert [s.name for s in contract.scope_schools.all()] == ["Harborview High School"]
    # Signed Monday 16 November: due the Monday after.
    assert contract.family_notice_due_on == datetime.date(2026, 11, 23)
    assert AuditEvent.objects.filter(
        action=Action.PRIVACY, actor=personas.user("lee"), detail__what="contract_recorded"
    ).exists()


def test_a_wrong_column_is_shown_on_the_form_and_nothing_is_saved(demo, client):
    personas.sign_in(client, "lee")
    response = client.post(
        reverse("admin:privacy_vendorcontract_add"), _contract_form(columns="users: ssn")
    )
    assert response.status_code == 200
    assert "users has no column ssn" in response.content.decode()
    assert not VendorContract.objects.filter(reference="lakeside-math").exists()


def test_a_contractors_account_opened_by_lee_and_ended_by_sam(demo, client):
    contract = VendorContract.objects.get(reference="northwind-reading")
    personas.sign_in(client, "lee")
    response = client.post(
        reverse("admin:privacy_vendoraccount_add"),
        {
            "contract": contract.pk,
            "username": "jo.support",
            "first_name": "Jo",
            "last_name": "Northwind",
            "email": "jo@northwind-reading.example",
            "expires_on": "2026-12-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account = VendorAccount.objects.get(user__username="jo.support")
    client.post(reverse("accounts:sign-out"))
    personas.sign_in(client, "sam")
    url = reverse("admin:privacy_vendoraccount_change", args=[account.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"end_now": "on", "reason": "Support ticket closed"})
    account.refresh_from_db()
    assert account.expires_on < datetime.date(2026, 11, 18)


def test_the_registrar_enters_a_paper_opt_out_and_asks_for_consent(demo, client):
    sofia = personas.child("sofia")
    personas.sign_in(client, "pat")
    response = client.post(
        reverse("admin:privacy_directoryoptout_add"), {"student": sofia.pk, "category": "name"}
    )
    assert response.status_code == 302
    assert DirectoryOptOut.objects.get(student=sofia, category="name").source == "paper"
    response = client.post(
        reverse("admin:privacy_disclosureconsent_add"),
        {
            "student": sofia.pk,
            "recipient": "State Science Fair",
            "records": "Name and grade",
            "purpose": "Entry form",
        },
    )
    assert response.status_code == 302
    assert DisclosureConsent.objects.filter(recipient="State Science Fair").exists()


@pytest.mark.parametrize(
    "name",
    [
        "admin:privacy_vendorcontract_changelist",
        "admin:privacy_vendoraccount_changelist",
        "admin:privacy_disclosureconsent_changelist",
        "admin:privacy_legaldemand_changelist",
        "admin:privacy_annualnotice_changelist",
    ],
)
def test_a_teacher_reaches_none_of_it(demo, client, name):
    personas.sign_in(client, "taylor")
    response = client.get(reverse(name))
    assert response.status_code in (302, 403)
    assert "Northwind" not in response.content.decode()


def test_technology_staff_see_contracts_but_do_not_keep_them(demo, client):
    personas.sign_in(client, "sam")
    assert client.get(reverse("admin:privacy_vendorcontract_changelist")).status_code == 200
    assert client.get(reverse("admin:privacy_vendorcontract_add")).status_code == 403
