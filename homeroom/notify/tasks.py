"""The notify app's tasks (django.tasks). Each is idempotent: run twice, or again after a
worker died in it, it does its work once (unique keys on alerts, messages and slots)."""

import datetime
import os
import socket

from django.conf import settings
from django.tasks import task

from homeroom.access.eligibility import notice_send as eligible_notice_send
from homeroom.lib import clock
from homeroom.notify import alerts, delivery, notices, services


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


@task
def alerts_attendance(student_ids: list[int], day: str) -> int:
    """After the correction window: alert families of a day's absences and tardies."""
    return alerts.attendance_alerts_find(
        student_ids=student_ids, day=datetime.date.fromisoformat(day)
    )


@task
def alerts_scores(student_ids: list[int], window_end: str) -> int:
    """At the end of a release window: alert families of the scores it released."""
    return alerts.score_alerts_find(
        student_ids=student_ids, window_end=datetime.datetime.fromisoformat(window_end)
    )


@task
def notice_fan_out(notice_id: int) -> int:
    """Address a school notice to every recipient, in one job (R20)."""
    return notices.fan_out(notice_id)


@task
def deliver() -> dict[str, int]:
    """Send due messages until none is left."""
    return delivery.drain(worker_name())


# --- On the schedule (settings.TASK_SCHEDULE); each takes the slot it runs for.


@task
def deliveries_sweep(slot: str) -> int:
    """Requeue what dead workers held, and ask for senders when mail is due."""
    return delivery.sweep()


@task
def digests_send(slot: str) -> int:
    return alerts.digests_make()


@task
def subscriptions_review(slot: str) -> int:
    return services.subscriptions_review()


@task
def eligible_student_notice(slot: str) -> int:
    """R4, on the schedule instead of cron (manage.py eligible_student_notice still works)."""
    return eligible_notice_send(
        clock.today(), settings.HOMEROOM_ELIGIBLE_NOTICE_DAYS, settings.HOMEROOM_SITE_URL
    )
