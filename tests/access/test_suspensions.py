"""Denying or ceasing access, per child and per account, and telling the person (policy
1110.2; R68): each reason placed, reviewed and lifted; the notice in the person's language
through a real SMTP server; reinstatement restores exactly what was suspended."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from homeroom.access import services
from homeroom.access.models import AccountDenial
from homeroom.accounts.models import UserSession
from homeroom.audit.models import Action, AuditEvent
from homeroom.audit.services import Actor
from homeroom.lib import clock
from tests import mailbox, personas

pytestmark = pytest.mark.django_db


def _pat() -> Actor:
    return Actor(user_id=personas.user("pat").pk, role="registrar")


def _told(sink) -> list[tuple[list[str], str, str]]:
    """(recipients, subject, body) of each message the sink received."""
    return [(e.rcpt_tos, mailbox.subject(e), mailbox.body(e)) for e in sink.messages]


def _suspend(username: str, reason: str, child: str | None = None, **extra) -> AccountDenial:
    return services.denial_place(
        actor=_pat(),
        placed_by=personas.user("pat"),
        user=personas.user(username),
        student=personas.child(child) if child else None,
        reason=reason,
        starts_on=clock.today(),
        **extra,
    )


def test_a_suspension_for_one_child_hides_that_child_only_and_tells_the_parent(
    demo, client, smtp_server, django_capture_on_commit_callbacks
):
    """R68: David is suspended from Sofia's record for abuse of the portal: Sofia disappears
    on his next request, Mateo stays, he keeps his session, and he is told by mail."""
    sofia, mateo = personas.child("sofia"), personas.child("mateo")
    personas.sign_in(client, "david")
    assert client.get(reverse("portal:grades", args=[sofia.pk])).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        denial = _suspend("david", AccountDenial.Reason.ABUSE, "sofia")

    assert client.get(reverse("portal:grades", args=[sofia.pk])).status_code == 404
    assert client.get(reverse("portal:grades", args=[mateo.pk])).status_code == 200
    home = client.get(reverse("portal:home")).content.decode()
    assert "Mateo" in home and "Sofia Lopez" not in home
    assert UserSession.objects.filter(user=personas.user("david")).exists()
    [(to, subject, body)] = _told(smtp_server)
    assert to == [personas.user("david").email]
    assert "Sofia" in subject and "suspended" in subject
    assert "Abuse of the portal" in body and "registrar" in body
    denial.refresh_from_db()
    assert denial.notified_at is not None
    assert AuditEvent.objects.filter(
        action=Action.DENIAL, object_id=str(denial.pk), student_id=sofia.pk, detail__told=True
    ).exists()


def test_lifting_it_restores_exactly_that_child_and_says_so(
    demo, client, smtp_server, django_capture_on_commit_callbacks
):
    sofia = personas.child("sofia")
    with django_capture_on_commit_callbacks(execute=True):
        denial = _suspend("david", AccountDenial.Reason.ABUSE, "sofia")
        _suspend("david", AccountDenial.Reason.COURT_ORDER, "mateo", notice_withheld="Order")
    personas.sign_in(client, "david")
    with django_capture_on_commit_callbacks(execute=True):
        services.denial_lift(
            actor=_pat(),
            lifted_by=personas.user("pat"),
            denial=denial,
            reason="Spoke with Mr. Lopez; agreed to the portal's terms again",
        )
    assert client.get(reverse("portal:grades", args=[sofia.pk])).status_code == 200
    # Mateo's suspension was a different one, and stays.
    mateo = personas.child("mateo")
    assert client.get(reverse("portal:grades", args=[mateo.pk])).status_code == 404
    subjects = [subject for _to, subject, _body in _told(smtp_server)]
    assert subjects == [
        "Your Parent Portal access to Sofia's record is suspended",
        "Your Parent Portal access to Sofia's record is restored",
    ]


def test_an_account_suspension_ends_the_sessions_and_tells_maria_in_spanish(
    demo, client, smtp_server, django_capture_on_commit_callbacks
):
    """The whole account: signed out at once, the neutral page on the next request, and
    the notice in Maria's language."""
    personas.sign_in(client, "maria")
    with django_capture_on_commit_callbacks(execute=True):
        _suspend("maria", AccountDenial.Reason.SECURITY_RISK)
    assert not UserSession.objects.filter(user=personas.user("maria")).exists()
    response = client.get(reverse("portal:home"))
    assert response.status_code in (302, 403)
    [(to, subject, body)] = _told(smtp_server)
    assert to == [personas.user("maria").email]
    assert subject == "Se suspendió su acceso al Portal para Padres"
    assert "Motivo: Riesgo de seguridad." in body


@pytest.mark.parametrize(
    "reason",
    [
        AccountDenial.Reason.ABUSE,
        AccountDenial.Reason.COURT_ORDER,
        AccountDenial.Reason.LEGAL_PROCEEDING,
        AccountDenial.Reason.SECURITY_RISK,
    ],
)
def test_every_reason_is_placed_reviewed_and_lifted(demo, client, reason):
    """R68: each reason code; a review keeps it in force with what was found; the lift
    restores access on the next request."""
    noah = personas.child("noah")
    denial = _suspend("linda", reason, "noah")
    personas.sign_in(client, "linda")
    assert client.get(reverse("portal:attendance", args=[noah.pk])).status_code == 404

    services.denial_review(
        actor=_pat(),
        reviewed_by=personas.user("pat"),
        denial=denial,
        note="Reviewed with the principal; keep in force until the hearing",
    )
    denial.refresh_from_db()
    assert denial.reviewed_by == personas.user("pat") and denial.reviewed_at is not None
    assert client.get(reverse("portal:attendance", args=[noah.pk])).status_code == 404

    services.denial_lift(
        actor=_pat(), lifted_by=personas.user("pat"), denial=denial, reason="Hearing held"
    )
    assert client.get(reverse("portal:attendance", args=[noah.pk])).status_code == 200
    whats = list(
        AuditEvent.objects.filter(action=Action.DENIAL, object_id=str(denial.pk))
        .order_by("seq")
        .values_list("detail__what", flat=True)
    )
    assert whats == ["placed", "reviewed", "reinstated"]


def test_only_an_order_or_proceeding_can_keep_the_person_untold(demo, smtp_server):
    with pytest.raises(ValidationError, match="Only a court order or a legal proceeding"):
        _suspend("linda", AccountDenial.Reason.ABUSE, notice_withheld="We would rather not")
    assert not AccountDenial.objects.filter(user=personas.user("linda")).exists()

    denial = _suspend(
        "linda", AccountDenial.Reason.COURT_ORDER, notice_withheld="Order FA-26-7 forbids it"
    )
    assert denial.notified_at is None
    assert not smtp_server.messages


def test_a_child_suspension_needs_a_child_of_the_account(demo):
    with pytest.raises(ValidationError, match="no link to that student"):
        _suspend("linda", AccountDenial.Reason.ABUSE, "sofia")


def test_a_teacher_cannot_suspend(demo):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.denial_place(
            actor=_pat(),
            placed_by=personas.user("taylor"),
            user=personas.user("linda"),
            reason=AccountDenial.Reason.ABUSE,
            starts_on=clock.today(),
        )
