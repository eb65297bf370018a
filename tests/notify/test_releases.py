"""Report card releases and letters take the notices' one path (R20: "Every notice sent to the
residential parent (bulk message, report card release, letter) is queued to subscribed
non-residential parents in the same job, with the same timestamp and content"). Sent by Ms.
Okafor from the classroom's notices page, addressed and mailed by the worker's own loop,
received by the real SMTP sink; each test sets its own clock."""

import pytest
from django.urls import reverse

from homeroom.access.models import Restriction
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from homeroom.lib import clock
from homeroom.notify import compose, notices, selectors, services
from homeroom.notify.models import Message, Notice
from homeroom.sis.models import AcademicSession
from tests import personas
from tests.notify.support import at, body, high_school, run_worker, subscribe_in_the_portal, to

pytestmark = pytest.mark.django_db

NOTICES = "classroom:notices"


def _username(message: Message) -> str:
    assert message.recipient is not None  # a family message names its recipient
    return message.recipient.username


def _ended_quarter() -> AcademicSession:
    term = (
        selectors.report_card_terms(clock.today())
        .filter(kind=AcademicSession.Kind.GRADING_PERIOD)
        .first()
    )
    assert term is not None, "the demo's first quarter has ended by late November"
    return term


def _send(client, **fields: str) -> Notice:
    """Preview, then send, as Ms. Okafor (the high school's principal)."""
    personas.sign_in(client, "okafor")
    data = {
        "audience": "school",
        "school": str(high_school().pk),
        "category": "report_card",
        "term": str(_ended_quarter().pk),
        "subject": "",
        "body": "",
        **fields,
    }
    preview = client.post(reverse(NOTICES), {**data, "action": "preview"})
    assert preview.status_code == 200 and "It reaches" in preview.content.decode()
    response = client.post(reverse(NOTICES), {**data, "action": "send"})
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    return Notice.objects.latest("pk")


def _text(mail) -> str:
    """A mail's text above its footer (the footer's unsubscribe link is each parent's own)."""
    return body(mail).split("\n\n")[0]


def test_a_report_card_release_reaches_maria_and_subscribed_david_at_one_moment(
    demo, client, smtp_server
):
    """R20: one job, one moment, the same link to Sofia's grades for both parents, each in
    their language (Maria in Spanish, David in English)."""
    with at(2026, 11, 19, 8):
        subscribe_in_the_portal(client, "david", "sofia")
        notice = _send(client, body="Conferences are on 3 December.")
        run_worker()
    term, sofia, mateo = _ended_quarter(), personas.child("sofia"), personas.child("mateo")
    assert notice.category == "report_card" and notice.term == term
    assert notice.subject == f"Report cards for {term.title} are available"
    maria, david = to(smtp_server, "maria"), to(smtp_server, "david")
    assert len(maria) == 1 and len(david) == 1
    assert maria[0]["Date"] == david[0]["Date"]
    link = compose.grades_url(sofia.pk)
    assert link in body(maria[0]) and link in body(david[0])
    assert compose.grades_url(mateo.pk) not in body(maria[0])  # Mateo is at the middle school
    # The stored subject, exactly; the mail's header is folded by Python's email package,
    # which loses a space between two encoded words (CPython gh-144156).
    assert "Las boletas de calificaciones de" in maria[0]["Subject"]
    assert Message.objects.get(notice=notice, recipient__username="maria").subject == (
        f"Las boletas de calificaciones de {term.title} están disponibles"
    )
    assert f"Report cards for {term.title} are available in the portal." in body(david[0])
    assert "Conferences are on 3 December." in body(maria[0])
    assert "Conferences are on 3 December." in body(david[0])
    copies = Message.objects.filter(notice=notice, recipient__username__in=["maria", "david"])
    assert {(m.status, m.queued_at, m.kind) for m in copies} == {("sent", notice.sent_at, "notice")}
    assert {m.language for m in copies} == {"es", "en"}
    event = AuditEvent.objects.filter(action=Action.NOTICE, object_id=str(notice.pk)).get()
    assert event.detail["category"] == "report_card" and event.detail["term_id"] == term.pk


def test_parents_of_one_language_read_the_very_same_release(demo, client, smtp_server):
    """R20 "same content": with David reading Spanish too, his copy is Maria's, word for
    word."""
    david_user = personas.user("david")
    david_user.preferred_language = "es"
    david_user.save(update_fields=["preferred_language"])
    with at(2026, 11, 19, 8):
        subscribe_in_the_portal(client, "david", "sofia")
        notice = _send(client)
        run_worker()
    maria, david = to(smtp_server, "maria"), to(smtp_server, "david")
    assert len(maria) == len(david) == 1
    assert _text(maria[0]) == _text(david[0])
    assert maria[0]["Subject"] == david[0]["Subject"]
    rows = {_username(m): m for m in Message.objects.filter(notice=notice)}
    assert rows["maria"].body == rows["david"].body and rows["maria"].body


