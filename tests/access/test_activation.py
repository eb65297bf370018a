"""Activation codes and letters (R14, R39, R49, R67, R71): how codes are made, stored,
issued, revoked and redeemed, who may issue them, and the letters that carry them, as HTML
in the guardian's language and as a PDF."""

import datetime
import re
import subprocess

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import formats, translation

from homeroom.access import activation, letters
from homeroom.access.models import ActivationCode
from homeroom.access.roles import TECHNOLOGY
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from homeroom.lib import clock
from homeroom.sis.models import Enrollment, GuardianLink, StaffRole
from tests import builders, personas
from tests.activation_support import issue, new_family, registrar, waiting_link

pytestmark = pytest.mark.django_db

ADDRESSES = letters.Addresses(
    activate="https://portal.example.org/activate/",
    add_child="https://portal.example.org/activate/add-child/",
    report="https://portal.example.org/security/report/",
)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def _actor(user) -> Actor:
    return Actor(user_id=user.pk, role="test", address="198.51.100.20")


def _redeem(user, *codes: str):
    return activation.codes_redeem(actor=_actor(user), user=user, codes=list(codes))


# --- The code --------------------------------------------------------------------------------


def test_a_code_is_twelve_characters_without_look_alikes():
    """R14, R49: random, at least 10 characters, no 0/O, 1/I/l and no lower case."""
    codes = {activation.code_new() for _ in range(500)}
    assert len(codes) == 500
    used = set("".join(codes))
    assert used <= set(activation.ALPHABET)
    assert not used & set("0O1IlL" + "abcdefghijklmnopqrstuvwxyz")
    assert all(len(code) == 12 for code in codes)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", activation.code_display("A" * 12))


@pytest.mark.parametrize(
    "typed", ["abcd-efgh-jkmn", " ABCD EFGH JKMN ", "abcd–efgh—jkmn", "ABcd\tefGH\njkmn"]
)
def test_case_spaces_and_dashes_are_ignored(typed):
    assert activation.code_normalise(typed) == "ABCDEFGHJKMN"
    assert activation.code_is_well_formed(activation.code_normalise(typed))


@pytest.mark.parametrize("typed", ["ABCD-EFGH-JKM0", "ABCD-EFGH-JKMI", "ABCD-EFGH-JK", "ABCD" * 4])
def test_codes_of_the_wrong_shape_are_not_well_formed(typed):
    assert not activation.code_is_well_formed(activation.code_normalise(typed))


def test_only_a_keyed_digest_of_the_code_is_stored(demo):
    link = waiting_link()
    code = issue(link)
    record = ActivationCode.objects.get(link=link)
    plain = activation.code_normalise(code)
    assert record.digest == activation.code_digest(plain)
    assert plain not in record.digest and len(record.digest) == 64
    # Not a bare hash: without the key the digest cannot be recomputed or looked up.
    import hashlib

    assert record.digest != hashlib.sha256(plain.encode()).hexdigest()
    # The code appears nowhere in the audit log either (R50).
    assert not AuditEvent.objects.filter(detail__icontains=plain).exists()


def test_a_code_works_to_the_end_of_the_set_day(demo, settings):
    settings.HOMEROOM_ACTIVATION_CODE_DAYS = 10
    link = waiting_link()
    with time_machine.travel(datetime.datetime(2026, 10, 1, 14, 30, tzinfo=datetime.UTC)):
        issued = activation.code_issue(actor=_actor(registrar()), issued_by=registrar(), link=link)
    assert issued.last_day == datetime.date(2026, 10, 11)
    assert issued.record.expires_at == datetime.datetime(
        2026, 10, 12, 4, 0, tzinfo=datetime.UTC
    )  # midnight in New York, at the end of 11 October


def _withdraw(student) -> None:
    Enrollment.objects.filter(student=student).update(
        exit_date=clock.today() - datetime.timedelta(days=1),
        exit_reason=Enrollment.ExitReason.WITHDRAWN,
    )


# --- Issuing and revoking --------------------------------------------------------------------


def test_issuing_again_revokes_the_unused_earlier_code(demo):
    """R14: a reissued letter replaces the lost one; the old code stops working."""
    link = waiting_link()
    first = issue(link)
    second = issue(link)
    old, new = ActivationCode.objects.filter(link=link).order_by("issued_at", "pk")
    assert old.revoked_at is not None and old.revoked_by == registrar()
    assert new.revoked_at is None
    assert activation.code_normalise(first) != activation.code_normalise(second)
    event = AuditEvent.objects.get(action=Action.ACTIVATION, object_id=str(new.pk))
    assert event.detail["what"] == "issued" and event.detail["revoked_earlier"] == [old.pk]
    assert event.student_id == link.student_id


