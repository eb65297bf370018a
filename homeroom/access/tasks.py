"""The access policy's periodic reports, run by the workers on the project's schedule
(settings.TASK_SCHEDULE): the weekly report of reads with a stated reason, and the quarterly
reminder that the staff access review is due (R12)."""

from django.conf import settings
from django.tasks import task

from homeroom.access import break_glass, staff_review
from homeroom.lib import clock


@task
def break_glass_report(slot: str) -> int:
    return break_glass.report_send(now=clock.now(), days=7, site=settings.HOMEROOM_SITE_URL)


@task
def staff_access_review(slot: str) -> int:
    return staff_review.reminder_send(site=settings.HOMEROOM_SITE_URL)
