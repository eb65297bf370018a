"""Technology staff and auditors answer "who looked at this child's record?" from the log,
and export what they see as CSV; the export is itself logged and alerted (issue 5; R50)."""

import pytest
from django.urls import reverse

from homeroom.audit.models import Action, AuditEvent
from tests import personas

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:access_studentrecordaccess_changelist"


def test_technology_staff_see_who_looked_at_a_student_record(demo, client):
    sofia, noah = personas.child("sofia"), personas.child("noah")
    reader = personas.sign_in(client, "maria")
    reader.get(reverse("portal:grades", args=[sofia.pk]))
    reader.get(reverse("portal:grades", args=[noah.pk]))  # refused, and logged as such
    client.logout()
    personas.sign_in(client, "linda")
    client.get(reverse("portal:grades", args=[noah.pk]))
    client.logout()

    personas.sign_in(client, "sam")
    page = client.get(reverse(CHANGELIST), {"q": sofia.local_id})
    assert page.status_code == 200
    rows = page.context["cl"].result_list
    assert rows and {event.student_id for event in rows} == {sofia.pk}
    assert "maria" in {event.actor.username for event in rows if event.actor_id}
    assert "linda" not in page.content.decode()

    by_account = client.get(reverse(CHANGELIST), {"q": "linda"}).context["cl"].result_list
    assert {event.actor.username for event in by_account} == {"linda"}


def test_the_csv_export_is_logged_and_alerted(
    demo, client, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.HOMEROOM_TECHNOLOGY_EMAIL = "technology@district.test"
    sofia = personas.child("sofia")
    personas.sign_in(client, "maria").get(reverse("portal:attendance", args=[sofia.pk]))
    client.logout()
    personas.sign_in(client, "sam")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            reverse("admin:access_studentrecordaccess_export"), {"q": sofia.local_id}
        )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].startswith("seq,occurred_at_utc,action,actor")
    assert "maria" in body and "portal.read" in body
    export = AuditEvent.objects.filter(action=Action.EXPORT).latest("seq")
    assert export.actor == personas.user("sam") and export.detail["rows"] >= 1
    assert any(b"bulk export by sam" in m.content for m in smtp_server.messages)


def test_a_teacher_cannot_read_the_log(demo, client):
    personas.sign_in(client, "taylor")
    response = client.get(reverse(CHANGELIST))
    assert response.status_code in (302, 403)