@pytest.mark.parametrize("username", ["okafor", "taylor", "sam", "maria"])
def test_only_the_registrar_a_district_administrator_or_a_superuser_issues_codes(demo, username):
    link = waiting_link()
    user = personas.user(username)
    with pytest.raises(PermissionDenied):
        activation.code_issue(actor=_actor(user), issued_by=user, link=link)
    assert not ActivationCode.objects.filter(link=link).exists()


def test_a_district_administrator_and_a_superuser_may_issue(demo):
    link = waiting_link()
    administrator = StaffRole.objects.filter(role=StaffRole.Role.DISTRICT_ADMINISTRATOR).first()
    assert administrator is not None
    issue(link, by=administrator.staff.user)
    issue(link, by=builders.user(is_superuser=True, is_staff=True))
    assert ActivationCode.objects.filter(link=link).count() == 2


def test_no_code_for_an_ended_link_or_a_child_no_longer_enrolled(demo):
    """R67: the portal shows only enrolled students; an ended link activates nothing."""
    _guardian, (ended, withdrawn) = new_family(2)
    ended.ended_on = clock.today()
    ended.save()
    _withdraw(withdrawn.student)
    for link in (ended, withdrawn):
        with pytest.raises(ValidationError):
            issue(link)
    assert not ActivationCode.objects.filter(link__in=[ended, withdrawn]).exists()


def test_no_code_for_a_link_already_active_on_an_account(demo):
    maria = personas.user("maria")
    link = GuardianLink.objects.filter(guardian__user=maria).first()
    assert link is not None
    with pytest.raises(ValidationError):
        issue(link)


def test_a_revoked_code_cannot_be_redeemed_and_the_revocation_is_logged(demo):
    link = waiting_link()
    code = issue(link)
    record = ActivationCode.objects.get(link=link)
    activation.code_revoke(actor=_actor(registrar()), revoked_by=registrar(), code=record)
    parent = builders.user()
    with pytest.raises(activation.ActivationRefused) as refused:
        _redeem(parent, code)
    assert refused.value.problems[0].reason == "revoked"
    assert AuditEvent.objects.filter(
        action=Action.ACTIVATION, object_id=str(record.pk), detail__what="revoked"
    ).exists()


def test_a_used_code_cannot_be_revoked(demo):
    link = waiting_link()
    code = issue(link)
    _redeem(builders.user(), code)
    with pytest.raises(ValidationError):
        activation.code_revoke(
            actor=_actor(registrar()),
            revoked_by=registrar(),
            code=ActivationCode.objects.get(link=link),
        )


# --- Redeeming -------------------------------------------------------------------------------


def test_redeeming_binds_the_guardian_activates_the_link_and_logs_it(demo):
    link = waiting_link()
    code = issue(link)
    parent = builders.user(email="jennifer@example.org")
    [activated] = _redeem(parent, code.lower())
    link.refresh_from_db()
    assert activated == link
    assert link.portal_status == GuardianLink.PortalStatus.ACTIVE and link.activated_at
    assert link.guardian.user == parent
    record = ActivationCode.objects.get(link=link)
    assert record.redeemed_by == parent and record.redeemed_at is not None
    event = AuditEvent.objects.get(action=Action.ACTIVATION, detail__what="redeemed")
    assert event.student_id == link.student_id and event.actor_id == parent.pk
    assert event.changes == {"portal_status": ["not_activated", "active"]}


def test_codes_for_two_children_are_all_used_or_none_is(demo):
    """One bad code among good ones changes nothing: no half-linked family."""
    _guardian, (first, second) = new_family(2)
    good = issue(first)
    parent = builders.user()
    with pytest.raises(activation.ActivationRefused) as refused:
        _redeem(parent, good, "ABCD-EFGH-JKMN")
    assert [p.index for p in refused.value.problems] == [1]
    first.refresh_from_db()
    assert first.portal_status == GuardianLink.PortalStatus.NOT_ACTIVATED
    assert ActivationCode.objects.get(link=first).redeemed_at is None
    # Both good: both linked in one go.
    links = _redeem(parent, good, issue(second))
    assert {link.pk for link in links} == {first.pk, second.pk}


def test_one_person_one_account_a_code_for_another_guardian_is_refused(demo):
    """R71: Linda's account cannot take a letter addressed to Noah's father."""
    michael_link = GuardianLink.objects.get(
        guardian__first_name="Michael", student=personas.child("noah")
    )
    code = issue(michael_link)
    linda = personas.user("linda")
    with pytest.raises(activation.ActivationRefused) as refused:
        _redeem(linda, code)
    assert refused.value.problems[0].reason == "other_guardian"
    michael_link.refresh_from_db()
    assert michael_link.guardian.user is None
    assert michael_link.portal_status == GuardianLink.PortalStatus.NOT_ACTIVATED


