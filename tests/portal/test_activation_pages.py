"""Creating an account and adding a child with the codes on the district's letters, through
real HTTP requests (R14, R38, R44, R67, R71)."""

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from homeroom.access import activation
from homeroom.access.models import ActivationCode
from homeroom.accounts import sessions
from homeroom.accounts.models import AgreementAcceptance, User
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from homeroom.lib import clock
from homeroom.privacy.models import AnnualNoticeAcknowledgement
from homeroom.sis.models import GuardianLink
from tests import builders, personas
from tests.activation_support import (
    NEW_PASSWORD,
    add_child,
    agreement_published,
    create_account,
    issue,
    link_state,
    new_family,
    registrar,
    waiting_link,
)

pytestmark = pytest.mark.django_db

NOT_ACTIVATED = GuardianLink.PortalStatus.NOT_ACTIVATED
ACTIVE = GuardianLink.PortalStatus.ACTIVE


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


def _page(response) -> str:
    return response.content.decode()


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- The pages -------------------------------------------------------------------------------


def test_the_form_asks_for_an_email_a_password_and_codes_never_a_childs_details(client, db):
    """R14: there is no path by name, id or birth date; R38: labels and autocomplete."""
    page = _page(client.get(reverse("public:activate")))
    names = set(re.findall(r'name="([a-z_0-9]+)"', page))
    assert names >= {"email", "password1", "password2", "code_1", "code_2"}
    for forbidden in ("name", "first_name", "last_name", "birth", "date_of_birth", "student"):
        assert not any(forbidden in name for name in names - {"csrfmiddlewaretoken"})
    [email_input] = re.findall(r'<input[^>]*name="email"[^>]*>', page)
    assert 'autocomplete="email"' in email_input and 'type="email"' in email_input
    assert len(re.findall(r'autocomplete="new-password"', page)) == 2
    for field in ("email", "password1", "password2", "code_1"):
        assert f'<label for="id_{field}">' in page
    assert "Show the password" in page


def test_a_new_guardian_creates_an_account_signs_in_and_meets_the_agreement_first(demo, client):
    link = waiting_link()
    code = issue(link)
    agreement = agreement_published()
    response = create_account(client, [code], email="Jennifer.Brooks@Example.org")

    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    user = User.objects.get(username="jennifer.brooks@example.org")
    assert user.email == "jennifer.brooks@example.org" and user.check_password(NEW_PASSWORD)
    assert link_state(link) == (ACTIVE, user.pk)
    assert _signed_in(client)
    # Stamped like any sign-in, so the session limits run from now (R46).
    assert sessions.SIGNED_IN_AT in client.session

    portal = client.get(reverse("portal:home"))
    assert portal.status_code == 302 and reverse("accounts:agreement") in portal["Location"]
    client.post(reverse("accounts:agreement"), {"accept": "on", "next": "/portal/"})
    assert AgreementAcceptance.objects.filter(user=user, agreement=agreement).exists()
    # Then this school year's notice of rights, before any child's record (R15).
    portal = client.get(reverse("portal:home"))
    assert portal.status_code == 302 and reverse("portal:annual-notice") in portal["Location"]
    client.post(reverse("portal:annual-notice"), {"next": "/portal/"})
    assert AnnualNoticeAcknowledgement.objects.filter(user=user).exists()
    assert "Emma Brooks" in _page(client.get(reverse("portal:home")))

    created = AuditEvent.objects.get(action=Action.ACCOUNT, object_id=str(user.pk))
    assert created.detail == {"what": "account_created", "via": "activation"}
    assert AuditEvent.objects.filter(
        action=Action.ACTIVATION, detail__what="redeemed", student_id=link.student_id
    ).exists()
    assert AuditEvent.objects.filter(action=Action.SIGN_IN, actor=user).exists()


def test_a_code_typed_in_lower_case_with_spaces_and_dashes_works(demo, client):
    link = waiting_link()
    code = issue(link)
    typed = " " + code.lower().replace("-", " - ") + " "
    assert create_account(client, [typed]).status_code == 302
    assert link_state(link)[0] == ACTIVE


def test_several_codes_link_several_children_at_once(demo, client):
    _guardian, links = new_family(3)
    codes = [issue(link) for link in links]
    assert create_account(client, codes, email="ana.ortiz@example.org").status_code == 302
    user = User.objects.get(username="ana.ortiz@example.org")
    assert [link_state(link) for link in links] == [(ACTIVE, user.pk)] * 3
    agreement_published()
    personas.accept_agreement(user.username)
    personas.read_annual_notice(user.username)
    page = _page(client.get(reverse("portal:home")))
    for link in links:
        assert link.student.display_name in page


# --- Codes that do not work ------------------------------------------------------------------