def test_a_parent_restricted_from_grades_hears_no_report_card_but_the_schools_notices(
    demo, client, smtp_server
):
    """R3, R20: a report card release tells of grades, so the policy must open the grade book
    (`Notice.told_module`); a restriction of grades alone leaves the school's notices."""
    david, sofia = personas.user("david").guardian, personas.child("sofia")
    with at(2026, 11, 19, 8):
        subscribe_in_the_portal(client, "david", "sofia")
        Restriction.objects.create(
            guardian=david,
            student=sofia,
            reason="court_order",
            document_reference="FA-27-2",
            starts_on=clock.today(),
            whole_record=False,
            grades=True,
            placed_by=personas.user("pat"),
            placed_at=clock.now(),
        )
        release = _send(client)
        notice = _send(
            client, category="notice", term="", subject="Snow day", body="School is closed."
        )
        run_worker()
    assert not Message.objects.filter(notice=release, guardian=david).exists()
    assert Message.objects.get(notice=release, recipient__username="maria").status == "sent"
    assert Message.objects.get(notice=notice, guardian=david).status == "sent"
    subjects = [m["Subject"] for m in to(smtp_server, "david")]
    assert len(subjects) == 1 and "Snow day" in subjects[0]


def test_a_letter_to_a_grade_reaches_both_parents_with_the_writers_text_and_signature(
    demo, client, smtp_server
):
    """R20: a letter is a notice too: Sofia's grade 10 families, David included, get the
    same text with Ms. Okafor's signature at the same moment; Noah's (grade 11) none."""
    with at(2026, 11, 19, 13):
        subscribe_in_the_portal(client, "david", "sofia")
        letter = _send(
            client,
            category="letter",
            term="",
            audience="grade",
            grade_level=personas.child("sofia").grade_level,
            subject="Grade 10 field trip",
            body="Dear families,\n\nThe grade 10 trip to Mystic is on 4 December.",
        )
        run_worker()
    signature = f"Ms. Okafor\n{high_school().name}"
    assert letter.category == "letter" and letter.body.endswith(signature)
    maria, david = to(smtp_server, "maria"), to(smtp_server, "david")
    assert len(maria) == len(david) == 1
    for mail in (maria[0], david[0]):
        assert "The grade 10 trip to Mystic is on 4 December." in body(mail)
        assert signature in body(mail)
        assert "Grade 10 field trip" in mail["Subject"]
    assert maria[0]["Date"] == david[0]["Date"]
    assert to(smtp_server, "linda") == []
    copies = Message.objects.filter(notice=letter)
    assert {m.queued_at for m in copies} == {letter.sent_at}
    assert {"maria", "david"} <= {_username(m) for m in copies}


def test_a_report_card_release_needs_a_term_that_has_ended(demo, client):
    """Bad input says what to fix and stores nothing: no term, or one still running."""
    running = AcademicSession.objects.filter(
        kind=AcademicSession.Kind.GRADING_PERIOD, end_date__gte=clock.today()
    ).first()
    assert running is not None
    personas.sign_in(client, "okafor")
    for term in ("", str(running.pk)):
        data = {
            "audience": "school",
            "school": str(high_school().pk),
            "category": "report_card",
            "term": term,
            "action": "send",
        }
        response = client.post(reverse(NOTICES), data)
        assert response.status_code == 200
        assert "Choose a term that has ended" in response.content.decode()
    assert not Notice.objects.exists()


def test_a_release_copy_names_only_the_children_the_policy_still_opens_at_sending(
    demo, smtp_server
):
    """R3 at sending time: Maria's copy of a district-wide release names Sofia and Mateo when
    it is addressed; a restriction of Mateo's grades placed before it goes out leaves Sofia's
    line alone in the mail and in the stored copy."""
    maria, sofia, mateo = personas.user("maria"), personas.child("sofia"), personas.child("mateo")
    with at(2026, 11, 19, 9):
        pat = personas.user("pat")
        release = services.notice_send(
            actor=Actor(user_id=pat.pk, role="registrar"),
            author=pat,
            audience=notices.Audience("district"),
            category="report_card",
            subject="",
            body="",
            term_id=_ended_quarter().pk,
        )
        notices.fan_out(release.pk)  # addressed now; the worker sends it below
        copy = Message.objects.get(notice=release, recipient=maria)
        assert copy.students == sorted([sofia.pk, mateo.pk])
        assert compose.grades_url(mateo.pk) in copy.body
        Restriction.objects.create(
            guardian=maria.guardian,
            student=mateo,
            reason="court_order",
            document_reference="FA-27-3",
            starts_on=clock.today(),
            whole_record=False,
            grades=True,
            placed_by=pat,
            placed_at=clock.now(),
        )
        run_worker()
    copy.refresh_from_db()
    assert copy.status == "sent" and copy.students == [sofia.pk]
    mail = to(smtp_server, "maria")
    assert len(mail) == 1
    assert compose.grades_url(sofia.pk) in body(mail[0])
    assert compose.grades_url(mateo.pk) not in body(mail[0]) and "Mateo" not in body(mail[0])
