"""School notices: who a notice reaches, and its fan-out, with parity for the parent the
child does not live with (CGS 10-15b(b), R20).

A notice reaches, for each enrolled student in its audience, every guardian the access
policy lets hear about the student (`policy.family_audience`: a court order, a withdrawn
child, an eligible student without consent all keep a guardian out) who:

- lives with the student (the residential parent), or
- does not, and asked for the school's notices (`NoticeSubscription`, by portal toggle or
  registrar entry) while the child attends the school the request was made at.

Every copy is made in one job (`notice_fan_out`), in one transaction, with the notice's one
`sent_at` and its one text: the non-residential parent's copy is the residential parent's,
at the same time. A family that stopped school notices for a child gets none for that child.

Report card releases and letters are notices (`Notice.Category`) and take this same path. A
report card release is written by Homeroom in each recipient's language (the same words for
every parent of one language, the same link to each child's grades page for both parents)
and reaches only guardians the policy lets see grades (`Notice.told_module`). A letter is its
writer's text, signed with their name and school, the same for everyone.
"""

import dataclasses
import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from homeroom.access import policy
from homeroom.notify import compose, delivery
from homeroom.notify.models import Kind, Message, Notice, NoticeSubscription, Preference, Timing
from homeroom.sis.models import Enrollment, Guardian, Roster, Student


@dataclasses.dataclass(frozen=True)
class Audience:
    audience: str
    school_id: int | None = None
    grade_level: str = ""
    section_id: int | None = None


def audience_of(notice: Notice) -> Audience:
    return Audience(notice.audience, notice.school_id, notice.grade_level, notice.section_id)


def audience_students(audience: Audience, today: datetime.date) -> QuerySet[Student]:
    """The students enrolled today whose families a notice is for."""
    enrolled = Enrollment.objects.filter(entry_date__lte=today).filter(
        Q(exit_date__isnull=True) | Q(exit_date__gte=today)
    )
    if audience.audience == Notice.Audience.SECTION:
        in_class = Roster.objects.filter(
            section_id=audience.section_id or 0, start_date__lte=today
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        return Student.objects.filter(
            pk__in=in_class.values("student_id"),
        ).filter(pk__in=enrolled.filter(school_id=audience.school_id or 0).values("student_id"))
    if audience.audience in (Notice.Audience.SCHOOL, Notice.Audience.GRADE):
        enrolled = enrolled.filter(school_id=audience.school_id or 0)
    students = Student.objects.filter(pk__in=enrolled.values("student_id"))
    if audience.audience == Notice.Audience.GRADE:
        students = students.filter(grade_level=audience.grade_level)
    return students


@dataclasses.dataclass(frozen=True)
class Recipient:
    user_id: int
    guardian_id: int
    students: tuple[int, ...]


def recipients(
    audience: Audience, today: datetime.date, module: str | None = None
) -> list[Recipient]:
    """Everyone a notice to this audience reaches today, one entry per person however many
    of their children it concerns: three queries in all. `module` is the portal module the
    notice tells about, if any (`Notice.told_module`: a report card release, the grades),
    which the policy must open to the guardian."""
    members = policy.family_audience(
        audience_students(audience, today), today, policy.switches_now(), module
    )
    away = [m for m in members if not m.lives_with]
    subscribed: set[tuple[int, int, int]] = set()
    if away:
        subscribed = set(
            NoticeSubscription.objects.filter(
                ended_at__isnull=True,
                guardian_id__in={m.guardian_id for m in away},
                student_id__in={m.student_id for m in away},
            ).values_list("guardian_id", "student_id", "school_id")
        )
    stopped = set(
        Preference.objects.filter(
            kind=Kind.NOTICE,
            timing=Timing.NEVER,
            guardian_id__in={m.guardian_id for m in members},
        ).values_list("guardian_id", "student_id")
    )
    by_person: dict[tuple[int, int], list[int]] = defaultdict(list)
    for member in members:
        if (member.guardian_id, member.student_id) in stopped:
            continue
        # A subscription holds while the child attends the school it was made at (R20).
        if (
            not member.lives_with
            and (
                member.guardian_id,
                member.student_id,
                member.school_id,
            )
            not in subscribed
        ):
            continue
        by_person[(member.user_id, member.guardian_id)].append(member.student_id)
    return [
        Recipient(user_id, guardian_id, tuple(sorted(students)))
        for (user_id, guardian_id), students in sorted(by_person.items())
    ]


def _names(notice: Notice, found: list[Recipient]) -> dict[int, str]:
    """The children's names, for the notices whose text names them (report cards)."""
    if notice.category != Notice.Category.REPORT_CARD:
        return defaultdict(str)
    wanted = {pk for r in found for pk in r.students}
    return {s.pk: s.display_name for s in Student.objects.filter(pk__in=wanted)}


def fan_out(notice_id: int) -> int:
    """Address a notice to everyone it reaches, in one transaction: every copy with the
    notice's moment and text. Run once per notice (a second run finds it done)."""
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice_id)
        if notice.status != Notice.Status.ACCEPTED:
            return 0
        found = recipients(
            audience_of(notice), timezone.localdate(notice.sent_at), notice.told_module
        )
        names = _names(notice, found)
        guardians = {
            g.pk: g
            for g in Guardian.objects.filter(pk__in={r.guardian_id for r in found}).select_related(
                "user"
            )
        }
        messages = []
        for recipient in found:
            guardian = guardians[recipient.guardian_id]
            address = (guardian.user.email if guardian.user else "") or guardian.email
            if not address or guardian.user is None:
                continue
            language = guardian.user.preferred_language
            subject, text = compose.notice_content(
                notice, language, [(pk, names[pk]) for pk in recipient.students]
            )
            messages.append(
                Message(
                    recipient_id=recipient.user_id,
                    guardian_id=recipient.guardian_id,
                    address=address,
                    language=language,
                    kind=Kind.NOTICE,
                    notice=notice,
                    students=list(recipient.students),
                    subject=subject,
                    body=text,
                    link="",
                    key=f"notice:{notice.pk}:{recipient.user_id}",
                    queued_at=notice.sent_at,
                    not_before=notice.sent_at,
                )
            )
        Message.objects.bulk_create(messages, batch_size=2000)
        notice.recipients = len(messages)
        notice.status = Notice.Status.SENDING if messages else Notice.Status.DONE
        notice.save(update_fields=["recipients", "status"])
        delivery.senders_enqueue(len(messages))
    return len(messages)