def test_a_guardian_who_has_an_account_is_not_bound_to_a_second_one(demo):
    _guardian, (first, second) = new_family(2)
    owner = builders.user()
    _redeem(owner, issue(first))
    stranger = builders.user()
    with pytest.raises(activation.ActivationRefused) as refused:
        _redeem(stranger, issue(second))
    assert refused.value.problems[0].reason == "guardian_has_account"
    second.refresh_from_db()
    assert second.guardian.user == owner
    assert second.portal_status == GuardianLink.PortalStatus.NOT_ACTIVATED


@pytest.mark.parametrize("username", ["taylor", "sofia"])
def test_staff_and_student_accounts_are_never_bound_to_a_guardian(demo, username):
    link = waiting_link()
    code = issue(link)
    with pytest.raises(activation.ActivationRefused) as refused:
        _redeem(personas.user(username), code)
    assert refused.value.problems[0].reason == "not_a_guardian_account"
    link.refresh_from_db()
    assert link.guardian.user is None


def test_a_code_for_a_child_who_has_left_is_refused_clearly(demo):
    """R67 (decision, docs/accounts-activation.md): no account opens on an empty portal."""
    _guardian, (link,) = new_family(1)
    code = issue(link)
    _withdraw(link.student)
    with pytest.raises(activation.ActivationRefused) as refused:
        _redeem(builders.user(), code)
    [problem] = refused.value.problems
    assert problem.reason == "not_enrolled" and "not enrolled" in problem.message
    assert problem.message != activation.invalid_code_message()
    link.refresh_from_db()
    assert link.portal_status == GuardianLink.PortalStatus.NOT_ACTIVATED


def test_a_child_enrolled_from_next_month_can_be_linked_over_the_summer(demo):
    _guardian, (link,) = new_family(1)
    Enrollment.objects.filter(student=link.student).update(
        entry_date=clock.today() + datetime.timedelta(days=30)
    )
    code = issue(link)
    [activated] = _redeem(builders.user(), code)
    assert activated.portal_status == GuardianLink.PortalStatus.ACTIVE


def test_unknown_used_revoked_and_expired_codes_get_the_same_message(demo):
    """R14: the message never tells which, so it does not help guessing; the log does."""
    _guardian, links = new_family(3)
    parent = builders.user()
    used = issue(links[0])
    _redeem(parent, used)
    revoked = issue(links[1])
    activation.code_revoke(
        actor=_actor(registrar()),
        revoked_by=registrar(),
        code=ActivationCode.objects.get(link=links[1]),
    )
    with time_machine.travel(clock.now() - datetime.timedelta(days=30)):
        expired = issue(links[2])
    messages, reasons = set(), []
    for code in (used, revoked, expired, "ABCD-EFGH-JKMN"):
        with pytest.raises(activation.ActivationRefused) as refused:
            _redeem(builders.user(), code)
        [problem] = refused.value.problems
        messages.add(problem.message)
        reasons.append(problem.reason)
    assert messages == {activation.invalid_code_message()}
    assert reasons == ["used", "revoked", "expired", "unknown"]
    logged = AuditEvent.objects.filter(action=Action.ACTIVATION, detail__what="refused")
    assert sorted(logged.values_list("detail__reason", flat=True)) == sorted(reasons)


# --- Letters ---------------------------------------------------------------------------------


def _spanish_date(day: datetime.date) -> str:
    with translation.override("es"):
        return formats.date_format(day, "DATE_FORMAT")


def _spanish_letter():
    """A Spanish-speaking guardian's letter: Maria Lopez, for a third child starting
    kindergarten, not yet linked."""
    maria = personas.user("maria").guardian
    assert maria.preferred_language == "es"
    lucia = builders.student(legal_first_name="Lucía", legal_last_name="Lopez", grade_level="KG")
    enrollment = personas.child("mateo").enrollments.first()
    assert enrollment is not None
    school = enrollment.school
    builders.enrollment(lucia, school, entry_date=clock.today())
    link = builders.link(maria, lucia, relationship=GuardianLink.Relationship.MOTHER)
    issued = activation.code_issue(actor=_actor(registrar()), issued_by=registrar(), link=link)
    return issued, letters.letters_for([issued])


def test_a_letter_in_html_comes_in_the_guardians_language_with_everything_needed(demo):
    issued, ready = _spanish_letter()
    html = letters.letters_html(ready, ADDRESSES)
    assert '<article class="letter" lang="es"' in html
    assert '<html lang="es">' in html
    assert issued.display in html
    # Spanish dates, from Django's Spanish locale: the letter was written in Spanish.
    assert _spanish_date(issued.last_day) in html and " de " in _spanish_date(issued.last_day)
    assert "Maria Lopez" in html and "Lucía Lopez" in html
    assert "Homeroom Public Schools" in html
    assert ADDRESSES.activate in html and ADDRESSES.add_child in html
    # The policy's warnings (1110.2): no sharing the password, no automatic sign-in.
    with translation.override("es"):
        assert (
            translation.gettext(
                "Do not share your password with anyone, including your own children."
            )
            in html
        )
        assert (
            translation.gettext(
                "Do not set your computer or phone to sign in to the portal automatically."
            )
            in html
        )


