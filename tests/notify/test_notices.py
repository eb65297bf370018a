"""School notices with parity (R20, CGS 10-15b(b)): a notice to the high school's families
reaches David — subscribed, not living with Sofia — with the same moment and the same text
as Maria, in one job; after Sofia changes school his subscription is over, and staff are
prompted to renew it. Through the real pages, the worker's loop and the real SMTP sink."""

import datetime

import pytest
from django.urls import reverse

from homeroom.lib import clock
from homeroom.notify.models import Message, Notice, NoticeSubscription
from homeroom.sis.models import Enrollment, School
from tests import personas
from tests.notify.support import body, run_worker, to

pytestmark = pytest.mark.django_db


def _high_school() -> School:
    return personas.child("sofia").enrollments.order_by("-entry_date")[0].school


def _subscribe_david(client) -> None:
    personas.sign_in(client, "david")
    sofia = personas.child("sofia")
    response = client.post(
        reverse("portal:child-notifications", args=[sofia.pk]), {"action": "subscribe"}
    )
    assert response.status_code == 302
    client.logout()


def _send(client, **fields) -> Notice:
    personas.sign_in(client, "okafor")
    data = {
        "audience": "school",
        "school": str(_high_school().pk),
        "category": "notice",
        "subject": "Early dismissal Friday",
        "body": "School closes at 12:30 on Friday for staff training.",
        **fields,
    }
    preview = client.post(reverse("classroom:notices"), {**data, "action": "preview"})
    assert preview.status_code == 200 and "It reaches" in preview.content.decode()
    response = client.post(reverse("classroom:notices"), {**data, "action": "send"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Notice.objects.get(subject=data["subject"])


def test_a_notice_reaches_the_subscribed_non_residential_parent_at_the_same_time(
    demo, client, smtp_server
):
    """R20: same job, same timestamp, same content for Maria (residential) and David."""
    _subscribe_david(client)
    notice = _send(client)
    run_worker()
    maria, david = to(smtp_server, "maria"), to(smtp_server, "david")
    assert len(maria) == 1 and len(david) == 1
    assert maria[0]["Date"] == david[0]["Date"]
    text = "School closes at 12:30 on Friday for staff training."
    assert text in body(maria[0]) and text in body(david[0])
    copies = Message.objects.filter(notice=notice, recipient__username__in=["maria", "david"])
    assert {m.queued_at for m in copies} == {notice.sent_at}
    assert {m.status for m in copies} == {"sent"}
    # Kevin (court order), Rosa (Alex 18, no consent), Grace (Daniel withdrew): nothing.
    for username in ("kevin", "rosa", "grace"):
        assert to(smtp_server, username) == []
    staff_page = client.get(reverse("classroom:notice", args=[notice.pk]))
    assert staff_page.status_code == 200 and "Sent" in staff_page.content.decode()


def test_without_a_subscription_the_non_residential_parent_gets_no_notice(
    demo, client, smtp_server
):
    """R20: the statute gives the notices on request; the request is the subscription."""
    _send(client)
    run_worker()
    assert len(to(smtp_server, "maria")) == 1
    assert to(smtp_server, "david") == []


def test_a_change_of_school_ends_the_subscription_and_staff_are_prompted(demo, client):
    """R20: the request lasts while the child stays in that school."""
    _subscribe_david(client)
    sofia = personas.child("sofia")
    today = clock.today()
    current = Enrollment.objects.get(student=sofia, exit_date__isnull=True)
    current.exit_date, current.exit_reason = (
        today - datetime.timedelta(days=1),
        "transfer_in_district",
    )
    current.save()
    other = School.objects.exclude(pk=current.school_id)[0]
    Enrollment.objects.create(
        student=sofia, school=other, grade_level=current.grade_level, entry_date=today
    )
    from homeroom.notify import tasks

    tasks.subscriptions_review.enqueue("test")
    run_worker()
    row = NoticeSubscription.objects.get(guardian__user__username="david", student=sofia)
    assert row.ended_at is not None and row.end_reason == "school_changed"
    personas.sign_in(client, "pat")
    page = client.get(reverse("classroom:notices")).content.decode()
    assert "Subscriptions to renew" in page and "David Lopez" in page
