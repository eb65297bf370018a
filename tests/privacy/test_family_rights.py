"""What families are owed over data leaving the district, through the portal's pages and the
admin: the annual notice at the first sign-in of each school year (R15), directory opt-outs
in the window and on paper (R11), consent asked, signed and required (R10), subpoenas and
court orders with and without notice to the family (R17, R9)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from homeroom.audit.models import DisclosureRecord, LegalBasis
from homeroom.audit.services import Actor
from homeroom.lib import clock
from homeroom.privacy import services
from homeroom.privacy.models import (
    AnnualNotice,
    AnnualNoticeAcknowledgement,
    DirectoryOptOut,
    DisclosureConsent,
    LegalDemand,
)
from tests import personas
from tests.notify.support import body, run_worker, to

pytestmark = pytest.mark.django_db

ZONE = zoneinfo.ZoneInfo("America/New_York")


def _actor(username: str) -> Actor:
    return Actor(user_id=personas.user(username).pk, role="test")


# --- The annual notice (R15) --------------------------------------------------------------------


def test_the_notice_is_shown_again_at_the_first_sign_in_of_a_new_school_year(demo, client):
    # In November Maria has read this year's notice (the demo's families did in September).
    personas.sign_in(client, "maria")
    assert client.get(reverse("portal:home")).status_code == 200
    client.post(reverse("accounts:sign-out"))
    next_year = AnnualNotice.objects.get().school_year + 1
    with time_machine.travel(datetime.datetime(2027, 9, 1, 19, 0, tzinfo=ZONE), tick=True):
        AnnualNotice.objects.create(
            school_year=next_year,
            title="Annual notice 2027–28",
            title_es="Aviso anual 2027–28",
            body="Your rights, this year.",
            body_es="Sus derechos, este año.",
            published_at=clock.now(),
        )
        personas.sign_in(client, "maria")
        home = client.get(reverse("portal:home"))
        assert home.status_code == 302
        assert home["Location"].startswith(reverse("portal:annual-notice"))
        page = client.get(home["Location"]).content.decode()
        assert "Aviso anual 2027–28" in page and "Sus derechos, este año." in page
        client.post(reverse("portal:annual-notice"), {"next": reverse("portal:home")})
        assert client.get(reverse("portal:home")).status_code == 200
        read = AnnualNoticeAcknowledgement.objects.filter(user=personas.user("maria"))
        assert sorted(read.values_list("notice__school_year", flat=True)) == [
            next_year - 1,
            next_year,
        ]
        # The next sign-in of the same year shows it no more.
        client.post(reverse("accounts:sign-out"))
        personas.sign_in(client, "maria")
        assert client.get(reverse("portal:home")).status_code == 200


def test_the_notice_is_public_and_names_the_school_official_criteria(demo, client):
    page = client.get(reverse("privacy:annual-notice")).content.decode()
    assert "legitimate educational interest" in page and "school official" in page


# --- Directory opt-outs (R11) -------------------------------------------------------------------


def test_maria_opts_sofia_out_of_one_category_in_the_window(demo, client):
    sofia = personas.child("sofia")
    personas.sign_in(client, "maria")
    url = reverse("portal:directory", args=[sofia.pk])
    # Maria reads the portal in Spanish.
    assert "Grado" in client.get(url).content.decode()
    response = client.post(url, {"category": ["grade_level"]})
    assert response.status_code == 302
    held = DirectoryOptOut.objects.filter(student=sofia, withdrawn_at__isnull=True)
    assert [(o.category, o.source) for o in held] == [("grade_level", "portal")]
    # Unticking it withdraws it; the row stays, withdrawn.
    client.post(url, {})
    assert not DirectoryOptOut.objects.filter(student=sofia, withdrawn_at__isnull=True).exists()
    assert DirectoryOptOut.objects.filter(student=sofia, withdrawn_at__isnull=False).count() == 1


def test_after_the_window_the_portal_refuses_and_the_office_takes_it_on_paper(demo, client):
    sofia = personas.child("sofia")
    with time_machine.travel(datetime.datetime(2027, 3, 2, 10, 0, tzinfo=ZONE), tick=True):
        personas.sign_in(client, "maria")
        url = reverse("portal:directory", args=[sofia.pk])
        page = client.get(url).content.decode()
        assert "disabled" in page and "oficina de la escuela" in page
        response = client.post(url, {"category": ["name"]})
        assert response.status_code == 200 and "plazo para rechazar está cerrado" in (
            response.content.decode()
        )
        assert not DirectoryOptOut.objects.filter(student=sofia).exists()
        services.opt_outs_set(
            actor=_actor("pat"),
            by=personas.user("pat"),
            student=sofia,
            categories={"name"},
            source=DirectoryOptOut.Source.PAPER,
        )
    assert DirectoryOptOut.objects.get(student=sofia).source == "paper"


def test_only_whoever_holds_the_rights_reaches_the_directory_and_consent_pages(demo, client):
    for username, child in (("kevin", "emma"), ("rosa", "alex"), ("linda", "sofia")):
        personas.sign_in(client, username)
        student = personas.child(child)
        for name in ("portal:directory", "portal:consents"):
            assert client.get(reverse(name, args=[student.pk])).status_code == 404, (username, name)
        client.post(reverse("accounts:sign-out"))


# --- Consent (R10) ------------------------------------------------------------------------------


def test_consent_is_asked_by_mail_signed_in_the_portal_and_then_allows_the_disclosure(
    demo, client, smtp_server
):
    sofia = personas.child("sofia")
    pat = personas.user("pat")
    recipient = "Hartford Youth Orchestra"
    with pytest.raises(Exception, match="No signed consent"):
        services.disclose_with_consent(
            actor=_actor("pat"),
            recorded_by=pat,
            student=sofia,
            recipient=recipient,
            records_disclosed="Attendance, fall term",
        )
    consent = services.consent_request(
        actor=_actor("pat"),
        requested_by=pat,
        student=sofia,
        recipient=recipient,
        records="Attendance, fall term",
        purpose="Rehearsal schedule",
    )
    run_worker()
    [mail] = to(smtp_server, "maria")
    assert "consentimiento" in mail["Subject"] and recipient in body(mail)
    assert mail["List-Unsubscribe"] is None
    personas.sign_in(client, "maria")
    page = client.get(reverse("portal:consents", args=[sofia.pk])).content.decode()
    assert recipient in page
    client.post(reverse("portal:consent-answer", args=[sofia.pk, consent.pk]), {"answer": "sign"})
    consent.refresh_from_db()
    assert consent.signed_by == personas.user("maria") and consent.signed_at is not None
    record_id = services.disclose_with_consent(
        actor=_actor("pat"),
        recorded_by=pat,
        student=sofia,
        recipient=recipient,
        records_disclosed="Attendance, fall term",
    )
    record = DisclosureRecord.objects.get(pk=record_id)
    assert record.legal_basis == LegalBasis.CONSENT and f"consent #{consent.pk}" in (
        record.basis_detail
    )
    # Withdrawn, it allows nothing more.
    client.post(
        reverse("portal:consent-answer", args=[sofia.pk, consent.pk]), {"answer": "withdraw"}
    )
    translation.activate("en")  # Maria's requests left Spanish active in this thread.
    with pytest.raises(Exception, match="No signed consent"):
        services.disclose_with_consent(
            actor=_actor("pat"),
            recorded_by=pat,
            student=sofia,
            recipient=recipient,
            records_disclosed="Attendance, spring term",
        )


def test_a_teacher_cannot_ask_for_consent(demo):
    with pytest.raises(Exception, match="Only the registrar"):
        services.consent_request(
            actor=_actor("taylor"),
            requested_by=personas.user("taylor"),
            student=personas.child("sofia"),
            recipient="Anyone",
            records="Everything",
            purpose="None",
        )
    assert not DisclosureConsent.objects.filter(recipient="Anyone").exists()


# --- Subpoenas and court orders (R17, R9) -------------------------------------------------------


def _demand(forbids_notice: bool) -> LegalDemand:
    return services.legal_demand_record(
        actor=_actor("pat"),
        recorded_by=personas.user("pat"),
        student=personas.child("sofia"),
        kind=LegalDemand.Kind.SUBPOENA,
        issued_by="Superior Court, Hartford",
        reference="HHD-CV26-1",
        received_on=clock.today(),
        records_requested="Attendance 2026–27",
        forbids_notice=forbids_notice,
    )


def test_a_subpoena_is_complied_with_only_after_the_family_is_told(demo, client):
    pat = personas.user("pat")
    demand = _demand(forbids_notice=False)
    with pytest.raises(Exception, match="Tell the family first"):
        services.legal_demand_comply(
            actor=_actor("pat"), recorded_by=pat, demand=demand, records_disclosed=""
        )
    services.legal_demand_family_told(
        actor=_actor("pat"), recorded_by=pat, demand=demand, how="Letter to the home address"
    )
    demand = services.legal_demand_comply(
        actor=_actor("pat"), recorded_by=pat, demand=demand, records_disclosed=""
    )
    assert demand.disclosure is not None and not demand.disclosure.no_notice
    personas.sign_in(client, "maria")
    page = client.get(reverse("portal:disclosures", args=[personas.child("sofia").pk]))
    assert "Superior Court, Hartford" in page.content.decode()


def test_an_order_that_forbids_notice_is_complied_with_and_never_shown_to_the_family(demo, client):
    pat = personas.user("pat")
    demand = _demand(forbids_notice=True)
    with pytest.raises(Exception, match="forbids telling"):
        services.legal_demand_family_told(
            actor=_actor("pat"), recorded_by=pat, demand=demand, how="A call"
        )
    demand = services.legal_demand_comply(
        actor=_actor("pat"), recorded_by=pat, demand=demand, records_disclosed=""
    )
    assert demand.disclosure is not None and demand.disclosure.no_notice
    personas.sign_in(client, "maria")
    page = client.get(reverse("portal:disclosures", args=[personas.child("sofia").pk]))
    assert "Superior Court, Hartford" not in page.content.decode()
