"""Reporting a security problem (policy 1110.2; R73): signed in or not, a report gets a
reference, lands in the technology department's queue, is mailed to the department through
a real SMTP server, and `/.well-known/security.txt` points to it (RFC 9116)."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from homeroom.access.roles import TECHNOLOGY
from homeroom.audit.models import Action, AuditEvent, SecurityReport
from homeroom.lib import clock
from tests import personas

pytestmark = pytest.mark.django_db

TECHNOLOGY_EMAIL = "technology@district.test"
REPORT = {
    "description": "After signing in I could see another family's attendance page.",
    "where": "/portal/students/12/attendance/",
    "contact": "reporter@example.org",
}


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.HOMEROOM_TECHNOLOGY_EMAIL = TECHNOLOGY_EMAIL
    cache.clear()
    yield
    cache.clear()


def _report(client, data=REPORT, address="203.0.113.50"):
    return client.post(reverse("public:security-report"), data, REMOTE_ADDR=address)


def test_the_page_asks_not_to_demonstrate_the_problem_and_is_linked_from_every_page(client, db):
    page = client.get(reverse("public:security-report")).content.decode()
    assert "Please do not demonstrate the problem to anyone" in page
    assert '<label for="id_description">' in page
    sign_in = client.get(reverse("accounts:sign-in")).content.decode()
    assert f'href="{reverse("public:security-report")}"' in sign_in


def test_a_report_signed_out_gets_a_reference_a_queue_entry_and_a_mail(
    client, db, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _report(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("public:security-report-received")

    report = SecurityReport.objects.get()
    year = clock.now().astimezone(datetime.UTC).year
    assert re.fullmatch(rf"SR-({year}|{year - 1}|{year + 1})-\d{{6}}", report.reference)
    assert report.reporter is None and report.status == SecurityReport.Status.NEW
    assert report.description == REPORT["description"] and report.where == REPORT["where"]
    assert report.address == "203.0.113.50"

    shown = client.get(response["Location"]).content.decode()
    assert report.reference in shown and "do not demonstrate" in shown

    [message] = smtp_server.messages
    assert message.rcpt_tos == [TECHNOLOGY_EMAIL]
    content = message.content.decode()
    assert report.reference in content and "another family" in content
    assert "Reply-To: reporter@example.org" in content

    event = AuditEvent.objects.get(action=Action.SECURITY, object_id=str(report.pk))
    assert event.detail == {"what": "report_filed", "reference": report.reference}


def test_a_report_signed_in_names_the_reporter(
    demo, client, smtp_server, django_capture_on_commit_callbacks
):
    personas.sign_in(client, "linda")
    with django_capture_on_commit_callbacks(execute=True):
        response = _report(client, {"description": "My child's page shows a stranger's name."})
    assert response.status_code == 302
    report = SecurityReport.objects.get()
    assert report.reporter == personas.user("linda")
    assert report.reference in client.get(response["Location"]).content.decode()
    [message] = smtp_server.messages
    content = message.content.decode()
    assert report.reference in content and "Reported by: linda" in content
    assert "Reply-To" not in content


def test_each_report_gets_its_own_reference(client, db):
    for n in range(3):
        _report(client, {"description": f"Problem {n}"}, address=f"192.0.2.{n + 1}")
    references = list(SecurityReport.objects.values_list("reference", flat=True))
    assert len(set(references)) == 3 and all(r.startswith("SR-") for r in references)


def test_an_empty_report_is_refused_and_what_was_typed_is_kept(client, db):
    response = _report(client, {"description": "  ", "where": "the grades page"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Describe the problem you found." in page and 'value="the grades page"' in page
    assert not SecurityReport.objects.exists()


def test_reports_are_throttled_per_address(client, db):
    for n in range(5):
        assert _report(client, {"description": f"Problem {n}"}).status_code == 302
    blocked = _report(client, {"description": "One more"})
    assert blocked.status_code == 429
    page = blocked.content.decode()
    assert "Please try again after" in page and "One more" in page
    assert SecurityReport.objects.count() == 5
    assert (
        _report(client, {"description": "From elsewhere"}, address="198.51.100.1").status_code
        == 302
    )


def test_the_acknowledgement_shows_nothing_without_a_report(client, db):
    response = client.get(reverse("public:security-report-received"))
    assert response.status_code == 302 and response["Location"] == reverse("public:security-report")


def test_security_txt_points_to_the_report_page(client, db):
    """RFC 9116: Contact, Expires within a year, Preferred-Languages, Canonical."""
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    fields: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.split(": ", 1)
            fields.setdefault(name, []).append(value)
    # The configured site address, never the request's Host (issue 13).
    assert fields["Contact"] == [
        f"{settings.HOMEROOM_SITE_URL}/security/report/",
        f"mailto:{TECHNOLOGY_EMAIL}",
    ]
    [expires] = fields["Expires"]
    moment = datetime.datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    now = clock.now()
    assert now < moment <= now + datetime.timedelta(days=365)
    assert fields["Preferred-Languages"] == ["en, es"]
    assert fields["Canonical"] == [f"{settings.HOMEROOM_SITE_URL}/.well-known/security.txt"]


# --- The queue -------------------------------------------------------------------------------


def test_technology_staff_work_the_queue_but_cannot_add_or_delete(demo, client):
    _report(client)
    report = SecurityReport.objects.get()
    sam = personas.user("sam")
    assert sam.groups.filter(name=TECHNOLOGY).exists()
    personas.sign_in(client, "sam")
    listing = client.get(reverse("admin:audit_securityreport_changelist"))
    assert listing.status_code == 200 and report.reference in listing.content.decode()
    assert client.get(reverse("admin:audit_securityreport_add")).status_code == 403
    delete = reverse("admin:audit_securityreport_delete", args=[report.pk])
    assert client.get(delete).status_code == 403

    change = reverse("admin:audit_securityreport_change", args=[report.pk])
    response = client.post(
        change,
        {
            "status": SecurityReport.Status.INVESTIGATING,
            "notes": "Reproduced in staging.",
            "description": "rewritten",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == SecurityReport.Status.INVESTIGATING
    assert report.notes == "Reproduced in staging." and report.handled_by == sam
    assert report.description == REPORT["description"], "what was reported is never rewritten"
    event = AuditEvent.objects.get(
        action=Action.SECURITY, object_id=str(report.pk), detail__what="report_handled"
    )
    assert event.changes == {"status": ["new", "investigating"]} and event.actor == sam


def test_the_registrar_does_not_see_the_queue(demo, client):
    _report(client)
    personas.sign_in(client, "pat")
    assert client.get(reverse("admin:audit_securityreport_changelist")).status_code == 403
