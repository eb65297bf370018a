"""The demo's cast (DESIGN.md, "Personas"): each one exists with the circumstance that the
portal and the tests rely on."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db.models import Q

from homeroom.access import roles
from homeroom.access.models import DependencyCertification, Restriction, StudentConsent
from homeroom.accounts.models import User
from homeroom.attendance.models import DailyMark, PeriodMark
from homeroom.demo import personas
from homeroom.gradebook.models import Score
from homeroom.lib.clock import age_on
from homeroom.sis.models import Enrollment, GuardianLink, Section, Staff, StaffRole, Student
from tests.demo.conftest import PASSWORD, TODAY

pytestmark = pytest.mark.django_db

DISTRICT_TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def student(first: str, last: str) -> Student:
    return Student.objects.get(
        Q(preferred_first_name=first) | Q(legal_first_name=first), legal_last_name=last
    )


def links_of(username: str) -> dict[str, GuardianLink]:
    user = User.objects.get(username=username)
    return {
        link.student.first_name: link
        for link in GuardianLink.objects.filter(guardian__user=user).select_related("student")
    }


def current_enrollment(child: Student) -> Enrollment:
    return child.enrollments.select_related("school").get(
        Q(exit_date__isnull=True) | Q(exit_date__gte=TODAY), entry_date__lte=TODAY
    )


def test_every_persona_signs_in_with_the_shared_password(seeded):
    """R43: one hash of the published demo password, shared by every account."""
    assert [p.username for p in seeded.cast] == [
        "maria", "david", "kevin", "linda", "grace", "rosa", "sofia", "alex",
        "taylor", "grant", "okafor", "pat", "sam", "ruiz", "lee",
    ]  # fmt: skip
    assert seeded.password == PASSWORD
    for persona in personas.CAST:
        user = User.objects.get(username=persona.username)
        assert user.is_active
        assert check_password(PASSWORD, user.password), persona.username


def test_maria_is_sofia_and_mateos_custodial_mother_and_prefers_spanish(seeded):
    """R1, R14: links activated with a district code; her account speaks Spanish."""
    maria = User.objects.get(username="maria")
    assert (maria.first_name, maria.last_name) == ("Maria", "Lopez")
    assert maria.preferred_language == "es"
    assert maria.guardian.preferred_language == "es"
    links = links_of("maria")
    assert set(links) == {"Sofia", "Mateo"}
    sofia, mateo = links["Sofia"].student, links["Mateo"].student
    assert (sofia.grade_level, current_enrollment(sofia).school.kind) == ("10", "high")
    assert (mateo.grade_level, current_enrollment(mateo).school.kind) == ("06", "middle")
    for link in links.values():
        assert link.relationship == "mother"
        assert link.has_custody and link.lives_with and link.educational_rights
        assert link.portal_status == "active" and link.activated_at is not None
        assert link.emergency_contact_order == 1


def test_david_is_their_father_not_custodial_elsewhere_and_unrestricted(seeded):
    """R18: custody and residence are recorded, and no order limits him."""
    david = User.objects.get(username="david")
    assert (david.first_name, david.last_name) == ("David", "Lopez")
    links = links_of("david")
    assert set(links) == {"Sofia", "Mateo"}
    for link in links.values():
        assert link.relationship == "father"
        assert not link.has_custody and not link.lives_with
        assert link.educational_rights
        assert link.portal_status == "active" and link.activated_at is not None
    assert not Restriction.objects.filter(guardian=david.guardian).exists()


def test_kevin_is_emmas_father_barred_by_a_court_order(seeded):
    """R2, R19: a court order on file, placed by the registrar, in force from weeks ago."""
    kevin = User.objects.get(username="kevin")
    links = links_of("kevin")
    assert set(links) == {"Emma"}
    emma = links["Emma"].student
    assert emma.legal_last_name == "Brooks"
    assert (emma.grade_level, current_enrollment(emma).school.kind) == ("08", "middle")
    assert links["Emma"].portal_status == "active"
    order = Restriction.objects.get(guardian=kevin.guardian, student=emma)
    assert order.reason == Restriction.Reason.COURT_ORDER
    assert order.whole_record
    assert order.document_reference.startswith("Superior Court order FA-26-")
    assert datetime.timedelta(weeks=2) <= TODAY - order.starts_on <= datetime.timedelta(weeks=12)
    assert order.ends_on is None and order.lifted_at is None
    assert order.placed_by.username == "pat"
    assert order.placed_at.astimezone(DISTRICT_TZ).date() == order.starts_on
    # Emma's mother is on file too, with no restriction.
    mother = GuardianLink.objects.get(student=emma, relationship="mother")
    assert not Restriction.objects.filter(guardian=mother.guardian).exists()
    assert Restriction.objects.count() == 1


def test_linda_is_noahs_mother_in_another_family(seeded):
    """R45: another family, for the cross-family checks."""
    links = links_of("linda")
    assert set(links) == {"Noah"}
    noah = links["Noah"].student
    assert (noah.legal_last_name, noah.grade_level) == ("Chen", "11")
    assert current_enrollment(noah).school.kind == "high"
    assert links["Noah"].portal_status == "active"
    lopez = GuardianLink.objects.filter(student__legal_last_name="Lopez")
    assert not lopez.filter(guardian__user__username="linda").exists()


def test_grace_is_the_mother_of_daniel_who_withdrew_last_month(seeded):
    """R63, R67: her only child is no longer enrolled."""
    links = links_of("grace")
    assert set(links) == {"Daniel"}
    assert links["Daniel"].portal_status == "active"
    daniel = links["Daniel"].student
    enrollment = daniel.enrollments.get()
    assert enrollment.exit_date is not None
    assert (enrollment.exit_date.year, enrollment.exit_date.month) == (2026, 10)
    assert enrollment.exit_reason in {"withdrawn", "transfer_out"}
    assert not daniel.rosters.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=enrollment.exit_date)
    )


def test_rosa_is_the_mother_of_alex_who_is_18_with_nothing_on_file(seeded):
    """R4, R10: Alex turned 18 in the district's time zone; no consent or certification."""
    links = links_of("rosa")
    assert set(links) == {"Alex"}
    assert links["Alex"].portal_status == "active"
    alex = links["Alex"].student
    assert (alex.legal_first_name, alex.display_name, alex.grade_level) == (
        "Alejandro",
        "Alex Rivera",
        "12",
    )
    assert age_on(alex.date_of_birth, TODAY) == 18
    birthday = alex.date_of_birth.replace(year=alex.date_of_birth.year + 18)
    assert 30 <= (TODAY - birthday).days <= 100
    assert current_enrollment(alex).school.kind == "high"
    assert not StudentConsent.objects.filter(student=alex).exists()
    assert not DependencyCertification.objects.filter(student=alex).exists()
    # Other adult students' families do have consents on file: Alex is the exception.
    assert StudentConsent.objects.exists()


