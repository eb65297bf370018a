"""The periodic schedule (settings.TASK_SCHEDULE), run by the workers themselves.

Each worker ticks the schedule between tasks. A job's run for a slot is claimed by inserting
one `ScheduleSlot` row, unique per job and slot, in the same transaction that enqueues the
job's task: of several workers on several machines, exactly one enqueues it, and a worker
that dies in between leaves neither the row nor the task. After a stop, only the latest
missed slot of each job runs: a day's digest is not sent five times after a long outage.

Cadences: "every N" (minutes, slots counted from midnight), "daily HH:MM",
"weekly DAY HH:MM" (DAY a three-letter English weekday), and "quarterly HH:MM" (the first
day of January, April, July and October), in the district's time zone.
"""

import dataclasses
import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from homeroom.lib import clock
from homeroom.notify.models import ScheduleSlot

_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@dataclasses.dataclass(frozen=True)
class Job:
    name: str
    task_path: str
    cadence: str

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        """The start of the latest slot at or before `now`."""
        local = timezone.localtime(now)
        words = self.cadence.split()
        if words[0] == "every":
            minutes = int(words[1])
            midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
            passed = int((local - midnight).total_seconds() // 60)
            return midnight + datetime.timedelta(minutes=passed - passed % minutes)
        hour, minute = (int(part) for part in words[-1].split(":"))
        at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if words[0] == "daily":
            return at if at <= local else at - datetime.timedelta(days=1)
        if words[0] == "weekly":
            at -= datetime.timedelta(days=(local.weekday() - _WEEKDAYS.index(words[1])) % 7)
            return at if at <= local else at - datetime.timedelta(days=7)
        if words[0] == "quarterly":
            at = at.replace(month=(local.month - 1) // 3 * 3 + 1, day=1)
            if at > local:
                year, month = (at.year, at.month - 3) if at.month > 1 else (at.year - 1, 10)
                at = at.replace(year=year, month=month)
            return at
        raise ValueError(f"unknown cadence {self.cadence!r}")

    @property
    def task(self) -> Task:
        return import_string(self.task_path)


def jobs() -> list[Job]:
    return [Job(*entry) for entry in settings.TASK_SCHEDULE]


def check() -> list[str]:
    """What is wrong with the schedule, for the system check: bad cadences, missing tasks."""
    problems = []
    now = clock.now()
    for job in jobs():
        try:
            job.slot(now)
        except (ValueError, IndexError):
            problems.append(f"{job.name}: cadence {job.cadence!r} is not understood")
        try:
            if not isinstance(job.task, Task):
                problems.append(f"{job.name}: {job.task_path} is not a task")
        except ImportError:
            problems.append(f"{job.name}: {job.task_path} cannot be imported")
    return problems


def tick(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every job whose current slot has not been claimed yet. Returns their names."""
    now = now or clock.now()
    started = []
    for job in jobs():
        slot = job.slot(now)
        try:
            with transaction.atomic():
                ScheduleSlot.objects.create(job=job.name, slot=slot, enqueued_at=now)
                job.task.enqueue(slot.isoformat())
        except IntegrityError:
            continue  # Another worker has this slot.
        started.append(job.name)
    return started
