"""A staff account reading more students' records than the threshold within the window
raises one alert to technology staff, mailed through a real SMTP server (issue 5)."""

import pytest
from django.urls import reverse

from homeroom.audit.models import Action, AuditEvent
from tests import personas
from tests.classroom.support import sections_of

pytestmark = pytest.mark.django_db


def _grade_grids(client, sections) -> int:
    students = 0
    for section in sections:
        response = client.get(reverse("classroom:gradebook", args=[section.pk]))
        assert response.status_code == 200
        students += section.rosters.count()
    return students


def test_reading_many_records_quickly_alerts_technology_once(
    demo, client, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.HOMEROOM_TECHNOLOGY_EMAIL = "technology@district.test"
    sections = sections_of("taylor")
    settings.HOMEROOM_STAFF_READ_ALERT_STUDENTS = sections[0].rosters.count()
    personas.sign_in(client, "taylor")
    with django_capture_on_commit_callbacks(execute=True):
        _grade_grids(client, sections[:1])
    assert smtp_server.messages == []  # at the threshold, not above it

    with django_capture_on_commit_callbacks(execute=True):
        _grade_grids(client, sections[1:3])
        _grade_grids(client, sections[1:3])  # once per window, however long it goes on
    alerts = AuditEvent.objects.filter(action=Action.SECURITY, detail__rule="staff_reads")
    assert alerts.count() == 1
    assert alerts.get().object_id == str(personas.user("taylor").pk)
    [message] = smtp_server.messages
    assert message.rcpt_tos == ["technology@district.test"]
    assert b"taylor" in message.content


def test_a_teacher_reading_one_class_raises_no_alert(demo, client, settings, smtp_server):
    personas.sign_in(client, "taylor")
    _grade_grids(client, sections_of("taylor")[:1])
    assert not AuditEvent.objects.filter(action=Action.SECURITY).exists()