def test_sofia_and_alex_sign_in_as_students(seeded):
    """R71: one person, one account; a student's account is tied to their record."""
    assert User.objects.get(username="sofia").student == student("Sofia", "Lopez")
    assert User.objects.get(username="alex").student == student("Alex", "Rivera")
    for username in ("sofia", "alex"):
        user = User.objects.get(username=username)
        assert not hasattr(user, "guardian") and not user.is_staff


def test_sofias_record_has_the_troubles_the_demo_shows(seeded):
    sofia = student("Sofia", "Lopez")
    scores = Score.objects.filter(student=sofia)
    assert scores.count() > 20
    assert scores.filter(missing=True).count() == 2
    assert scores.filter(late=True).count() == 1
    # Each has reached her family already.
    start_of_today = datetime.datetime.combine(TODAY, datetime.time(0), tzinfo=DISTRICT_TZ)
    troubles = scores.filter(Q(missing=True) | Q(late=True))
    assert not troubles.filter(release_at__gte=start_of_today).exists()
    marks = DailyMark.objects.filter(student=sofia).select_related("code")
    assert sorted((m.code.code, m.source) for m in marks) == [
        ("E", "office"),
        ("T", "derived"),
    ]
    assert marks.get(source="office").reason == "Parent called: illness"
    tardy = marks.get(source="derived")
    period_marks = PeriodMark.objects.filter(student=sofia)
    assert [(m.date, m.code.code) for m in period_marks] == [(tardy.date, "T")]