def _refused_and_nothing_changed(client, link, code: str) -> str:
    users_before = User.objects.count()
    response = create_account(client, [code], email="someone@example.org")
    assert response.status_code == 200
    assert link_state(link) == (NOT_ACTIVATED, None)
    assert User.objects.count() == users_before
    assert not _signed_in(client)
    return _page(response)


def _shown(message: str) -> str:
    return message.replace("'", "&#x27;")


def test_a_reused_code_fails_and_changes_nothing(demo, client):
    """R14: single use. The first family's link stays theirs; no second account appears."""
    _guardian, (link,) = new_family(1)
    code = issue(link)
    other = waiting_link()
    assert create_account(client, [code], email="first@example.org").status_code == 302
    client.logout()
    owner = User.objects.get(username="first@example.org")
    page = _refused_and_nothing_changed(client, other, code)
    assert _shown(activation.invalid_code_message()) in page
    assert link_state(link) == (ACTIVE, owner.pk)
    assert ActivationCode.objects.get(link=link).redeemed_by == owner


def test_an_expired_code_fails_and_changes_nothing(demo, client):
    link = waiting_link()
    with time_machine.travel(clock.now() - datetime.timedelta(days=40)):
        code = issue(link)
    page = _refused_and_nothing_changed(client, link, code)
    assert _shown(activation.invalid_code_message()) in page
    assert ActivationCode.objects.get(link=link).redeemed_at is None


def test_a_revoked_code_fails_and_changes_nothing(demo, client):
    link = waiting_link()
    code = issue(link)
    activation.code_revoke(
        actor=Actor(user_id=registrar().pk, role="registrar"),
        revoked_by=registrar(),
        code=ActivationCode.objects.get(link=link),
    )
    page = _refused_and_nothing_changed(client, link, code)
    assert _shown(activation.invalid_code_message()) in page


def test_a_new_code_revokes_the_old_one(demo, client):
    link = waiting_link()
    old = issue(link)
    new = issue(link)
    page = _refused_and_nothing_changed(client, link, old)
    assert _shown(activation.invalid_code_message()) in page
    assert create_account(client, [new]).status_code == 302
    assert link_state(link)[0] == ACTIVE


