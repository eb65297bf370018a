"""No other student's personal data in a family's pages (FERPA 99.12; R16): each page Maria
can open, for each of her children, is searched for the name and the ids of every classmate
of theirs; none appears."""

import pytest
from django.urls import reverse

from homeroom.gradebook.selectors import current_rosters
from homeroom.lib import clock
from homeroom.sis.models import Roster, Student
from tests import personas

pytestmark = pytest.mark.django_db


def test_no_classmate_appears_on_any_page_maria_can_open(demo, client):
    children = [personas.child("sofia"), personas.child("mateo")]
    rosters = current_rosters([c.pk for c in children], clock.today())
    sections = {r.section_id for r in rosters}
    classmates = Student.objects.filter(
        pk__in=Roster.objects.filter(section_id__in=sections).values("student_id")
    ).exclude(pk__in=[c.pk for c in children])
    assert classmates.count() > 10

    personas.sign_in(client, "maria")
    urls = [reverse("portal:home")]
    for child in children:
        urls += [
            reverse(f"portal:{page}", args=[child.pk])
            for page in ("attendance", "schedule", "grades", "contacts", "disclosures")
        ]
        urls += [
            reverse("portal:course", args=[child.pk, r.section_id])
            for r in rosters
            if r.student_id == child.pk
        ]
    pages = {url: client.get(url) for url in urls}
    assert all(response.status_code == 200 for response in pages.values()), {
        url: r.status_code for url, r in pages.items() if r.status_code != 200
    }
    for url, response in pages.items():
        text = response.content.decode()
        for other in classmates:
            assert other.display_name not in text, (url, other.display_name)
            assert f"{other.legal_first_name} {other.legal_last_name}" not in text, url
            assert other.local_id not in text, (url, other.local_id)
            if other.state_id:
                assert other.state_id not in text, url