def test_mateo_is_doing_well(seeded):
    mateo = student("Mateo", "Lopez")
    scores = Score.objects.filter(student=mateo)
    assert scores.count() > 20
    assert not scores.filter(Q(missing=True) | Q(late=True) | Q(incomplete=True)).exists()
    points = sum(s.points for s in scores.select_related("assignment") if s.points is not None)
    possible = sum(
        s.assignment.points_possible for s in scores.select_related("assignment") if s.points
    )
    assert points / possible >= 0.88
    assert not DailyMark.objects.filter(student=mateo).exists()


def test_ms_taylor_teaches_sofias_algebra_ii_and_other_classes(seeded):
    """R12: her sections are her legitimate educational interest."""
    taylor = Staff.objects.get(user__username="taylor")
    assert (taylor.honorific, taylor.last_name, taylor.display_name) == (
        "Ms.",
        "Taylor",
        "Ms. Taylor",
    )
    assert StaffRole.objects.filter(staff=taylor, role="teacher", school__kind="high").exists()
    sections = Section.objects.filter(section_teachers__staff=taylor)
    algebra = sections.get(rosters__student=student("Sofia", "Lopez"))
    assert algebra.course.title == "Algebra II"
    assert sections.count() >= 2


def test_mr_grant_teaches_no_section_of_sofias(seeded):
    """R12: a teacher of the same subject, but not of Sofia."""
    grant = Staff.objects.get(user__username="grant")
    assert (grant.honorific, grant.last_name) == ("Mr.", "Grant")
    assert StaffRole.objects.filter(staff=grant, role="teacher", school__kind="high").exists()
    sections = Section.objects.filter(section_teachers__staff=grant)
    assert sections.exists()
    assert not sections.filter(rosters__student=student("Sofia", "Lopez")).exists()


def test_ms_okafor_is_the_high_school_principal(seeded):
    """R12: a school role, at the high school only."""
    okafor = Staff.objects.get(user__username="okafor")
    assert okafor.display_name == "Ms. Okafor"
    roles_held = list(okafor.roles.values_list("role", "school__kind"))
    assert roles_held == [("school_administrator", "high")]


def test_pat_morgan_is_the_district_registrar(seeded):
    """R2: the registrar places restrictions; district staff reach the admin."""
    pat = Staff.objects.get(user__username="pat")
    assert pat.display_name == "Pat Morgan"
    assert list(pat.roles.values_list("role", "school")) == [("registrar", None)]
    assert pat.user is not None
    assert pat.user.is_staff
    assert list(pat.user.groups.values_list("name", flat=True)) == [roles.REGISTRAR]


def test_sam_ito_is_technology_staff(seeded):
    """R12: accounts and audit, no grades (the Technology group)."""
    sam = Staff.objects.get(user__username="sam")
    assert sam.display_name == "Sam Ito"
    assert list(sam.roles.values_list("role", "school")) == [("technology", None)]
    assert sam.user is not None
    assert sam.user.is_staff
    assert list(sam.user.groups.values_list("name", flat=True)) == [roles.TECHNOLOGY]


def test_mr_ruiz_counsels_noah_at_the_high_school_and_not_sofia(seeded):
    """R12: the counselor's caseload holds Noah and other high-school students, never Sofia,
    so her record asks him for a reason."""
    from homeroom.sis.models import CaseloadEntry, StaffRole

    ruiz = User.objects.get(username="ruiz")
    [role] = StaffRole.objects.filter(staff__user=ruiz)
    assert role.role == StaffRole.Role.COUNSELOR and role.school is not None
    assert role.school.name == "Harborview High School"
    caseload = set(
        CaseloadEntry.objects.filter(staff__user=ruiz).values_list(
            "student__legal_first_name", flat=True
        )
    )
    assert "Noah" in caseload and "Sofia" not in caseload and len(caseload) > 1


def test_dr_lee_is_the_district_administrator(seeded):
    from homeroom.sis.models import StaffRole

    lee = User.objects.get(username="lee")
    [role] = StaffRole.objects.filter(staff__user=lee)
    assert role.role == StaffRole.Role.DISTRICT_ADMINISTRATOR and role.school is None
    assert lee.is_staff and lee.groups.filter(name="District administrator").exists()