def test_an_english_letter_for_an_english_speaking_guardian(demo):
    link = waiting_link()
    issued = activation.code_issue(actor=_actor(registrar()), issued_by=registrar(), link=link)
    html = letters.letters_html(letters.letters_for([issued]), ADDRESSES)
    assert 'lang="en"' in html and "Your activation code for the Parent Portal" in html
    assert "Jennifer Brooks" in html and "Emma Brooks" in html and issued.display in html


def test_the_pdf_is_a_real_pdf_with_the_code_and_spanish_text(demo, tmp_path):
    issued, ready = _spanish_letter()
    english = activation.code_issue(
        actor=_actor(registrar()), issued_by=registrar(), link=waiting_link()
    )
    pdf = letters.letters_pdf([*ready, *letters.letters_for([english])], ADDRESSES)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "letters.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = text.split("\f")
    assert issued.display in pages[0] and english.display in pages[1], "one letter per page"
    assert _spanish_date(issued.last_day) in " ".join(pages[0].split())
    assert "Lucía Lopez" in pages[0] and "Emma Brooks" in pages[1]
    info = subprocess.run(
        ["/usr/bin/pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"Pages:\s+2", info)
    assert re.search(r"Tagged:\s+yes", info), "the PDF is tagged (R39)"


# --- The admin -------------------------------------------------------------------------------


def _changelist_post(client, links, **extra):
    return client.post(
        reverse("admin:sis_guardianlink_changelist"),
        {
            "action": "issue_activation_letters",
            "_selected_action": [link.pk for link in links],
            **extra,
        },
    )


def test_the_registrar_issues_letters_from_the_guardian_links_as_one_pdf(demo, client):
    _guardian, links = new_family(2, language="es")
    maria_link = GuardianLink.objects.filter(guardian__user__username="maria").first()
    personas.sign_in(client, "pat")
    confirm = _changelist_post(client, [*links, maria_link], index="0")
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "Will be issued" in page and "Skipped" in page
    assert not ActivationCode.objects.exists(), "nothing is issued before the choice"

    response = _changelist_post(client, [*links, maria_link], letters="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    assert ActivationCode.objects.filter(link__in=links).count() == 2
    assert not ActivationCode.objects.filter(link=maria_link).exists()


def test_the_letters_can_be_had_as_html_to_print(demo, client):
    link = waiting_link()
    personas.sign_in(client, "pat")
    response = _changelist_post(client, [link], letters="html")
    html = response.content.decode()
    assert response.status_code == 200 and "text/html" in response["Content-Type"]
    assert "access/letter.css" in html and "Emma Brooks" in html
    [record] = ActivationCode.objects.filter(link=link)
    found = re.search(r'letter__code-value">([A-Z2-9-]{14})<', html)
    assert found is not None
    code = found.group(1)
    assert record.digest == activation.code_digest(activation.code_normalise(code))


def test_technology_staff_cannot_issue_letters(demo, client):
    sam = personas.user("sam")
    assert sam.groups.filter(name=TECHNOLOGY).exists()
    # Even given the right to change links, the action is not theirs.
    sam.groups.add(Group.objects.get(name="Registrar"))
    personas.sign_in(client, "sam")
    response = client.get(reverse("admin:sis_guardianlink_changelist"))
    assert response.status_code == 200
    assert "issue_activation_letters" not in response.content.decode()
    _changelist_post(client, [waiting_link()], letters="pdf")
    assert not ActivationCode.objects.exists()


def test_codes_are_listed_read_only_and_revoked_with_an_action(demo, client):
    link = waiting_link()
    issue(link)
    record = ActivationCode.objects.get(link=link)
    personas.sign_in(client, "pat")
    listing = client.get(reverse("admin:access_activationcode_changelist"))
    assert listing.status_code == 200 and "Emma Brooks" in listing.content.decode()
    assert client.get(reverse("admin:access_activationcode_add")).status_code == 403
    assert (
        client.get(reverse("admin:access_activationcode_delete", args=[record.pk])).status_code
        == 403
    )
    client.post(
        reverse("admin:access_activationcode_changelist"),
        {"action": "revoke_codes", "_selected_action": [record.pk], "index": "0"},
    )
    record.refresh_from_db()
    assert record.revoked_at is not None and record.revoked_by == registrar()
