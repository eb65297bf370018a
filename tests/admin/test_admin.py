"""The admin over the roster and the records, for district staff.

Every model of the record apps answers its pages; lists stay at a fixed number of queries
however many rows they show; education records and the audit log cannot be deleted or
rewritten here; and each group sees only what access/roles.py grants it.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from homeroom.access import roles
from homeroom.accounts.models import (
    AgreementAcceptance,
    AgreementVersion,
    EnrolmentLetter,
    RecoveryCode,
    User,
)
from homeroom.audit.models import Action, AuditEvent, DisclosureRecord, SecurityReport
from homeroom.audit.services import Actor, Event, event_record
from homeroom.gradebook.models import Assignment, Category, GradeBand, GradebookSetup
from homeroom.sis.models import (
    BellTime,
    CalendarDay,
    CaseloadEntry,
    GuardianLink,
    Roster,
    School,
    Section,
    SectionMeeting,
    SectionTeacher,
    StaffRole,
    Student,
)
from tests import builders, personas

pytestmark = pytest.mark.django_db

RECORD_APPS = ("sis", "attendance", "gradebook", "accounts", "audit")
# Sessions stay out of the admin on purpose: their primary key is the session key, which
# would appear in admin addresses. Staff end a user's sessions with a user action instead.
NOT_IN_ADMIN = {"accounts.usersession"}
MODELS = sorted(
    model._meta.label_lower
    for label in RECORD_APPS
    for model in apps.get_app_config(label).get_models()
    if model._meta.label_lower not in NOT_IN_ADMIN
)
# Written by the portal, the log, the report page or the person's own enrolment, never by
# staff in the admin.
READ_ONLY = {
    "audit.auditevent",
    "accounts.agreementacceptance",
    "audit.securityreport",
    "accounts.totpdevice",
    "accounts.recoverycode",
    # Asked from an account's page, with a reason (access.account_powers).
    "accounts.enrolmentletter",
}
# DESIGN.md "Nothing is lost"; R33: education records leave only through retention (R27).
EDUCATION_RECORDS = [
    "sis.student",
    "sis.guardian",
    "sis.guardianlink",
    "sis.enrollment",
    "sis.roster",
    "attendance.dailymark",
    "attendance.periodmark",
    "gradebook.assignment",
    "gradebook.score",
]
FIRST_DAY = datetime.date(2026, 9, 1)


def url(label: str, view: str, *args: Any) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


def assignment(sec: Section, cat: Category) -> Assignment:
    # builders.assignment() predates Assignment.created_at being set by the writer.
    return Assignment.objects.create(
        section=sec,
        category=cat,
        title="Quiz",
        points_possible=Decimal(10),
        due_on=datetime.date(2026, 9, 15),
        visible_at=timezone.now(),
        created_at=timezone.now(),
    )


def form_data(form: forms.BaseForm) -> dict[str, Any]:
    """What a browser would send back for an unchanged form."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, forms.MultiWidget):
            for i, part in enumerate(field.widget.decompress(value) or []):
                data[f"{name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif value is not None:
            data[name] = str(value)
    return data


def group_member(group: str, **fields: Any) -> User:
    user = builders.user(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def world() -> dict[str, Any]:
    """One row of every model of the record apps."""
    school = builders.school()
    year = builders.school_year()
    fall = builders.term(year, datetime.date(2026, 8, 27), datetime.date(2027, 1, 22))
    bells = builders.bell_schedule(school)
    period = builders.period(school)
    BellTime.objects.create(
        bell_schedule=bells,
        period=period,
        starts_at=datetime.time(8, 0),
        ends_at=datetime.time(8, 45),
    )
    CalendarDay.objects.create(school=school, date=FIRST_DAY, bell_schedule=bells)
    student = builders.student()
    guardian = builders.guardian()
    builders.link(guardian, student)
    builders.enrollment(student, school)
    teacher = builders.staff(honorific="Ms.", last_name="Taylor")
    StaffRole.objects.create(staff=teacher, role=StaffRole.Role.TEACHER, school=school)
    section = builders.section(school)
    section.terms.add(fall)
    SectionTeacher.objects.create(section=section, staff=teacher)
    Roster.objects.create(section=section, student=student, start_date=section.start_date)
    SectionMeeting.objects.create(section=section, period=period, weekday=0)
    code = builders.attendance_code()
    builders.daily_mark(student, FIRST_DAY, code)
    builders.period_mark(student, section, FIRST_DAY, code)
    scale = builders.grading_scale()
    GradeBand.objects.create(scale=scale, label="A", min_percent=Decimal(90))
    GradebookSetup.objects.create(section=section, scale=scale)
    score = builders.score(assignment(section, builders.category(section)), student, Decimal(9))
    parent = builders.user()
    latest = AgreementVersion.objects.order_by("-version").first()
    agreement = AgreementVersion.objects.create(
        version=(latest.version if latest else 0) + 1,
        title="Acceptable use",
        title_es="Uso aceptable",
        body="Do not share your password.",
        body_es="No comparta su contraseña.",
        published_at=timezone.now(),
    )
    AgreementAcceptance.objects.create(user=parent, agreement=agreement, accepted_at=timezone.now())
    event_record(
        actor=Actor(user_id=parent.pk, role="guardian"),
        event=Event(action=Action.PORTAL_READ, student_id=student.pk, module="grades"),
    )
    personas.authenticator(parent)
    RecoveryCode.objects.create(user=parent, code_hash="0" * 64, created_at=timezone.now())
    DisclosureRecord.objects.create(
        student_id=student.pk,
        disclosed_at=timezone.now(),
        recipient="Court",
        records_disclosed="Attendance",
        legal_basis="99.31(a)(9)",
        recorded_by=parent,
        recorded_at=timezone.now(),
    )
    SecurityReport.objects.create(
        reference="SR-2026-000001", description="A test report", received_at=timezone.now()
    )
    CaseloadEntry.objects.create(
        staff=builders.staff(), student=student, start_date=timezone.localdate()
    )
    EnrolmentLetter.objects.create(
        user=parent, reason="Lost phone, checked in person", requested_at=timezone.now()
    )
    return {"student": student, "section": section, "score": score, "agreement": agreement}


# --- Every page answers ------------------------------------------------------------------------


@pytest.mark.parametrize("label", MODELS)
def test_every_model_has_a_changelist_add_and_change_page(admin_client, world, label):
    """Each model of the record apps is in the admin, and its pages answer."""
    model = apps.get_model(label)
    assert model in admin.site._registry, f"{label} is not registered in the admin"

    assert admin_client.get(url(label, "changelist")).status_code == 200
    add = admin_client.get(url(label, "add"))
    assert add.status_code == (403 if label in READ_ONLY else 200)
    row = model._default_manager.order_by("pk").first()
    assert row is not None, f"the world fixture has no {label}"
    assert admin_client.get(url(label, "change", row.pk)).status_code == 200


def test_changelist_search_finds_a_student_by_local_id(admin_client, world):
    wanted = builders.student(local_id="S20417", state_id="1234567890")
    builders.student(local_id="S99999")

    response = admin_client.get(url("sis.student", "changelist"), {"q": "S20417"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [wanted]
    by_state_id = admin_client.get(url("sis.student", "changelist"), {"q": "1234567890"})
    assert list(by_state_id.context["cl"].result_list) == [wanted]


# --- A list's query count does not grow with its rows (DESIGN.md "Fast by construction") -------


def students(n: int) -> None:
    school = builders.school()
    for _ in range(n):
        student = builders.student()
        builders.enrollment(student, school)
        builders.link(builders.guardian(), student)


def guardian_links(n: int) -> None:
    for _ in range(n):
        builders.link(builders.guardian(), builders.student())


def scores(n: int) -> None:
    # A section, category and assignment per score: every column's related row differs.
    for _ in range(n):
        section = builders.section()
        task = assignment(section, builders.category(section))
        builders.score(task, builders.student(), Decimal(7))


def sections(n: int) -> None:
    # A school per section, and teachers listed through one prefetch, not a query per row.
    start = School.objects.count()
    for i in range(start, start + n):
        section = builders.section(builders.school(name=f"School {i}"))
        SectionTeacher.objects.create(section=section, staff=builders.staff())


def changelist_queries(client, label: str) -> tuple[int, int]:
    client.get(url(label, "changelist"))  # content types and other per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(label, "changelist"))
    assert response.status_code == 200
    return len(queries.captured_queries), response.context["cl"].result_count


@pytest.mark.parametrize(
    ("label", "make"),
    [
        ("sis.student", students),
        ("sis.guardianlink", guardian_links),
        ("gradebook.score", scores),
        ("sis.section", sections),
    ],
)
def test_changelist_query_count_does_not_grow_with_rows(
    admin_client, label: str, make: Callable[[int], None]
):
    make(3)
    few, shown = changelist_queries(admin_client, label)
    assert shown == 3

    make(27)
    many, shown = changelist_queries(admin_client, label)

    assert shown == 30
    assert many == few, f"{label}: {few} queries for 3 rows, {many} for 30"


# --- Nothing is lost ---------------------------------------------------------------------------


@pytest.mark.parametrize("label", EDUCATION_RECORDS)
def test_education_records_cannot_be_deleted_in_the_admin(admin_client, world, label):
    """R33: no education record is deleted except through the retention process (R27)."""
    model = apps.get_model(label)
    row = model._default_manager.order_by("pk").first()
    before = model._default_manager.count()

    change = admin_client.get(url(label, "change", row.pk))
    listing = admin_client.get(url(label, "changelist"))
    delete_page = admin_client.get(url(label, "delete", row.pk))
    confirmed = admin_client.post(url(label, "delete", row.pk), {"post": "yes"})
    bulk = admin_client.post(
        url(label, "changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )

    assert change.context["has_delete_permission"] is False
    action_form = listing.context["action_form"]
    assert action_form is None or "delete_selected" not in dict(
        action_form.fields["action"].choices
    )
    assert delete_page.status_code == 403
    assert confirmed.status_code == 403
    assert bulk.status_code in (200, 302)
    assert model._default_manager.count() == before
    assert model._default_manager.filter(pk=row.pk).exists()


def test_audit_events_cannot_be_added_changed_or_deleted_even_by_a_superuser(admin_client, world):
    """R51: the log is append-only, in the admin as in the database."""
    event = AuditEvent.objects.get()
    label = "audit.auditevent"
    model_admin = admin.site._registry[AuditEvent]

    view = admin_client.get(url(label, "change", event.pk))
    changed = admin_client.post(url(label, "change", event.pk), {"action": Action.SIGN_OUT})
    added = admin_client.post(url(label, "add"), {"action": Action.SIGN_OUT})
    deleted = admin_client.post(url(label, "delete", event.pk), {"post": "yes"})
    listing = admin_client.get(url(label, "changelist"))

    request = view.wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert view.status_code == 200
    assert view.context["has_change_permission"] is False
    assert (changed.status_code, added.status_code, deleted.status_code) == (403, 403, 403)
    assert listing.context["action_form"] is None
    assert AuditEvent.objects.count() == 1
    assert AuditEvent.objects.get().action == Action.PORTAL_READ


def test_audit_search_takes_a_student_id_and_ignores_words(admin_client, world):
    label = "audit.auditevent"
    student = world["student"]

    by_id = admin_client.get(url(label, "changelist"), {"q": str(student.pk)})
    by_word = admin_client.get(url(label, "changelist"), {"q": "sofia"})

    assert [e.student_id for e in by_id.context["cl"].result_list] == [student.pk]
    assert by_word.status_code == 200
    assert list(by_word.context["cl"].result_list) == []


def test_agreement_acceptances_are_read_only(admin_client, world):
    """R71: an acceptance is the evidence of who accepted which version, and when."""
    acceptance = AgreementAcceptance.objects.get()
    label = "accounts.agreementacceptance"

    changed = admin_client.post(url(label, "change", acceptance.pk), {"address": "10.0.0.1"})
    deleted = admin_client.post(url(label, "delete", acceptance.pk), {"post": "yes"})

    assert (changed.status_code, deleted.status_code) == (403, 403)
    acceptance.refresh_from_db()
    assert acceptance.address is None
    assert AgreementAcceptance.objects.count() == 1


def test_a_published_agreement_cannot_be_edited_but_a_draft_can(admin_client, world):
    """R71: a new version is published instead, and everyone accepts it again."""
    label = "accounts.agreementversion"
    published = world["agreement"]
    draft = AgreementVersion.objects.create(
        version=published.version + 1, title="Draft", title_es="Borrador", body="…", body_es="…"
    )

    published_page = admin_client.get(url(label, "change", published.pk))
    draft_page = admin_client.get(url(label, "change", draft.pk))
    data = form_data(draft_page.context["adminform"].form)
    refused = admin_client.post(
        url(label, "change", published.pk), {**data, "version": str(published.version)}
    )
    saved = admin_client.post(url(label, "change", draft.pk), {**data, "title": "Draft 2"})

    assert "title" not in published_page.context["adminform"].form.fields
    assert "title" in draft_page.context["adminform"].form.fields
    assert refused.status_code == 403
    assert saved.status_code == 302
    published.refresh_from_db()
    draft.refresh_from_db()
    assert (published.title, draft.title) == ("Acceptable use", "Draft 2")


# --- Writes through the admin leave a trace ----------------------------------------------------


def test_a_score_changed_in_the_admin_keeps_who_when_old_and_new(admin_client, admin_user, world):
    """DESIGN.md "Nothing is lost"; R50: the change is logged with actor, student and object."""
    score = world["score"]
    page = admin_client.get(url("gradebook.score", "change", score.pk))
    data = {**form_data(page.context["adminform"].form), "points": "8"}

    response = admin_client.post(url("gradebook.score", "change", score.pk), data)

    assert response.status_code == 302
    score.refresh_from_db()
    assert score.points == Decimal(8)
    assert score.recorded_by == admin_user
    event = AuditEvent.objects.get(action=Action.CHANGE)
    assert event.actor == admin_user
    assert event.student_id == score.student_id
    assert (event.module, event.object_type, event.object_id) == (
        "grades",
        "gradebook.score",
        str(score.pk),
    )
    assert event.changes == {"points": ["9.00", "8"]}


def test_a_student_added_in_the_admin_gets_a_sourced_id_and_an_audit_event(admin_client):
    """R65: sourcedIds are minted by Homeroom, never typed in."""
    data = {
        "local_id": "S31000",
        "legal_first_name": "Ana",
        "legal_last_name": "Ruiz",
        "date_of_birth": "2012-05-06",
        "grade_level": "08",
        "sourced_id": "typed-by-hand",
        "enrollments-TOTAL_FORMS": "0",
        "enrollments-INITIAL_FORMS": "0",
        "guardian_links-TOTAL_FORMS": "0",
        "guardian_links-INITIAL_FORMS": "0",
    }

    response = admin_client.post(url("sis.student", "add"), data)

    assert response.status_code == 302
    student = Student.objects.get(local_id="S31000")
    assert student.sourced_id != "typed-by-hand"
    assert len(student.sourced_id) == 36
    event = AuditEvent.objects.get()
    assert (event.student_id, event.detail["operation"]) == (student.pk, "add")
    assert event.changes["legal_last_name"] == [None, "Ruiz"]


def test_a_guardian_link_added_inline_is_audited_with_its_student(admin_client, world):
    student = world["student"]
    guardian = builders.guardian()
    page = admin_client.get(url("sis.guardian", "change", guardian.pk))
    data = {
        **form_data(page.context["adminform"].form),
        "links-TOTAL_FORMS": "1",
        "links-INITIAL_FORMS": "0",
        "links-0-student": str(student.pk),
        "links-0-relationship": GuardianLink.Relationship.FATHER,
        "links-0-has_custody": "on",
    }

    response = admin_client.post(url("sis.guardian", "change", guardian.pk), data)

    assert response.status_code == 302
    link = GuardianLink.objects.get(guardian=guardian)
    event = AuditEvent.objects.get(object_type="sis.guardianlink")
    assert (event.student_id, event.object_id) == (student.pk, str(link.pk))
    assert event.changes["relationship"] == [None, "father"]


# --- Who may open what (R12, access/roles.py) --------------------------------------------------


def test_a_user_who_is_not_staff_is_sent_to_the_admin_sign_in(client, world):
    client.force_login(builders.user())

    home = client.get("/admin/")
    students_page = client.get(url("sis.student", "changelist"))

    assert home.status_code == 302
    assert home["Location"].startswith(reverse("admin:login"))
    assert students_page.status_code == 302
    assert students_page["Location"].startswith(reverse("admin:login"))


def test_technology_staff_read_the_audit_log_but_not_grades_or_attendance(client, world):
    """R12 least privilege; R51: the log is open to technology staff, the grade book is not."""
    member = group_member(roles.TECHNOLOGY)
    client.force_login(member)
    personas.mfa_verified(client, member)

    assert client.get(url("audit.auditevent", "changelist")).status_code == 200
    event = AuditEvent.objects.get()
    assert client.get(url("audit.auditevent", "change", event.pk)).status_code == 200
    assert client.get(url("gradebook.score", "changelist")).status_code == 403
    assert client.get(url("attendance.dailymark", "changelist")).status_code == 403
    assert client.get(url("sis.student", "changelist")).status_code == 403


def test_technology_staff_cannot_raise_an_account_above_their_own(client, admin_user, world):
    """R12: changing accounts is not granting permissions; only a superuser grants them."""
    sam = group_member(roles.TECHNOLOGY, username="sam.ito")
    registrar = Group.objects.get(name=roles.REGISTRAR)
    client.force_login(sam)
    personas.mfa_verified(client, sam)

    page = client.get(url("accounts.user", "change", sam.pk))
    data = {
        **form_data(page.context["adminform"].form),
        "first_name": "Sam",
        "is_superuser": "on",
        "groups": [str(registrar.pk)],
    }
    saved = client.post(url("accounts.user", "change", sam.pk), data)
    on_superuser = client.post(url("accounts.user", "change", admin_user.pk), data)

    assert {"is_superuser", "groups", "user_permissions"}.isdisjoint(
        page.context["adminform"].form.fields
    )
    assert saved.status_code == 302
    assert on_superuser.status_code == 403
    sam.refresh_from_db()
    assert sam.first_name == "Sam"
    assert not sam.is_superuser
    assert list(sam.groups.values_list("name", flat=True)) == [roles.TECHNOLOGY]
    assert AuditEvent.objects.filter(action=Action.ACCOUNT, object_id=str(sam.pk)).count() == 1


def test_no_one_sets_a_users_password_in_the_admin(admin_client, world):
    """R49: staff can trigger a reset but cannot set a user's password."""
    someone = builders.user(password="the owner's own password 1")

    # Django names the view so, whatever the user model.
    page = admin_client.get(reverse("admin:auth_user_password_change", args=[someone.pk]))
    created = admin_client.post(
        url("accounts.user", "add"), {"username": "new.staff", "preferred_language": "es"}
    )

    assert page.status_code == 403
    assert created.status_code == 302
    new = User.objects.get(username="new.staff")
    assert not new.has_usable_password()
    assert new.preferred_language == "es"
