"""The database itself holds the roster's invariants (issue 2): on SQLite and on PostgreSQL.

Each test tries one bad row through the ORM, inside a savepoint, and expects the database to
refuse it; nothing is written.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from homeroom.gradebook.models import Category, Score
from homeroom.sis.models import AcademicSession, Enrollment, GuardianLink
from tests import builders

pytestmark = pytest.mark.django_db


def refused(action) -> bool:
    try:
        with transaction.atomic():
            action()
    except IntegrityError:
        return True
    return False


def test_database_refuses_a_negative_score():
    sec = builders.section()
    a = builders.assignment(sec, builders.category(sec))
    s = builders.student()
    assert refused(lambda: builders.score(a, s, Decimal("-1")))
    assert Score.objects.count() == 0
    builders.score(a, s, Decimal(0))
    assert Score.objects.count() == 1


def test_database_refuses_an_exit_date_before_the_entry_date():
    s = builders.student()
    assert refused(
        lambda: builders.enrollment(
            s,
            entry_date=datetime.date(2026, 9, 1),
            exit_date=datetime.date(2026, 8, 31),
            exit_reason=Enrollment.ExitReason.WITHDRAWN,
        )
    )
    assert Enrollment.objects.count() == 0


def test_database_refuses_a_term_outside_its_year():
    year = builders.school_year(2026)
    assert refused(
        lambda: builders.term(year, datetime.date(2026, 8, 1), datetime.date(2026, 12, 20))
    )
    assert refused(
        lambda: builders.term(year, datetime.date(2027, 1, 5), datetime.date(2027, 7, 1))
    )
    assert AcademicSession.objects.filter(kind="semester").count() == 0
    fall = builders.term(year, datetime.date(2026, 8, 27), datetime.date(2027, 1, 22))
    # Moving the term out of its year later is refused as well, and so is shrinking the year
    # so that the term no longer fits.
    fall.end_date = datetime.date(2027, 7, 1)
    assert refused(fall.save)
    year.end_date = datetime.date(2026, 12, 1)
    assert refused(year.save)


def test_database_refuses_a_duplicate_guardian_link():
    g, s = builders.guardian(), builders.student()
    builders.link(g, s)
    assert refused(lambda: builders.link(g, s, relationship=GuardianLink.Relationship.GUARDIAN))
    assert GuardianLink.objects.count() == 1


def test_database_refuses_a_negative_category_weight():
    sec = builders.section()
    assert refused(lambda: builders.category(sec, weight=Decimal("-0.01")))
    assert Category.objects.count() == 0
    builders.category(sec, weight=Decimal(0))
    assert Category.objects.count() == 1


def test_database_refuses_an_active_portal_link_never_activated():
    g, s = builders.guardian(), builders.student()
    assert refused(lambda: builders.link(g, s, portal_status=GuardianLink.PortalStatus.ACTIVE))
