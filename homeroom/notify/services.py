"""Writes of the notify app. Keyword-only; each takes the acting user (or the system) and an
audit `Actor`, runs in one transaction and writes its audit event in it. The tasks they start
are enqueued in that same transaction: nothing is sent for a write that rolled back.
"""

import datetime
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from homeroom.access import policy, roles, staff
from homeroom.accounts.models import User
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, event_record, events_record
from homeroom.lib import clock
from homeroom.notify import compose, selectors
from homeroom.notify.models import (
    ALERT_KINDS,
    DEFAULT_TIMING,
    Kind,
    Notice,
    NoticeSubscription,
    Preference,
    QuietHours,
    Timing,
)
from homeroom.notify.notices import Audience
from homeroom.sis.models import (
    AcademicSession,
    Enrollment,
    GradeLevel,
    Guardian,
    GuardianLink,
    School,
    Section,
    Student,
)

SUBJECT_LIMIT = 150
BODY_LIMIT = 5000


# --- Families' choices ------------------------------------------------------------------------


@transaction.atomic
def preferences_save(
    *,
    actor: Actor,
    guardian: Guardian,
    student: Student,
    timings: Mapping[str, str],
    threshold: int | None,
) -> list[Preference]:
    """Save how a guardian hears each kind of news about one child. The caller has asked the
    door that this guardian may see this child (the portal's page does)."""
    errors = {}
    for kind, timing in timings.items():
        if kind not in Kind.values:
            errors[kind] = _("Unknown kind of message.")
        elif timing not in Timing.values or (
            kind == Kind.NOTICE and timing not in (Timing.AT_ONCE, Timing.NEVER)
        ):
            errors[kind] = _("Choose one of the choices offered.")
    if threshold is not None and not 1 <= threshold <= 100:
        errors["threshold"] = _("A threshold is a percentage from 1 to 100.")
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    stored = {
        p.kind: p
        for p in Preference.objects.select_for_update().filter(guardian=guardian, student=student)
    }
    changes: dict[str, list[object]] = {}
    saved = []
    for kind, timing in timings.items():
        wanted_threshold = threshold if kind == Kind.LOW_GRADE else None
        row = stored.get(kind)
        old = (row.timing, row.threshold) if row else (str(DEFAULT_TIMING[Kind(kind)]), None)
        if old == (timing, wanted_threshold):
            if row:
                saved.append(row)
            continue
        changes[kind] = [old[0], timing]
        if kind == Kind.LOW_GRADE and old[1] != wanted_threshold:
            changes["threshold"] = [old[1], wanted_threshold]
        if row is None:
            row = Preference(guardian=guardian, student=student, kind=kind)
        row.timing, row.threshold, row.changed_at = timing, wanted_threshold, now
        row.save()
        saved.append(row)
    if changes:
        event_record(
            actor=actor,
            event=Event(
                action=Action.NOTIFY_SETTING,
                student_id=student.pk,
                object_type="sis.guardian",
                object_id=str(guardian.pk),
                changes=changes,
                detail={"what": "preferences"},
            ),
        )
    return saved


@transaction.atomic
def quiet_hours_save(
    *,
    actor: Actor,
    guardian: Guardian,
    starts: datetime.time | None,
    ends: datetime.time | None,
) -> QuietHours | None:
    """Set a guardian's quiet hours, or clear them with both None."""
    if (starts is None) != (ends is None):
        raise ValidationError(_("Give both the start and the end of the quiet hours, or neither."))
    if starts is not None and starts == ends:
        raise ValidationError(_("Quiet hours must start and end at different times."))
    row = QuietHours.objects.select_for_update().filter(guardian=guardian).first()
    old = [row.starts.isoformat(), row.ends.isoformat()] if row else None
    new = [starts.isoformat(), ends.isoformat()] if starts and ends else None
    if old == new:
        return row
    if starts is None or ends is None:
        QuietHours.objects.filter(guardian=guardian).delete()
        row = None
    elif row is None:
        row = QuietHours.objects.create(
            guardian=guardian, starts=starts, ends=ends, changed_at=clock.now()
        )
    else:
        row.starts, row.ends, row.changed_at = starts, ends, clock.now()
        row.save()
    event_record(
        actor=actor,
        event=Event(
            action=Action.NOTIFY_SETTING,
            object_type="sis.guardian",
            object_id=str(guardian.pk),
            changes={"quiet_hours": [old, new]},
            detail={"what": "quiet_hours"},
        ),
    )
    return row


