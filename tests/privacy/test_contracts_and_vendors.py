"""Contracts (R56) and contractors' accounts (R13): a contract is kept by the custodians with
its ten clauses and its scope; complete, it falls due to be announced in five business days
and the families of its schools are told by mail; the public page lists what is in force; a
support account reaches its contract's schools only, and never signs in after its date."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from homeroom.access import policy, staff
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from homeroom.lib import clock
from homeroom.privacy import contracts, vendors
from homeroom.privacy.models import CLAUSES, ContractPurpose, VendorAccount, VendorContract
from homeroom.sis.models import Enrollment, School
from tests import personas
from tests.notify.support import run_worker, to

pytestmark = pytest.mark.django_db

ZONE = zoneinfo.ZoneInfo("America/New_York")
ALL_CLAUSES = {name: True for name, _label in CLAUSES}


def _actor(username: str) -> Actor:
    return Actor(user_id=personas.user(username).pk, role="test")


def _contract(**fields) -> VendorContract:
    values = {
        "reference": "lakeside-math",
        "vendor": "Lakeside Math Inc.",
        "description": "Math practice assigned in class.",
        "purpose": ContractPurpose.SCHOOL_SERVICE,
        "signed_on": datetime.date(2026, 11, 25),
        "scope_files": ["orgs", "users"],
        "scope_columns": {"users": ["grades"]},
        **ALL_CLAUSES,
    }
    values.update(fields)
    return VendorContract(**values)


def _high_school() -> School:
    return Enrollment.objects.current(clock.today()).get(student=personas.child("sofia")).school


def test_a_complete_contract_falls_due_five_business_days_later_across_thanksgiving(demo):
    contract = contracts.contract_save(
        actor=_actor("lee"),
        by=personas.user("lee"),
        contract=_contract(),
        school_ids=[_high_school().pk],
    )
    # Signed Wednesday 25 November: Thanksgiving, the weekend skipped; the fifth business
    # day is Thursday 3 December.
    assert contract.family_notice_due_on == datetime.date(2026, 12, 3)
    assert AuditEvent.objects.filter(action=Action.PRIVACY, detail__what="contract_recorded")


def test_a_contract_without_a_clause_is_void_and_falls_due_for_nothing(demo):
    contract = contracts.contract_save(
        actor=_actor("lee"),
        by=personas.user("lee"),
        contract=_contract(clause_ct_law=False),
        school_ids=[_high_school().pk],
    )
    assert contract.family_notice_due_on is None
    assert not contract.is_in_force(clock.today())
    assert not VendorContract.objects.in_force(clock.today()).filter(pk=contract.pk).exists()
    with pytest.raises(ValidationError, match="lacks required clauses"):
        contracts.family_notice_send(
            actor=_actor("lee"), by=personas.user("lee"), contract=contract
        )


@pytest.mark.parametrize(
    ("files", "columns", "field"),
    [
        (["users", "passwords"], {}, "scope_files"),
        (["users"], {"users": ["ssn"]}, "scope_columns"),
        (["orgs"], {"users": ["email"]}, "scope_columns"),
    ],
)
def test_a_scope_names_real_files_and_columns(demo, files, columns, field):
    with pytest.raises(ValidationError) as refused:
        contracts.contract_save(
            actor=_actor("lee"),
            by=personas.user("lee"),
            contract=_contract(scope_files=files, scope_columns=columns),
            school_ids=[_high_school().pk],
        )
    assert field in refused.value.message_dict
    assert not VendorContract.objects.filter(reference="lakeside-math").exists()


def test_a_teacher_keeps_no_contract(demo):
    with pytest.raises(PermissionDenied):
        contracts.contract_save(
            actor=_actor("taylor"),
            by=personas.user("taylor"),
            contract=_contract(),
            school_ids=[_high_school().pk],
        )


def test_the_families_of_the_schools_in_scope_are_told_in_their_language(demo, smtp_server):
    contract = contracts.contract_save(
        actor=_actor("lee"),
        by=personas.user("lee"),
        contract=_contract(),
        school_ids=[_high_school().pk],
    )
    queued = contracts.family_notice_send(
        actor=_actor("lee"), by=personas.user("lee"), contract=contract
    )
    run_worker()
    [to_maria], [to_david] = to(smtp_server, "maria"), to(smtp_server, "david")
    assert "Lakeside Math Inc." in to_maria["Subject"] and "contrato" in to_maria["Subject"]
    assert "A new contract" in to_david["Subject"]
    # Kevin's daughter is at the middle school, and a court order bars him anyway.
    assert to(smtp_server, "kevin") == []
    assert queued == len(smtp_server.messages)
    with pytest.raises(ValidationError, match="already told"):
        contracts.family_notice_send(
            actor=_actor("lee"), by=personas.user("lee"), contract=contract
        )


def test_the_transparency_page_lists_what_is_in_force_without_sign_in(demo, client):
    contracts.contract_save(
        actor=_actor("lee"),
        by=personas.user("lee"),
        contract=_contract(reference="void-one", vendor="Void Vendor", clause_severability=False),
        school_ids=[_high_school().pk],
    )
    page = client.get(reverse("privacy:transparency"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Northwind Reading Co." in text and "Harbor Yearbooks LLC" in text
    assert "Void Vendor" not in text
    assert "Juniper Hill Elementary School" in text
    # Linked from every page's footer, the sign-in page's included.
    assert (
        reverse("privacy:transparency") in client.get(reverse("accounts:sign-in")).content.decode()
    )


# --- Contractors' support accounts (R13) --------------------------------------------------------


def _account(expires_on: datetime.date) -> VendorAccount:
    contract = VendorContract.objects.get(reference="northwind-reading")
    account = vendors.vendor_account_create(
        actor=_actor("lee"),
        by=personas.user("lee"),
        contract=contract,
        username="jo.support",
        first_name="Jo",
        last_name="Northwind",
        email="jo@northwind-reading.example",
        expires_on=expires_on,
    )
    account.user.set_password(personas.PASSWORD)
    account.user.save()
    return account


def test_a_support_account_reaches_only_its_contracts_schools(demo):
    account = _account(clock.today() + datetime.timedelta(days=30))
    viewer = policy.viewer_for(account.user, clock.today())
    reachable = staff.staff_students(viewer, clock.today())
    elementary = VendorContract.objects.get(reference="northwind-reading").scope_schools.get()
    assert reachable.exists()
    assert not reachable.exclude(
        enrollments__school=elementary, enrollments__exit_date__isnull=True
    ).exists()
    assert not reachable.filter(pk=personas.child("sofia").pk).exists()
    assert not staff.scope_of(viewer).may_give_reasons and not staff.scope_of(viewer).keeps_office


def test_an_expired_support_account_cannot_sign_in(demo, client):
    account = _account(clock.today() + datetime.timedelta(days=10))
    form = {"username": "jo.support", "password": personas.PASSWORD}
    response = client.post(reverse("accounts:sign-in"), form)
    assert response.status_code == 302  # on to the second factor
    later = datetime.datetime.combine(
        account.expires_on + datetime.timedelta(days=1), datetime.time(9), tzinfo=ZONE
    )
    with time_machine.travel(later, tick=True):
        client.cookies.clear()
        refused = client.post(reverse("accounts:sign-in"), form)
        assert refused.status_code == 403
        assert "_auth_user_id" not in client.session
        assert vendors.account_closed(account.user, clock.today())


def test_a_support_account_is_time_boxed_and_named(demo):
    contract = VendorContract.objects.get(reference="northwind-reading")
    with pytest.raises(ValidationError) as refused:
        vendors.vendor_account_create(
            actor=_actor("lee"),
            by=personas.user("lee"),
            contract=contract,
            username="nobody",
            first_name="",
            last_name="",
            email="",
            expires_on=clock.today() + datetime.timedelta(days=400),
        )
    assert {"first_name", "email", "expires_on"} <= set(refused.value.message_dict)
    with pytest.raises(PermissionDenied):
        vendors.vendor_account_create(
            actor=_actor("pat"),
            by=personas.user("pat"),
            contract=contract,
            username="someone",
            first_name="Some",
            last_name="One",
            email="one@example.org",
            expires_on=clock.today() + datetime.timedelta(days=5),
        )


def test_ending_a_support_account_ends_its_roles_and_sign_in(demo):
    account = _account(clock.today() + datetime.timedelta(days=30))
    vendors.vendor_account_end(
        actor=_actor("sam"), by=personas.user("sam"), account=account, reason="Ticket closed"
    )
    assert vendors.sign_in_refused(account.user)
    viewer = policy.viewer_for(account.user, clock.today())
    assert not staff.staff_students(viewer, clock.today()).exists()
