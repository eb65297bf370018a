"""The delivery record and the notice subscriptions in the admin: read-only, open to the
groups access/roles.py grants them (the registrar and the district administrator, who oversee
school notices; never technology staff), listed in a fixed number of queries however many
rows, and every student a row names is a logged staff read (R50, R12)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from homeroom.lib import clock
from homeroom.notify import services
from homeroom.notify.models import Message, Notice, NoticeSubscription
from homeroom.notify.notices import Audience
from homeroom.sis.models import GuardianLink
from tests import personas
from tests.notify.support import (
    high_school,
    run_worker,
    subscribe_in_the_portal,
    taylors_class_with,
)

pytestmark = pytest.mark.django_db

MESSAGES = "admin:notify_message_changelist"
SUBSCRIPTIONS = "admin:notify_noticesubscription_changelist"


def _notice(audience: Audience, subject: str) -> Notice:
    okafor = personas.user("okafor")
    return services.notice_send(
        actor=Actor(user_id=okafor.pk, role="school_administrator"),
        author=okafor,
        audience=audience,
        category="notice",
        subject=subject,
        body="Text.",
    )


def _queries(client, name: str) -> tuple[int, int]:
    client.get(reverse(name))  # per-process caches (content types) warmed
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name))
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.context["cl"].result_list)


def _reads(username: str, page: str) -> set[int]:
    events = AuditEvent.objects.filter(
        action=Action.STAFF_READ, actor=personas.user(username), detail__page=page
    )
    return {pk for pk in events.values_list("student_id", flat=True) if pk is not None}


@pytest.mark.parametrize("username", ["pat", "lee"])
def test_the_delivery_record_is_listed_and_each_student_named_is_a_logged_read(
    demo, client, smtp_server, username
):
    """R50: a message names the children it tells about; the list logs a read of each, a
    message's page of its own."""
    _notice(Audience("school", high_school().pk), "Picture day")
    run_worker()
    personas.sign_in(client, username)
    page = client.get(reverse(MESSAGES))
    assert page.status_code == 200
    rows = list(page.context["cl"].result_list)
    assert rows and {m.status for m in rows} == {"sent"}
    named = {pk for m in rows for pk in m.students}
    assert _reads(username, "admin:notify.message:list") == named
    assert "Notice: Picture day" in page.content.decode()
    maria = Message.objects.get(recipient__username="maria")
    record = client.get(reverse("admin:notify_message_change", args=[maria.pk]))
    assert record.status_code == 200 and "maria" in record.content.decode()
    assert _reads(username, "admin:notify.message:record") == set(maria.students)


def test_the_delivery_record_and_subscriptions_cannot_be_added_changed_or_deleted(
    demo, client, smtp_server
):
    """Nothing is lost (DESIGN.md): the record is the workers', the subscriptions the
    portal's and the office's pages'."""
    _notice(Audience("school", high_school().pk), "Picture day")
    run_worker()
    subscribe_in_the_portal(client, "david", "sofia")
    personas.sign_in(client, "lee")
    message = Message.objects.filter(recipient__username="maria").get()
    row = NoticeSubscription.objects.get()
    for model, obj in (("message", message), ("noticesubscription", row)):
        assert client.get(reverse(f"admin:notify_{model}_add")).status_code == 403
        change = reverse(f"admin:notify_{model}_change", args=[obj.pk])
        assert client.post(change, {"status": "failed", "source": "portal"}).status_code == 403
        delete = reverse(f"admin:notify_{model}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    message.refresh_from_db()
    assert message.status == "sent"
    assert NoticeSubscription.objects.filter(pk=row.pk, ended_at__isnull=True).exists()


@pytest.mark.parametrize("username", ["sam", "okafor", "taylor"])
def test_staff_outside_the_registrar_and_district_groups_see_neither_list(demo, client, username):
    """R12, least privilege: technology staff see no messages about grades and absences;
    principals and teachers have no admin group at all."""
    personas.sign_in(client, username)
    for name in (MESSAGES, SUBSCRIPTIONS):
        assert client.get(reverse(name)).status_code in (302, 403)


def test_the_message_list_costs_the_same_queries_for_a_class_and_a_school(
    demo, client, smtp_server
):
    """A page's queries do not grow with its rows (DESIGN.md, "Fast by construction")."""
    section, _period = taylors_class_with("sofia")
    _notice(Audience("section", high_school().pk, section_id=section.pk), "Algebra II")
    run_worker()
    personas.sign_in(client, "pat")
    few, shown_few = _queries(client, MESSAGES)
    _notice(Audience("school", high_school().pk), "Picture day")
    run_worker()
    many, shown_many = _queries(client, MESSAGES)
    assert shown_many > shown_few > 0
    assert many == few, f"{few} queries for {shown_few} rows, {many} for {shown_many}"


def test_the_subscription_list_costs_the_same_queries_and_logs_each_students_read(demo, client):
    """R20's requests, listed through joins; R50: a read of each student on the page."""
    subscribe_in_the_portal(client, "david", "sofia")
    personas.sign_in(client, "pat")
    few, shown_few = _queries(client, SUBSCRIPTIONS)
    away = GuardianLink.objects.filter(lives_with=False).exclude(guardian__user=None)
    pat = personas.user("pat")
    for link in away[:12]:
        NoticeSubscription.objects.get_or_create(
            guardian_id=link.guardian_id,
            student_id=link.student_id,
            ended_at=None,
            defaults={
                "school": high_school(),
                "source": "registrar",
                "started_at": clock.now(),
                "started_by": pat,
            },
        )
    many, shown_many = _queries(client, SUBSCRIPTIONS)
    assert shown_many > shown_few == 1
    assert many == few
    listed = set(NoticeSubscription.objects.values_list("student_id", flat=True))
    assert _reads("pat", "admin:notify.noticesubscription:list") == listed
