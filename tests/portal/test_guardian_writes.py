"""Guardians change no education record (R70): every URL of the project that answers a POST
from a signed-in guardian is enumerated here, generated from the URL configuration, and is
one of the writes the policy allows them: their own account, sign-in and MFA, the agreement,
the annual notice, directory opt-outs and consents, adding a child with a code, security
reports. A write added later fails this test until it
is looked at and listed."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from homeroom.attendance.models import DailyMark, PeriodMark
from homeroom.gradebook.models import Score
from homeroom.privacy.models import DisclosureConsent
from tests import personas

pytestmark = pytest.mark.django_db

# What a guardian may POST to, and why (policy 1110.2; R70).
ALLOWED = {
    # Signing in and out, and confirming it is them.
    "accounts:sign-in": "sign-in",
    "accounts:sign-in-code": "sign-in",
    "accounts:sign-out": "sign-out",
    "accounts:reauth": "re-authentication",
    # Their own account: password, e-mail, two-step verification, sessions, language.
    "accounts:password-change": "own account",
    "accounts:email-change": "own account",
    "accounts:mfa-setup": "own account",
    "accounts:mfa-recovery-codes": "own account",
    "accounts:mfa-remove": "own account",
    "accounts:session-end": "own sessions",
    "accounts:session-keep-alive": "own session",
    "accounts:language": "own preference",
    "accounts:agreement": "the acceptable-use agreement",
    "accounts:password-reset": "a forgotten password",
    "accounts:password-reset-confirm": "a forgotten password",
    # What they are told, and their subscription to school notices (R20).
    "portal:notifications": "own preferences",
    "portal:child-notifications": "own preferences and notice subscription",
    # Their rights over the record (FERPA): reading the annual notice (R15), refusing
    # directory information (R11), answering a request for consent to disclose (R10).
    "portal:annual-notice": "the annual notice of rights, read",
    "portal:directory": "directory opt-outs",
    "portal:consent-answer": "consent to disclose",
    # Adding a child with a district code; reporting a security problem.
    "public:activate": "activation code",
    "public:add-child": "activation code",
    "public:security-report": "security report",
}


def _patterns(resolver=None, namespace: str = "") -> list[tuple[str, list[str]]]:
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # the admin refuses non-staff accounts before any view
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _patterns(entry, space)
        elif isinstance(entry, URLPattern) and entry.name:
            found.append((f"{namespace}{entry.name}", list(entry.pattern.converters)))
    return found


def _kwargs(params: list[str]) -> dict[str, object]:
    sofia = personas.child("sofia")
    consent = DisclosureConsent.objects.filter(student=sofia).first()
    values: dict[str, object] = {
        "student_id": sofia.pk,
        "section_id": 1,
        "consent_id": consent.pk if consent else 1,
    }
    return {p: values.get(p, "x" if p in {"token", "uidb64"} else 1) for p in params}


def test_every_post_a_guardian_can_make_is_an_allowed_write(demo, client, settings):
    settings.HOMEROOM_SECURITY_RISK_REFUSALS = 10**6
    records = (Score.objects.count(), DailyMark.objects.count(), PeriodMark.objects.count())
    personas.sign_in(client, "maria")
    answered = set()
    for name, params in _patterns():
        url = reverse(name, kwargs=_kwargs(params))
        response = client.post(url, {})
        if name == "accounts:sign-out" or response.status_code in (404, 405):
            # Refused (not a page of theirs), or not a form at all.
            if name == "accounts:sign-out":
                answered.add(name)
                personas.sign_in(client, "maria")
            continue
        if name.startswith("classroom:") and response.status_code == 302:
            assert response["Location"] == reverse("home")
            continue  # a staff page sends families to their own start page
        answered.add(name)
        if not client.session.get("_auth_user_id"):
            personas.sign_in(client, "maria")
    unexpected = answered - set(ALLOWED)
    assert not unexpected, f"guardians can POST to {sorted(unexpected)}: list and justify them"
    assert records == (Score.objects.count(), DailyMark.objects.count(), PeriodMark.objects.count())