@transaction.atomic
def unsubscribe(*, actor: Actor, guardian: Guardian, kind: str, students: Iterable[int]) -> int:
    """One-click unsubscribe (RFC 8058): stop exactly the messages one link was for — one
    kind about these children, or one digest ("digest:daily") — and nothing else. Signing
    in is not needed: the signed link is the authority. Returns how many choices changed."""
    student_ids = list(students)
    now = clock.now()
    if kind.startswith("digest:"):
        timing = kind.split(":", 1)[1]
        if timing not in (Timing.DAILY, Timing.WEEKLY):
            raise ValidationError(_("This link is not one Homeroom sent."))
        pairs = GuardianLink.objects.filter(guardian=guardian).values_list("student_id", flat=True)
        targets = [(s, k) for s in pairs for k in ALERT_KINDS]
        stored = {(p.student_id, p.kind): p for p in Preference.objects.filter(guardian=guardian)}
        targets = [
            (s, k)
            for s, k in targets
            if (stored[(s, k)].timing if (s, k) in stored else DEFAULT_TIMING[k]) == timing
        ]
    else:
        if kind not in Kind.values:
            raise ValidationError(_("This link is not one Homeroom sent."))
        targets = [(s, Kind(kind)) for s in student_ids]
    changed = 0
    events = []
    for student_id, target in targets:
        row, created = Preference.objects.get_or_create(
            guardian=guardian,
            student_id=student_id,
            kind=target,
            defaults={"timing": Timing.NEVER, "changed_at": now},
        )
        old = DEFAULT_TIMING[Kind(target)] if created else row.timing
        if not created:
            if row.timing == Timing.NEVER:
                continue
            row.timing, row.changed_at = Timing.NEVER, now
            row.save(update_fields=["timing", "changed_at"])
        changed += 1
        events.append(
            Event(
                action=Action.NOTIFY_SETTING,
                student_id=student_id,
                object_type="sis.guardian",
                object_id=str(guardian.pk),
                changes={str(target): [str(old), Timing.NEVER.value]},
                detail={"what": "unsubscribe", "link": kind},
            )
        )
    events_record(actor=actor, events=events)
    return changed


# --- Notice subscriptions (R20) ---------------------------------------------------------------


def _current_school(student: Student, today: datetime.date) -> School | None:
    enrollment = (
        Enrollment.objects.filter(student=student, entry_date__lte=today)
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=today))
        .select_related("school")
        .order_by("-entry_date")
        .first()
    )
    return enrollment.school if enrollment else None


def _subscription_event(actor: Actor, row: NoticeSubscription, what: str) -> Event:
    return Event(
        action=Action.NOTICE_SUBSCRIPTION,
        student_id=row.student_id,
        object=row,
        detail={
            "what": what,
            "guardian_id": row.guardian_id,
            "school_id": row.school_id,
            "source": row.source,
            **({"reason": row.end_reason} if row.end_reason else {}),
        },
    )


@transaction.atomic
def subscription_start(
    *,
    actor: Actor,
    started_by: User,
    guardian: Guardian,
    student: Student,
    source: str,
) -> NoticeSubscription:
    """A non-residential parent asks for every school notice the residential parent gets, at
    the school the child attends now (R20): by the portal toggle (the parent, whom the door
    let through) or by the registrar's entry (a keeper of the student's school's subscriptions,
    `access.staff.keeps_subscriptions_at`)."""
    if source not in NoticeSubscription.Source.values:
        raise ValidationError(_("Say how the parent asked for the school's notices."))
    if source == NoticeSubscription.Source.REGISTRAR:
        _require_roles(started_by, roles.SUBSCRIPTION_KEEPERS)
    today = clock.today()
    link = GuardianLink.objects.open_on(today).filter(guardian=guardian, student=student).first()
    if link is None:
        raise ValidationError(_("This guardian is not linked to this student."))
    if link.lives_with:
        raise ValidationError(
            _("The student lives with this guardian, who receives every school notice already.")
        )
    school = _current_school(student, today)
    if school is None:
        raise ValidationError(_("The student is not enrolled in a school today."))
    if source == NoticeSubscription.Source.REGISTRAR and not staff.keeps_subscriptions_at(
        policy.viewer_for(started_by, today), school.pk
    ):
        raise PermissionDenied(_("Your role does not allow this."))
    current = (
        NoticeSubscription.objects.select_for_update()
        .filter(guardian=guardian, student=student, ended_at__isnull=True)
        .first()
    )
    if current is not None and current.school_id == school.pk:
        return current
    events = []
    if current is not None:
        current.ended_at, current.end_reason = clock.now(), NoticeSubscription.EndReason.RENEWED
        current.ended_by = started_by
        current.save(update_fields=["ended_at", "end_reason", "ended_by"])
        events.append(_subscription_event(actor, current, "ended"))
    row = NoticeSubscription.objects.create(
        guardian=guardian,
        student=student,
        school=school,
        source=source,
        started_at=clock.now(),
        started_by=started_by,
    )
    events.append(_subscription_event(actor, row, "started"))
    events_record(actor=actor, events=events)
    return row


