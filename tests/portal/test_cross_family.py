"""Generated from the URL configuration: every portal URL that takes an id, requested with
another family's ids, answers 404 (R45, ASVS 8.2.2). A view added later is covered as soon
as its URL exists; an id this test does not know how to fill makes it fail loudly."""

import itertools
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from homeroom.gradebook.selectors import current_rosters
from homeroom.lib import clock
from homeroom.privacy.models import DisclosureConsent
from tests import personas

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _probing_allowed(settings):
    """These tests probe other families' records on purpose, many times; the security-risk
    rule that would deny the account is tested in tests/access/test_security_risk.py."""
    settings.HOMEROOM_SECURITY_RISK_REFUSALS = 10**6


def _portal_patterns() -> list[tuple[str, list[str]]]:
    resolver = get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if not isinstance(entry, URLResolver) or entry.namespace != "portal":
            continue
        for pattern in entry.url_patterns:
            assert isinstance(pattern, URLPattern)
            found.append((f"portal:{pattern.name}", list(pattern.pattern.converters)))
    return found


PATTERNS = _portal_patterns()
ID_PATTERNS = [(name, params) for name, params in PATTERNS if params]


def test_the_portal_has_id_taking_urls_to_check():
    assert {name for name, _ in ID_PATTERNS} >= {
        "portal:attendance",
        "portal:schedule",
        "portal:grades",
        "portal:course",
    }


def _ids_for(student) -> dict[str, list[int]]:
    return {
        "student_id": [student.pk],
        "section_id": [r.section_id for r in current_rosters([student.pk], clock.today())],
        "consent_id": list(
            DisclosureConsent.objects.filter(student=student).values_list("pk", flat=True)
        ),
    }


@pytest.mark.parametrize(("name", "params"), ID_PATTERNS)
@pytest.mark.parametrize(
    ("viewer", "own", "foreign"),
    [
        ("linda", "noah", "sofia"),
        ("maria", "sofia", "noah"),
        ("sofia", "sofia", "mateo"),
        ("kevin", None, "sofia"),
    ],
)
def test_another_familys_ids_answer_404_on_every_portal_url(
    demo, client, name, params, viewer, own, foreign
):
    personas.sign_in(client, viewer)
    foreign_ids = _ids_for(personas.child(foreign))
    own_ids = _ids_for(personas.child(own)) if own else {k: [] for k in foreign_ids}
    # A class both children attend is not foreign to either.
    foreign_ids = {k: [i for i in v if i not in own_ids[k]] for k, v in foreign_ids.items()}
    unknown = set(params) - set(foreign_ids)
    assert not unknown, f"teach this test to fill {unknown} for {name}"
    # Every mix of own and foreign ids that has at least one foreign id must be refused.
    choices = [
        [(p, i, True) for i in foreign_ids[p][:2]] + [(p, i, False) for i in own_ids[p][:2]]
        for p in params
    ]
    tried = 0
    for combination in itertools.product(*choices):
        if not any(is_foreign for _, _, is_foreign in combination):
            continue
        kwargs = {p: i for p, i, _ in combination}
        response = client.get(reverse(name, kwargs=kwargs))
        if response.status_code == 405:
            # A page that only takes a form (signing a consent) is probed with one.
            response = client.post(reverse(name, kwargs=kwargs), {"answer": "sign"})
        assert response.status_code == 404, (viewer, name, kwargs)
        tried += 1
    assert tried > 0


def test_ids_that_do_not_exist_answer_like_ids_of_other_families(demo, client):
    personas.sign_in(client, "linda")
    sofia = personas.child("sofia")
    missing = reverse("portal:attendance", args=[10**9])
    other = reverse("portal:attendance", args=[sofia.pk])
    a, b = client.get(missing), client.get(other)
    assert a.status_code == b.status_code == 404
    # The same page, but for the address itself (kept for the language switch) and the
    # per-response CSRF token.
    assert _normalised(a.content, missing) == _normalised(b.content, other)


def _normalised(content: bytes, path: str) -> str:
    text = content.decode().replace(path, "")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
