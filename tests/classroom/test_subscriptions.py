"""The registrar's entry of a notice subscription (R20: "by portal toggle or registrar
entry"), through the real sign-in and pages: Pat Morgan (district registrar), Dr. Lee
(district administrator) and Ms. Okafor (the high school's principal) enter David's request
for Sofia's school notices; the next notice reaches him. Each response and what it stored
(rows, audit events) is checked; outside each person's bounds the pages answer a logged 404
(R12, R50)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from homeroom.notify import services
from homeroom.notify.models import Message, NoticeSubscription
from homeroom.sis.models import Guardian
from tests import personas
from tests.notify.support import body, run_worker, to

pytestmark = pytest.mark.django_db


def _page(student_name: str) -> str:
    return reverse("classroom:student-subscriptions", args=[personas.child(student_name).pk])


def _guardian(username: str) -> Guardian:
    return personas.user(username).guardian


def _refusals() -> int:
    return AuditEvent.objects.filter(action=Action.REFUSED).count()


@pytest.mark.parametrize("username", ["pat", "lee", "okafor"])
def test_a_subscription_keeper_enters_davids_request_for_sofias_notices(demo, client, username):
    """R20: the registrar's entry. Found by name, entered with one button, stored with who
    entered it, audited; the reads of Sofia's page are logged (R50)."""
    sofia = personas.child("sofia")
    david = _guardian("david")
    personas.sign_in(client, username)
    found = client.get(reverse("classroom:subscriptions"), {"q": "Sofia Lopez"})
    assert found.status_code == 200
    assert sofia in found.context["found"]
    assert _page("sofia") in found.content.decode()

    page = client.get(_page("sofia"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "David Lopez" in text and "Not subscribed" in text
    assert "Receives every notice (lives with the student)" in text  # Maria
    assert AuditEvent.objects.filter(
        action=Action.STAFF_READ,
        actor=personas.user(username),
        student_id=sofia.pk,
        detail__page="student-subscriptions",
    ).exists()

    response = client.post(_page("sofia"), {"guardian": str(david.pk), "subscription": "start"})
    assert response.status_code == 302 and response["Location"] == _page("sofia")
    row = NoticeSubscription.objects.get(guardian=david, student=sofia, ended_at__isnull=True)
    assert row.source == NoticeSubscription.Source.REGISTRAR
    assert row.started_by == personas.user(username)
    assert row.school == sofia.enrollments.order_by("-entry_date")[0].school
    event = AuditEvent.objects.filter(action=Action.NOTICE_SUBSCRIPTION, student_id=sofia.pk).get()
    assert event.actor == personas.user(username)
    assert event.detail["what"] == "started" and event.detail["source"] == "registrar"
    after = client.get(_page("sofia")).content.decode()
    assert "now receives every school notice about Sofia Lopez" in after
    assert "Subscribed since" in after and "Entered by the registrar" in after


def test_after_the_registrars_entry_david_gets_the_next_notice_with_maria(
    demo, client, smtp_server
):
    """R20: a subscription entered by the registrar works as the portal toggle does: the
    notice reaches David in the same job, with Maria's moment and text."""
    personas.sign_in(client, "pat")
    david = _guardian("david")
    response = client.post(_page("sofia"), {"guardian": str(david.pk), "subscription": "start"})
    assert response.status_code == 302
    client.logout()
    school = personas.child("sofia").enrollments.order_by("-entry_date")[0].school
    okafor = personas.user("okafor")
    notice = services.notice_send(
        actor=Actor(user_id=okafor.pk, role="school_administrator"),
        author=okafor,
        audience=services.Audience("school", school.pk),
        category="notice",
        subject="Picture day",
        body="Picture day is Tuesday.",
    )
    run_worker()
    maria, david_mail = to(smtp_server, "maria"), to(smtp_server, "david")
    assert len(maria) == 1 and len(david_mail) == 1
    assert maria[0]["Date"] == david_mail[0]["Date"]
    assert "Picture day is Tuesday." in body(david_mail[0])
    assert Message.objects.get(notice=notice, recipient__username="david").status == "sent"


def test_the_principal_ends_a_subscription_on_the_parents_word(demo, client):
    """R20: the office may end what the parent no longer wants; the row is kept, with who
    ended it and why."""
    sofia, david = personas.child("sofia"), _guardian("david")
    personas.sign_in(client, "okafor")
    client.post(_page("sofia"), {"guardian": str(david.pk), "subscription": "start"})
    response = client.post(_page("sofia"), {"guardian": str(david.pk), "subscription": "end"})
    assert response.status_code == 302
    row = NoticeSubscription.objects.get(guardian=david, student=sofia)
    assert row.ended_at is not None and row.end_reason == "cancelled"
    assert row.ended_by == personas.user("okafor")
    assert [
        e.detail["what"]
        for e in AuditEvent.objects.filter(
            action=Action.NOTICE_SUBSCRIPTION, student_id=sofia.pk
        ).order_by("seq")
    ] == ["started", "ended"]


def test_a_parent_the_student_lives_with_is_not_subscribed_and_is_told_why(demo, client):
    """R20 concerns the parent the child does not live with: Maria gets every notice."""
    personas.sign_in(client, "pat")
    maria = _guardian("maria")
    response = client.post(
        _page("sofia"), {"guardian": str(maria.pk), "subscription": "start"}, follow=True
    )
    assert response.status_code == 200
    assert "receives every school notice already" in response.content.decode()
    assert not NoticeSubscription.objects.exists()


def test_the_principal_reaches_no_student_of_another_school(demo, client):
    """R12: Ms. Okafor keeps the high school's subscriptions; Mateo (middle school) is a
    logged 404 to reading and to writing, and nothing is stored."""
    personas.sign_in(client, "okafor")
    david = _guardian("david")
    before = _refusals()
    assert client.get(_page("mateo")).status_code == 404
    response = client.post(_page("mateo"), {"guardian": str(david.pk), "subscription": "start"})
    assert response.status_code == 404
    assert _refusals() == before + 2
    refused = AuditEvent.objects.filter(action=Action.REFUSED).order_by("-seq")[0]
    assert refused.student_id == personas.child("mateo").pk and refused.detail["write"] is True
    assert not NoticeSubscription.objects.exists()
    search = client.get(reverse("classroom:subscriptions"), {"q": "Mateo Lopez"})
    assert search.status_code == 200
    assert personas.child("mateo") not in search.context["found"]


def test_another_familys_guardian_is_refused_like_one_that_does_not_exist(demo, client):
    """R12, ASVS 8.2.2: Kevin is not Sofia's parent; his id and an unknown id answer the
    same logged 404, and nothing is stored."""
    personas.sign_in(client, "pat")
    before = _refusals()
    kevin = _guardian("kevin")
    a = client.post(_page("sofia"), {"guardian": str(kevin.pk), "subscription": "start"})
    b = client.post(_page("sofia"), {"guardian": str(10**9), "subscription": "start"})
    assert a.status_code == b.status_code == 404
    assert _refusals() == before + 2
    refused = AuditEvent.objects.filter(action=Action.REFUSED).order_by("-seq")[1]
    assert refused.object_type == "sis.guardian" and refused.object_id == str(kevin.pk)
    assert not NoticeSubscription.objects.exists()


@pytest.mark.parametrize("username", ["taylor", "ruiz", "sam"])
def test_staff_who_keep_no_subscriptions_reach_no_subscription_page(demo, client, username):
    """access.roles.SUBSCRIPTION_KEEPERS only: a teacher (even of Sofia), a counselor and
    technology staff get a logged 404, and no link to the pages."""
    personas.sign_in(client, username)
    before = _refusals()
    assert client.get(reverse("classroom:subscriptions")).status_code == 404
    assert client.get(_page("sofia")).status_code == 404
    assert _refusals() == before + 2
    home = client.get(reverse("classroom:home"))
    assert reverse("classroom:subscriptions") not in home.content.decode()


def test_the_service_refuses_a_keeper_outside_the_students_school(demo):
    """R12 below the page too: the service asks `access.staff.keeps_subscriptions_at`."""
    okafor = personas.user("okafor")
    with pytest.raises(PermissionDenied):
        services.subscription_start(
            actor=Actor(user_id=okafor.pk, role="school_administrator"),
            started_by=okafor,
            guardian=_guardian("david"),
            student=personas.child("mateo"),
            source=NoticeSubscription.Source.REGISTRAR,
        )
    assert not NoticeSubscription.objects.exists()