@transaction.atomic
def subscription_end(
    *, actor: Actor, ended_by: User, subscription: NoticeSubscription
) -> NoticeSubscription:
    """The parent no longer wants the school's notices: ended by the parent, or by the
    registrar on their behalf (a keeper of the subscription's school's subscriptions)."""
    row = NoticeSubscription.objects.select_for_update().get(pk=subscription.pk)
    by_the_parent = Guardian.objects.filter(pk=row.guardian_id, user=ended_by).exists()
    if not by_the_parent and not staff.keeps_subscriptions_at(
        policy.viewer_for(ended_by, clock.today()), row.school_id
    ):
        raise PermissionDenied(_("Your role does not allow this."))
    if row.ended_at is not None:
        return row
    row.ended_at, row.end_reason, row.ended_by = (
        clock.now(),
        NoticeSubscription.EndReason.CANCELLED,
        ended_by,
    )
    row.save(update_fields=["ended_at", "end_reason", "ended_by"])
    event_record(actor=actor, event=_subscription_event(actor, row, "ended"))
    return row


@transaction.atomic
def subscriptions_review(*, actor: Actor | None = None) -> int:
    """End every subscription whose student no longer attends its school (CGS 10-15b(b):
    the request lasts while the child stays in that school). Staff then see it among the
    subscriptions to renew. Returns how many ended."""
    actor = actor or Actor.system("notify")
    today = clock.today()
    now = clock.now()
    active = list(NoticeSubscription.objects.select_for_update().filter(ended_at__isnull=True))
    if not active:
        return 0
    still = set(
        Enrollment.objects.filter(
            student_id__in={s.student_id for s in active}, entry_date__lte=today
        )
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=today))
        .values_list("student_id", "school_id")
    )
    moved = [s for s in active if (s.student_id, s.school_id) not in still]
    for row in moved:
        row.ended_at, row.end_reason = now, NoticeSubscription.EndReason.SCHOOL_CHANGED
    NoticeSubscription.objects.bulk_update(moved, ["ended_at", "end_reason"])
    events_record(actor=actor, events=[_subscription_event(actor, r, "ended") for r in moved])
    return len(moved)


@transaction.atomic
def subscription_renew(
    *, actor: Actor, renewed_by: User, subscription: NoticeSubscription
) -> NoticeSubscription:
    """Staff renew, at the student's new school, a subscription that ended when the student
    changed school (the prompt of R20)."""
    if subscription.end_reason != NoticeSubscription.EndReason.SCHOOL_CHANGED:
        raise ValidationError(
            _("Only a subscription that ended with a change of school is renewed.")
        )
    return subscription_start(
        actor=actor,
        started_by=renewed_by,
        guardian=subscription.guardian,
        student=subscription.student,
        source=NoticeSubscription.Source.REGISTRAR,
    )


# --- School notices ---------------------------------------------------------------------------


def _require_roles(user: User, allowed: frozenset[str]) -> None:
    if not policy.viewer_for(user, clock.today()).holds_role(allowed):
        raise PermissionDenied(_("Your role does not allow this."))


def notice_scope(user: User, today: datetime.date) -> tuple[bool, set[int]]:
    """Whether a staff member writes to the whole district, and the schools they write to
    (access.staff.StaffScope; the roles are access.roles.NOTICE_WRITERS)."""
    scope = staff.scope_of(policy.viewer_for(user, today))
    return scope.notices_district, set(scope.notice_school_ids)


