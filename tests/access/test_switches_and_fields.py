"""Module switches per grade level as well as per school (R69), with the next-request
effect; and restrictions by field (R3): a court order hides the other guardians' address,
phone and e-mail on the contacts page while the rest of the record stays open."""

import pytest
from django.urls import reverse

from homeroom.access import services
from homeroom.access.models import Module, Restriction
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from homeroom.lib import clock
from homeroom.sis.models import Enrollment, StaffRole
from tests import personas

pytestmark = pytest.mark.django_db


def _district_administrator():
    role = StaffRole.objects.filter(role=StaffRole.Role.DISTRICT_ADMINISTRATOR).first()
    assert role is not None and role.staff.user is not None
    return role.staff.user


def _switch(module: str, enabled: bool, **where) -> None:
    admin = _district_administrator()
    services.module_switch_set(
        actor=Actor(user_id=admin.pk, role="district_administrator"),
        changed_by=admin,
        module=module,
        enabled=enabled,
        **where,
    )


def test_a_module_switched_off_for_one_grade_hides_it_for_that_grade_only(demo, client):
    """R69: grades off for grade 10 district-wide: Sofia's grades go on the next request,
    Mateo's (grade 6) stay."""
    sofia, mateo = personas.child("sofia"), personas.child("mateo")
    personas.sign_in(client, "maria")
    assert client.get(reverse("portal:grades", args=[sofia.pk])).status_code == 200

    _switch(Module.GRADES, False, grade_level=sofia.grade_level)
    assert client.get(reverse("portal:grades", args=[sofia.pk])).status_code == 404
    assert client.get(reverse("portal:grades", args=[mateo.pk])).status_code == 200
    assert client.get(reverse("portal:attendance", args=[sofia.pk])).status_code == 200


def test_the_most_specific_switch_wins(demo, client):
    """A school's grade level beats the school, which beats the grade district-wide, which
    beats the district."""
    sofia = personas.child("sofia")
    school = Enrollment.objects.current(clock.today()).get(student=sofia).school
    grade = Enrollment.objects.current(clock.today()).get(student=sofia).grade_level
    personas.sign_in(client, "maria")
    url = reverse("portal:schedule", args=[sofia.pk])

    _switch(Module.SCHEDULE, False)
    assert client.get(url).status_code == 404
    _switch(Module.SCHEDULE, True, grade_level=grade)
    assert client.get(url).status_code == 200
    _switch(Module.SCHEDULE, False, school=school)
    assert client.get(url).status_code == 404
    _switch(Module.SCHEDULE, True, school=school, grade_level=grade)
    assert client.get(url).status_code == 200
    assert (
        AuditEvent.objects.filter(action=Action.MODULE_SWITCH, detail__grade_level=grade).count()
        == 2
    )


def _protective_order_hides_davids_contacts_from_maria() -> Restriction:
    pat = personas.user("pat")
    return services.restriction_place(
        actor=Actor(user_id=pat.pk, role="registrar"),
        placed_by=pat,
        guardian=personas.user("maria").guardian,
        student=personas.child("sofia"),
        reason=Restriction.Reason.COURT_ORDER,
        document_reference="Protective order FA-26-0412",
        starts_on=clock.today(),
        contact_details=True,
    )


def test_a_field_restriction_hides_davids_address_from_maria_and_nothing_else(demo, client):
    """R3: the order hides David's address, phone and e-mail from Maria on Sofia's contacts
    page; her own details, and every module of Sofia's record, stay."""
    sofia = personas.child("sofia")
    david = personas.user("david").guardian
    maria = personas.user("maria").guardian
    david.address = "48 Orchard Lane\nWestbrook Falls, CT 06994"
    david.save(update_fields=["address"])
    personas.sign_in(client, "maria")
    url = reverse("portal:contacts", args=[sofia.pk])
    before = client.get(url).content.decode()
    assert "48 Orchard Lane" in before and david.phone in before

    _protective_order_hides_davids_contacts_from_maria()
    after = client.get(url).content.decode()
    assert "48 Orchard Lane" not in after and david.phone not in after
    assert david.email not in after
    assert "David Lopez" in after  # who he is stays: only how to reach him is hidden
    assert maria.phone in after  # her own
    for module in ("attendance", "schedule", "grades"):
        assert client.get(reverse(f"portal:{module}", args=[sofia.pk])).status_code == 200
    # Mateo is not under the order: David's details show on his page.
    mateo_page = client.get(reverse("portal:contacts", args=[personas.child("mateo").pk]))
    assert "48 Orchard Lane" in mateo_page.content.decode()


def test_the_contacts_page_is_behind_the_door(demo, client):
    """Linda cannot read the Lopez children's contacts; the refusal is logged as a probe."""
    sofia = personas.child("sofia")
    personas.sign_in(client, "linda")
    assert client.get(reverse("portal:contacts", args=[sofia.pk])).status_code == 404
    assert AuditEvent.objects.filter(
        actor=personas.user("linda"),
        action=Action.REFUSED,
        student_id=sofia.pk,
        module="contacts",
        detail__linked=False,
    ).exists()


def test_a_restriction_with_no_scope_is_refused_with_a_sentence(demo):
    pat = personas.user("pat")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Choose what the order covers"):
        services.restriction_place(
            actor=Actor(user_id=pat.pk),
            placed_by=pat,
            guardian=personas.user("david").guardian,
            student=personas.child("sofia"),
            reason=Restriction.Reason.COURT_ORDER,
            document_reference="X-1",
            starts_on=clock.today(),
        )
