"""A district-wide notice to ~35,000 recipients through a real SMTP server, sent by two
worker processes (`manage.py worker`), on PostgreSQL: how long until it is accepted, and
until every copy is sent. Run by scripts/bench-notify.sh; figures in docs/performance.md.

It builds its own families (20,000 enrolled students, 1.75 guardians each, every link
activated, every guardian with an account and an address) in the database it is given."""

import asyncio
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from aiosmtpd.controller import Controller  # noqa: E402
from django.db import connection  # noqa: E402

from homeroom.accounts.models import User  # noqa: E402
from homeroom.audit.services import Actor  # noqa: E402
from homeroom.lib import clock  # noqa: E402
from homeroom.notify.models import Message, Notice  # noqa: E402
from homeroom.notify.notices import Audience  # noqa: E402
from homeroom.notify.services import notice_send  # noqa: E402
from homeroom.sis.models import (  # noqa: E402
    District,
    Enrollment,
    Guardian,
    GuardianLink,
    School,
    Staff,
    StaffRole,
    Student,
)

STUDENTS = int(os.environ.get("BENCH_STUDENTS", "20000"))
ROOT = Path(__file__).resolve().parents[1]


class Sink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def build() -> User:
    today = clock.today()
    if Student.objects.filter(local_id__startswith="B").count() >= STUDENTS:
        return User.objects.get(username="bench-registrar")
    district = District.objects.create(name="Bench district")
    schools = [
        School.objects.create(district=district, name=f"Bench school {n}", kind="high")
        for n in range(10)
    ]
    students = Student.objects.bulk_create(
        [
            Student(
                local_id=f"B{n:06d}",
                legal_first_name="Student",
                legal_last_name=f"N{n}",
                date_of_birth=datetime.date(2012, 1, 1),
                grade_level="08",
            )
            for n in range(STUDENTS)
        ],
        batch_size=5000,
    )
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                student=s,
                school=schools[n % 10],
                grade_level="08",
                entry_date=today - datetime.timedelta(days=30),
            )
            for n, s in enumerate(students)
        ],
        batch_size=5000,
    )
    # 1.75 guardians per student: 35,000 recipients.
    count = STUDENTS * 7 // 4
    users = User.objects.bulk_create(
        [User(username=f"bench-g{n}", email=f"g{n}@bench.invalid") for n in range(count)],
        batch_size=5000,
    )
    guardians = Guardian.objects.bulk_create(
        [Guardian(first_name="G", last_name=f"{n}", user=u) for n, u in enumerate(users)],
        batch_size=5000,
    )
    now = clock.now()
    GuardianLink.objects.bulk_create(
        [
            GuardianLink(
                guardian=g,
                student=students[n % STUDENTS],
                relationship="parent",
                portal_status="active",
                activated_at=now,
            )
            for n, g in enumerate(guardians)
        ],
        batch_size=5000,
    )
    registrar = User.objects.create(username="bench-registrar")
    staff = Staff.objects.create(first_name="Bench", last_name="Registrar", user=registrar)
    StaffRole.objects.create(staff=staff, role=StaffRole.Role.REGISTRAR)
    return registrar


def main() -> None:
    registrar = build()
    sink = Sink()
    controller = Controller(
        sink, hostname="127.0.0.1", port=int(os.environ.get("BENCH_SMTP_PORT", "2526"))
    )
    controller.start()
    Message.objects.filter(notice__subject="Bench notice").delete()
    settings = connection.settings_dict
    env = {
        **os.environ,
        "HOMEROOM_SMTP_HOST": "127.0.0.1",
        "HOMEROOM_SMTP_PORT": str(controller.port),
        "HOMEROOM_SMTP_STARTTLS": "0",
        "HOMEROOM_LOG_LEVEL": "ERROR",
    }
    del settings
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--no-schedule", "-v0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        started = time.monotonic()
        notice = notice_send(
            actor=Actor(user_id=registrar.pk, role="registrar"),
            author=registrar,
            audience=Audience("district"),
            category=Notice.Category.NOTICE,
            subject="Bench notice",
            body="Every school is closed tomorrow.",
        )
        accepted = time.monotonic() - started
        while True:
            notice.refresh_from_db()
            if (
                notice.recipients
                and not Message.objects.filter(notice=notice).exclude(status="sent").exists()
            ):
                break
            time.sleep(1)
            if time.monotonic() - started > 900:
                raise SystemExit("not done in 15 minutes")
        done = time.monotonic() - started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        controller.stop()
    print(f"recipients: {notice.recipients}")
    print(f"accepted in: {accepted * 1000:.0f} ms")
    print(f"all sent in: {done:.1f} s ({notice.recipients / done:.0f} messages/s)")
    print(f"received by the SMTP server: {sink.count}")


if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    main()
