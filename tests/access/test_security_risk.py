"""The security-risk rule (policy 1110.2; issue 5): a guardian refused for other students'
records N times within M minutes is denied access, at the threshold and not before; their
sessions end and technology staff are mailed through a real SMTP server."""

import datetime
import email

import pytest
import time_machine
from django.urls import reverse

from homeroom.access.models import AccountDenial
from homeroom.accounts.models import UserSession
from homeroom.audit.models import Action, AuditEvent
from tests import personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(settings):
    settings.HOMEROOM_SECURITY_RISK_REFUSALS = 5
    settings.HOMEROOM_SECURITY_RISK_MINUTES = 10
    settings.HOMEROOM_TECHNOLOGY_EMAIL = "technology@district.test"


def _probe(client, times: int) -> None:
    sofia = personas.child("sofia")
    for _ in range(times):
        assert client.get(reverse("portal:grades", args=[sofia.pk])).status_code == 404


def test_a_guardian_probing_other_records_is_denied_at_the_threshold_not_before(
    demo, client, rule, smtp_server, django_capture_on_commit_callbacks
):
    linda = personas.user("linda")
    noah = personas.child("noah")
    personas.sign_in(client, "linda")
    with django_capture_on_commit_callbacks(execute=True):
        _probe(client, 4)
    assert not AccountDenial.objects.filter(user=linda).exists()
    assert client.get(reverse("portal:grades", args=[noah.pk])).status_code == 200
    assert smtp_server.messages == []

    with django_capture_on_commit_callbacks(execute=True):
        _probe(client, 1)
    denial = AccountDenial.objects.get(user=linda)
    assert denial.reason == AccountDenial.Reason.SECURITY_RISK and denial.placed_by is None
    assert not UserSession.objects.filter(user=linda).exists()
    assert client.get(reverse("portal:grades", args=[noah.pk])).status_code == 302
    assert AuditEvent.objects.filter(action=Action.SECURITY, detail__rule="probing").exists()
    # Technology staff are alerted, and Linda is told, as for any suspension (R68).
    to_technology, to_linda = sorted(
        smtp_server.messages, key=lambda m: m.rcpt_tos[0] != ("technology@district.test")
    )
    assert to_technology.rcpt_tos == ["technology@district.test"]
    assert b"linda" in to_technology.content and b"security risk" in to_technology.content
    assert to_linda.rcpt_tos == [linda.email]
    told = email.message_from_bytes(to_linda.content)
    assert "suspended" in str(told["Subject"])
    assert "Security risk" in str(told.get_payload())
    assert denial.notified_at is not None


def test_refusals_spread_beyond_the_window_do_not_deny(demo, client, rule):
    linda = personas.user("linda")
    start = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(start, tick=True):
        personas.sign_in(client, "linda")
        _probe(client, 4)
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=True):
        _probe(client, 1)
    assert not AccountDenial.objects.filter(user=linda).exists()


def test_closed_doors_at_home_never_count_as_probing(demo, client, rule):
    """Kevin's refusals for Emma, his own daughter under a court order, are not probes."""
    emma = personas.child("emma")
    personas.sign_in(client, "kevin")
    for _ in range(8):
        assert client.get(reverse("portal:attendance", args=[emma.pk])).status_code == 404
    assert not AccountDenial.objects.filter(user=personas.user("kevin")).exists()
