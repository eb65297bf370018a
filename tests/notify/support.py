"""What the notify tests share: the worker's own loop run for real in the test's process
(so it sees the test's uncommitted district), the clock moved past a window, and the mail
the real SMTP sink received, read back as messages."""

import datetime
import email
import email.policy
import zoneinfo
from email.message import EmailMessage

import time_machine
from django.conf import settings
from django.urls import reverse

from homeroom.attendance.models import AttendanceCode
from homeroom.attendance.services import MarkEntry, attendance_take
from homeroom.audit.services import Actor
from homeroom.lib import clock
from homeroom.sis.models import Period, School, Section, SectionMeeting, Staff
from tests import personas
from tests.worker import run_worker  # noqa: F401 (the notify tests import it from here)


def later(minutes: float) -> time_machine.travel:
    """Move the clock on (it keeps ticking from there)."""
    return time_machine.travel(clock.now() + datetime.timedelta(minutes=minutes), tick=True)


def received(sink) -> list[EmailMessage]:
    return [
        email.message_from_bytes(envelope.content, policy=email.policy.default)
        for envelope in sink.messages
    ]


def to(sink, username: str) -> list[EmailMessage]:
    address = personas.user(username).email
    return [m for m in received(sink) if address in m["To"]]


def body(message: EmailMessage) -> str:
    """The plain text, with the mail's CRLF line ends read as newlines."""
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content().replace("\r\n", "\n")


def taylors_class_with(student_name: str) -> tuple[Section, Period]:
    """Ms. Taylor's section the student is in, and a period it meets in today."""
    student = personas.child(student_name)
    taylor = Staff.objects.get(user=personas.user("taylor"))
    today = clock.today()
    section = Section.objects.get(
        section_teachers__staff=taylor,
        rosters__student=student,
        start_date__lte=today,
        end_date__gte=today,
    )
    meeting = SectionMeeting.objects.filter(section=section, weekday=today.weekday()).first()
    assert meeting is not None, "the demo's Wednesday has Algebra II"
    return section, meeting.period


def taylor_marks(student_name: str, code: str) -> None:
    section, period = taylors_class_with(student_name)
    taylor = personas.user("taylor")
    attendance_take(
        actor=Actor(user_id=taylor.pk, role="teacher"),
        recorded_by=taylor,
        section=section,
        day=clock.today(),
        period=period,
        entries={
            personas.child(student_name).pk: MarkEntry(AttendanceCode.objects.get(code=code).pk)
        },
    )


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> time_machine.travel:
    """The clock set to a moment in the district's time zone (it keeps ticking from there)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    moment = datetime.datetime(year, month, day, hour, minute, tzinfo=zone)
    return time_machine.travel(moment, tick=True)


def high_school() -> School:
    return personas.child("sofia").enrollments.order_by("-entry_date")[0].school


def subscribe_in_the_portal(client, username: str, child: str) -> None:
    """The parent's own portal toggle (R20)."""
    personas.sign_in(client, username)
    response = client.post(
        reverse("portal:child-notifications", args=[personas.child(child).pk]),
        {"action": "subscribe"},
    )
    assert response.status_code == 302
    client.logout()
