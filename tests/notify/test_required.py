"""Notices the law requires (notify.required): written in each addressee's language, sent by
the workers whatever the family chose and at any hour, without an unsubscribe link, each
with its delivery record; queued twice, sent once."""

import pytest

from homeroom.lib import clock
from homeroom.notify.models import Kind, Message, Preference, QuietHours, Timing
from homeroom.notify.required import guardians_addressed, required_queue, student_addressed
from homeroom.sis.models import Guardian
from tests import personas
from tests.notify.support import body, received, run_worker, to

pytestmark = pytest.mark.django_db


def _write(_addressee):
    from django.utils.translation import gettext as _

    return _("Notices the law requires"), _("School notices")


def test_a_required_notice_reaches_everyone_in_their_language_whatever_they_chose(
    demo, smtp_server
):
    maria = Guardian.objects.get(user=personas.user("maria"))
    david = Guardian.objects.get(user=personas.user("david"))
    sofia = personas.child("sofia")
    # Maria stopped school notices and keeps quiet hours round the clock: neither holds a
    # notice the law requires.
    Preference.objects.create(
        guardian=maria,
        student=sofia,
        kind=Kind.NOTICE,
        timing=Timing.NEVER,
        changed_at=clock.now(),
    )
    QuietHours.objects.update_or_create(
        guardian=maria, defaults={"starts": "00:00", "ends": "23:59", "changed_at": clock.now()}
    )
    addressees = guardians_addressed([maria, david], {maria.pk: [sofia.pk], david.pk: [sofia.pk]})
    alex = student_addressed(personas.child("alex"))
    assert alex is not None
    assert required_queue(key="test:1", addressees=[*addressees, alex], write=_write) == 3
    # The same duty queued again sends nothing twice.
    assert required_queue(key="test:1", addressees=addressees, write=_write) == 0
    run_worker()
    [to_maria], [to_david] = to(smtp_server, "maria"), to(smtp_server, "david")
    assert "Avisos que exige la ley" in to_maria["Subject"]
    assert "Notices the law requires" in to_david["Subject"]
    assert "School notices" in body(to_david) and "unsubscribe" not in body(to_david).lower()
    assert to_maria["List-Unsubscribe"] is None and to_david["List-Unsubscribe"] is None
    assert len(received(smtp_server)) == 3
    rows = Message.objects.filter(kind=Kind.REQUIRED)
    assert {m.status for m in rows} == {"sent"}
    # The eligible student is told as himself: no guardian on his copy.
    assert rows.get(guardian__isnull=True).recipient == personas.user("alex")