def test_knowing_the_childs_name_id_and_birth_date_gets_nowhere(demo, client):
    """R14: a wrong code with the right details fails; the details are not even read."""
    link = waiting_link()
    issue(link)
    student = link.student
    data = {
        "email": "curious@example.org",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "code_1": "WXYZ-2345-6789",
        "first_name": student.legal_first_name,
        "last_name": student.legal_last_name,
        "student": student.local_id,
        "student_id": str(student.pk),
        "date_of_birth": student.date_of_birth.isoformat(),
    }
    response = client.post(reverse("public:activate"), data, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    assert _shown(activation.invalid_code_message()) in _page(response)
    assert link_state(link) == (NOT_ACTIVATED, None)
    assert not User.objects.filter(username="curious@example.org").exists()
    # Nor does a child's id in place of a code.
    data["code_1"] = student.local_id
    assert client.post(reverse("public:activate"), data).status_code == 200
    assert link_state(link) == (NOT_ACTIVATED, None)


def test_a_malformed_code_is_explained_next_to_its_field_and_nothing_is_lost(demo, client):
    link = waiting_link()
    issue(link)
    response = create_account(client, ["ABCD-0OIL-1234"], email="kept@example.org")
    page = _page(response)
    assert "Codes never contain the letters O, I or L" in page
    assert 'id="id_code_1-error"' in page and 'href="#id_code_1"' in page
    assert 'value="kept@example.org"' in page and 'value="ABCD-0OIL-1234"' in page
    assert NEW_PASSWORD not in page, "passwords are never sent back"


def test_two_different_passwords_are_refused_and_the_rest_is_kept(demo, client):
    link = waiting_link()
    code = issue(link)
    response = client.post(
        reverse("public:activate"),
        {
            "email": "twice@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD + "x",
            "code_1": code,
        },
    )
    page = _page(response)
    assert "The two passwords are not the same" in page
    assert f'value="{code}"' in page and 'value="twice@example.org"' in page
    assert link_state(link) == (NOT_ACTIVATED, None)


def test_a_weak_password_is_refused_by_the_districts_password_rules(demo, client):
    link = waiting_link()
    code = issue(link)
    response = create_account(client, [code], password="short")
    assert response.status_code == 200
    assert 'id="id_password1-error"' in _page(response)
    assert link_state(link) == (NOT_ACTIVATED, None)
    assert not ActivationCode.objects.get(link=link).redeemed_at


def test_an_email_that_has_an_account_gets_a_neutral_answer_pointing_to_sign_in(demo, client):
    """R44: only someone holding a working code learns that an address is taken."""
    builders.user(username="taken@example.org", email="taken@example.org")
    link = waiting_link()
    # With a code that does not work, the answer is about the code alone.
    page = _page(create_account(client, ["WXYZ-2345-6789"], email="TAKEN@example.org"))
    assert "cannot be used for a new account" not in page
    code = issue(link)
    page = _page(create_account(client, [code], email="TAKEN@example.org"))
    assert "This email address cannot be used for a new account" in page
    assert "Add a child" in page and reverse("accounts:sign-in") in page
    assert link_state(link) == (NOT_ACTIVATED, None)
    assert ActivationCode.objects.get(link=link).redeemed_at is None


def test_a_signed_in_visitor_is_sent_to_add_a_child(demo, client):
    personas.sign_in(client, "linda")
    response = client.get(reverse("public:activate"))
    assert response.status_code == 302 and response["Location"] == reverse("public:add-child")


# --- An existing account adds a child --------------------------------------------------------


def test_an_existing_guardian_adds_a_child_with_a_new_code(demo, client):
    linda = personas.user("linda")
    newcomer = builders.student(legal_first_name="Lily", legal_last_name="Chen", grade_level="01")
    enrollment = personas.child("noah").enrollments.first()
    assert enrollment is not None
    builders.enrollment(newcomer, enrollment.school)
    link = builders.link(linda.guardian, newcomer)
    code = issue(link)
    personas.sign_in(client, "linda")
    page = _page(client.get(reverse("public:add-child")))
    assert "Add a child" in page and 'name="code_1"' in page

    response = add_child(client, [code.replace("-", "").lower()])
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert link_state(link) == (ACTIVE, linda.pk)
    home = _page(client.get(reverse("portal:home")))
    assert "Lily Chen" in home and "Noah Chen" in home
    assert "is now linked to your account" in home


def test_adding_a_child_needs_a_signed_in_account(demo, client):
    response = client.get(reverse("public:add-child"))
    assert response.status_code == 302
    assert reverse("accounts:sign-in") in response["Location"]


def test_a_guardian_cannot_add_another_familys_child_with_their_letter(demo, client):
    """R71: Linda holding the letter meant for Jennifer Brooks gets nowhere."""
    link = waiting_link()
    code = issue(link)
    personas.sign_in(client, "linda")
    response = add_child(client, [code])
    assert response.status_code == 200
    assert "on a letter for another parent or guardian" in _page(response)
    assert link_state(link) == (NOT_ACTIVATED, None)
    assert "Emma" not in _page(client.get(reverse("portal:home")))


# --- Throttling (R44) ------------------------------------------------------------------------


def test_attempts_are_throttled_per_address_with_a_clear_message(demo, client, settings):
    settings.HOMEROOM_ACTIVATION_MAX_FAILURES = 3
    link = waiting_link()
    code = issue(link)
    for n in range(3):
        response = create_account(client, ["WXYZ-2345-678" + "ABC"[n]], email=f"g{n}@example.org")
        assert response.status_code == 200
    blocked = create_account(client, [code], email="real@example.org")
    assert blocked.status_code == 429
    page = _page(blocked)
    assert "Too many codes that could not be used were entered" in page
    assert re.search(r"wait \d+ minutes?, until", page)
    # Even the right code waits: nothing changed.
    assert link_state(link) == (NOT_ACTIVATED, None)
    # From another address, the right code works.
    assert create_account(client, [code], address="198.51.100.99").status_code == 302
    failures = AuditEvent.objects.filter(action=Action.ACTIVATION, detail__what="refused")
    assert failures.count() == 3
    assert set(failures.values_list("address", flat=True)) == {"203.0.113.7"}
    assert AuditEvent.objects.filter(action=Action.ACTIVATION, detail__what="throttled").exists()


def test_attempts_are_throttled_per_account_from_any_address(demo, client, settings):
    settings.HOMEROOM_ACTIVATION_MAX_FAILURES = 2
    link = waiting_link()
    code = issue(link)
    personas.sign_in(client, "linda")
    for n, address in enumerate(("192.0.2.1", "192.0.2.2")):
        assert add_child(client, ["WXYZ-2345-678" + "AB"[n]], address=address).status_code == 200
    response = add_child(client, [code], address="192.0.2.3")
    assert response.status_code == 429
    assert "Too many codes that could not be used were entered" in _page(response)
    assert link_state(link) == (NOT_ACTIVATED, None)


def test_the_block_ends_when_the_window_closes(demo, client, settings):
    settings.HOMEROOM_ACTIVATION_MAX_FAILURES = 1
    settings.HOMEROOM_ACTIVATION_FAILURE_WINDOW = datetime.timedelta(seconds=1)
    link = waiting_link()
    code = issue(link)
    with time_machine.travel(clock.now(), tick=False) as traveller:
        create_account(client, ["WXYZ-2345-6789"])
        assert create_account(client, [code]).status_code == 429
        traveller.shift(datetime.timedelta(seconds=1.2))
        assert create_account(client, [code]).status_code == 302