def notice_check(
    *,
    author: User,
    audience: Audience,
    subject: str,
    body: str,
    category: str = Notice.Category.NOTICE,
    term_id: int | None = None,
) -> AcademicSession | None:
    """Raise ValidationError or PermissionDenied unless this author may send this notice.
    Returns the term of a report card release (None for other notices)."""
    today = clock.today()
    district, schools = notice_scope(author, today)
    if not district and not schools:
        raise PermissionDenied(_("Only principals and district staff send notices."))
    errors: dict[str, str] = {}
    term = None
    if category not in Notice.Category.values:
        errors["category"] = _("Choose what kind of notice this is.")
    elif category == Notice.Category.REPORT_CARD:
        # Homeroom writes the release: the subject is not asked for, a note is optional.
        term = selectors.report_card_terms(today).filter(pk=term_id or 0).first()
        if term is None:
            errors["term"] = _("Choose a term that has ended: its report cards are released.")
    elif not subject.strip():
        errors["subject"] = _("Give the notice a subject.")
    elif len(subject.strip()) > SUBJECT_LIMIT:
        errors["subject"] = _("A subject can be at most %(limit)d characters.") % {
            "limit": SUBJECT_LIMIT
        }
    if not body.strip() and category != Notice.Category.REPORT_CARD:
        errors["body"] = _("Write the notice.")
    elif len(body) > BODY_LIMIT:
        errors["body"] = _("A notice can be at most %(limit)d characters.") % {"limit": BODY_LIMIT}
    if audience.audience not in Notice.Audience.values:
        errors["audience"] = _("Choose who the notice is for.")
    elif audience.audience == Notice.Audience.DISTRICT:
        if not district:
            errors["audience"] = _("Only district staff send a notice to every school.")
    elif audience.school_id is None or not (district or audience.school_id in schools):
        errors["school"] = _("Choose one of your schools.")
    if audience.audience == Notice.Audience.GRADE and audience.grade_level not in GradeLevel.values:
        errors["grade_level"] = _("Choose a grade.")
    if (
        audience.audience == Notice.Audience.SECTION
        and not Section.objects.filter(
            pk=audience.section_id or 0, school_id=audience.school_id or 0
        ).exists()
    ):
        errors["section"] = _("Choose one of the school's classes.")
    if errors:
        raise ValidationError(errors)
    return term


def notice_words(
    *,
    author: User,
    audience: Audience,
    category: str,
    subject: str,
    body: str,
    term: AcademicSession | None,
) -> tuple[str, str]:
    """A notice's subject and text as stored and sent to everyone: a report card release's
    subject is Homeroom's (in the district's language here, for staff; each copy's is in its
    recipient's), its text the writer's optional note; a letter is signed with its writer's
    name and school (or the district)."""
    subject, body = subject.strip(), body.strip()
    if term is not None:
        with translation.override(settings.LANGUAGE_CODE):
            subject = compose.report_card_subject(term.title)
    elif category == Notice.Category.LETTER:
        school = None
        if audience.audience != Notice.Audience.DISTRICT:
            school = School.objects.filter(pk=audience.school_id or 0).first()
        body = f"{body}\n\n{compose.letter_signature(author, school)}"
    return subject, body


@transaction.atomic
def notice_send(
    *,
    actor: Actor,
    author: User,
    audience: Audience,
    category: str,
    subject: str,
    body: str,
    term_id: int | None = None,
) -> Notice:
    """Accept a notice at once; its copies are addressed by the fan-out task, enqueued here,
    which runs when this transaction commits (one job for every copy: R20). Report card
    releases and letters take this same path: a release's subject is written by Homeroom
    (here in the district's language, for staff; in each recipient's at the fan-out), and a
    letter is signed with its writer's name and school."""
    from homeroom.notify import tasks

    term = notice_check(
        author=author,
        audience=audience,
        subject=subject,
        body=body,
        category=category,
        term_id=term_id,
    )
    subject, body = notice_words(
        author=author, audience=audience, category=category, subject=subject, body=body, term=term
    )
    notice = Notice.objects.create(
        audience=audience.audience,
        school_id=audience.school_id if audience.audience != Notice.Audience.DISTRICT else None,
        grade_level=audience.grade_level if audience.audience == Notice.Audience.GRADE else "",
        section_id=audience.section_id if audience.audience == Notice.Audience.SECTION else None,
        category=category,
        term=term,
        subject=subject,
        body=body,
        author=author,
        sent_at=clock.now(),
    )
    event_record(
        actor=actor,
        event=Event(
            action=Action.NOTICE,
            object=notice,
            detail={
                "audience": notice.audience,
                "school_id": notice.school_id,
                "grade_level": notice.grade_level,
                "section_id": notice.section_id,
                "category": notice.category,
                "term_id": notice.term_id,
            },
        ),
    )
    tasks.notice_fan_out.enqueue(notice.pk)
    return notice
