"""Reads of the notify app: what a family chose and received, what staff sent and how it went.
Portal selectors take the guardian and children the door let through."""

import dataclasses
import datetime
from collections import Counter

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet

from homeroom.access import policy
from homeroom.accounts.models import User
from homeroom.notify.models import (
    ALERT_KINDS,
    DEFAULT_TIMING,
    Kind,
    Message,
    Notice,
    NoticeSubscription,
    Preference,
    QuietHours,
    Timing,
)
from homeroom.sis.models import AcademicSession, Enrollment, Guardian, GuardianLink, School, Student

# The kinds a guardian chooses about, per module the policy opens to them for a child.
KINDS_BY_MODULE = {
    "attendance": (Kind.ATTENDANCE,),
    "grades": (Kind.MISSING, Kind.LOW_GRADE, Kind.SCORES),
}


@dataclasses.dataclass(frozen=True)
class Choice:
    kind: str
    label: str
    timing: str
    timings: list[tuple[str, str]]


@dataclasses.dataclass(frozen=True)
class ChildChoices:
    choices: list[Choice]
    threshold: int
    # Whether this guardian lives with the child (else: the notice subscription, R20).
    lives_with: bool
    subscription: NoticeSubscription | None


def child_choices(guardian: Guardian, student: Student, modules: frozenset[str]) -> ChildChoices:
    stored = {p.kind: p for p in Preference.objects.filter(guardian=guardian, student=student)}
    kinds = [k for module, ks in KINDS_BY_MODULE.items() if module in modules for k in ks]
    kinds.append(Kind.NOTICE)
    choices = []
    for kind in kinds:
        row = stored.get(kind)
        timings = (
            [(str(t.value), str(t.label)) for t in (Timing.AT_ONCE, Timing.NEVER)]
            if kind == Kind.NOTICE
            else [(str(t.value), str(t.label)) for t in Timing]
        )
        choices.append(
            Choice(
                kind=kind,
                label=str(Kind(kind).label),
                timing=row.timing if row else DEFAULT_TIMING[kind],
                timings=timings,
            )
        )
    low = stored.get(Kind.LOW_GRADE)
    link = GuardianLink.objects.filter(guardian=guardian, student=student).first()
    return ChildChoices(
        choices=choices,
        threshold=(low.threshold if low and low.threshold else settings.HOMEROOM_LOW_GRADE_PERCENT),
        lives_with=bool(link and link.lives_with),
        subscription=NoticeSubscription.objects.filter(
            guardian=guardian, student=student, ended_at__isnull=True
        )
        .select_related("school")
        .first(),
    )


def quiet_hours(guardian: Guardian) -> QuietHours | None:
    return QuietHours.objects.filter(guardian=guardian).first()


def family_messages(user: User, limit: int = 50) -> QuerySet[Message]:
    """A person's own messages, newest first: what was sent to them, never anyone else's."""
    return (
        Message.objects.filter(recipient=user)
        .exclude(status=Message.Status.WITHHELD)
        .select_related("notice")
        .order_by("-queued_at", "-pk")[:limit]
    )


def alert_kinds() -> tuple[Kind, ...]:
    return ALERT_KINDS


# --- Staff ------------------------------------------------------------------------------------


def notices_sent(district: bool, school_ids: set[int]) -> QuerySet[Notice]:
    notices = Notice.objects.select_related("school", "author", "section__course")
    if not district:
        notices = notices.filter(school_id__in=school_ids)
    return notices.order_by("-sent_at")[:100]


def notice_delivery(notice: Notice) -> list[tuple[str, int]]:
    """How many of a notice's copies are in each state."""
    counts = Counter(
        dict(
            Message.objects.filter(notice=notice)
            .order_by()
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
    )
    counts[Message.Status.QUEUED] += counts.pop(Message.Status.CLAIMED, 0)
    return [
        (str(label), counts.get(status, 0))
        for status, label in Message.Status.choices
        if status != Message.Status.CLAIMED
    ]


def subscriptions_to_renew(
    district: bool, school_ids: set[int], today: datetime.date
) -> QuerySet[NoticeSubscription]:
    """Subscriptions that ended with a change of school and have not been renewed (R20's
    prompt to staff): for a school's staff, those of students who attend it now."""
    newer = NoticeSubscription.objects.filter(
        guardian=OuterRef("guardian"),
        student=OuterRef("student"),
        started_at__gt=OuterRef("ended_at"),
    )
    rows = (
        NoticeSubscription.objects.filter(end_reason=NoticeSubscription.EndReason.SCHOOL_CHANGED)
        .exclude(Exists(newer))
        .select_related("guardian", "student", "school")
        .order_by("-ended_at")
    )
    if not district:
        rows = rows.filter(
            Exists(
                Enrollment.objects.current(today).filter(
                    student=OuterRef("student"), school_id__in=school_ids
                )
            )
        )
    return rows[:200]


def notice_for_staff(notice_id: int, district: bool, school_ids: set[int]) -> Notice | None:
    """A notice, when this staff member's scope covers it (their schools', or any for district
    staff); None otherwise, which the page answers as "does not exist"."""
    notice = (
        Notice.objects.select_related("school", "author", "term", "section__course")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None or not (district or notice.school_id in school_ids):
        return None
    return notice


def report_card_terms(today: datetime.date) -> QuerySet[AcademicSession]:
    """The terms whose report cards may be released: a semester, term or grading period that
    has ended, within the last year."""
    return (
        AcademicSession.objects.exclude(kind=AcademicSession.Kind.SCHOOL_YEAR)
        .filter(end_date__lte=today, end_date__gt=today - datetime.timedelta(days=366))
        .order_by("-end_date", "start_date")
    )


# --- A student's parents and the school's notices, for the staff who keep subscriptions (R20)


@dataclasses.dataclass(frozen=True)
class ParentNotices:
    link: GuardianLink
    # The parent's subscription in force, if any (a parent the child lives with needs none).
    subscription: NoticeSubscription | None
    # Whether the access policy lets this parent hear school notices today (an activated
    # account, no restriction of the whole record, no suspension; access.policy).
    reached: bool


@dataclasses.dataclass(frozen=True)
class StudentNotices:
    school: School | None
    parents: list[ParentNotices]
    # Every subscription ever made for the student, newest first.
    history: list[NoticeSubscription]


def student_notices(student: Student, today: datetime.date) -> StudentNotices:
    """A student's parents (R1: parents, legal guardians and those acting as a parent), who
    among them hears the school's notices, and the subscriptions made: five queries."""
    links = list(
        GuardianLink.objects.open_on(today)
        .parental()
        .filter(student=student)
        .select_related("guardian")
        .order_by("emergency_contact_order", "guardian__last_name", "guardian__first_name")
    )
    history = list(
        NoticeSubscription.objects.filter(student=student)
        .select_related("guardian", "school", "started_by", "ended_by")
        .order_by("-started_at", "-pk")
    )
    current = {row.guardian_id: row for row in history if row.ended_at is None}
    reached = {
        member.guardian_id
        for member in policy.family_audience([student.pk], today, policy.switches_now(), None)
    }
    enrollment = (
        Enrollment.objects.current(today)
        .filter(student=student)
        .select_related("school")
        .order_by("-entry_date")
        .first()
    )
    return StudentNotices(
        school=enrollment.school if enrollment else None,
        parents=[
            ParentNotices(link, current.get(link.guardian_id), link.guardian_id in reached)
            for link in links
        ],
        history=history,
    )
