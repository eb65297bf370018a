"""The periodic schedule lives in the project (settings.TASK_SCHEDULE), is run by the workers,
and runs each job once per slot however many workers tick it (issue 18; R4, R12)."""

import datetime
import zoneinfo

import pytest
from django_tasks_db.models import DBTaskResult

from homeroom.notify import schedule
from homeroom.notify.models import ScheduleSlot

pytestmark = pytest.mark.django_db

ZONE = zoneinfo.ZoneInfo("America/New_York")


def _at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=ZONE)


@pytest.mark.parametrize(
    ("cadence", "now", "slot"),
    [
        ("every 1", _at(2026, 11, 18, 10, 0, 30), _at(2026, 11, 18, 10, 0)),
        ("daily 06:00", _at(2026, 11, 18, 5, 59), _at(2026, 11, 17, 6, 0)),
        ("daily 06:00", _at(2026, 11, 18, 6, 0), _at(2026, 11, 18, 6, 0)),
        # Monday 16 November 2026 07:00; on the Sunday after, still that Monday's.
        ("weekly mon 07:00", _at(2026, 11, 22, 23, 0), _at(2026, 11, 16, 7, 0)),
        ("weekly mon 07:00", _at(2026, 11, 16, 6, 59), _at(2026, 11, 9, 7, 0)),
        ("quarterly 07:00", _at(2026, 11, 18, 10, 0), _at(2026, 10, 1, 7, 0)),
        ("quarterly 07:00", _at(2027, 1, 1, 6, 0), _at(2026, 10, 1, 7, 0)),
        ("quarterly 07:00", _at(2027, 1, 1, 7, 0), _at(2027, 1, 1, 7, 0)),
        ("quarterly 07:00", _at(2027, 7, 15, 12, 0), _at(2027, 7, 1, 7, 0)),
    ],
)
def test_each_cadence_names_its_latest_slot(cadence, now, slot):
    assert schedule.Job("job", "x", cadence).slot(now) == slot


def test_the_project_schedule_is_understood_and_holds_the_periodic_reports():
    assert schedule.check() == []
    names = {job.name for job in schedule.jobs()}
    assert {"eligible_student_notice", "break_glass_report", "staff_access_review"} <= names


def test_two_workers_ticking_the_same_slot_enqueue_each_job_once():
    now = _at(2026, 11, 16, 7, 30)
    first = schedule.tick(now)
    second = schedule.tick(now + datetime.timedelta(seconds=20))
    assert "break_glass_report" in first and "break_glass_report" not in second
    assert ScheduleSlot.objects.filter(job="break_glass_report").count() == 1
    enqueued = DBTaskResult.objects.filter(task_path="homeroom.access.tasks.break_glass_report")
    assert enqueued.count() == 1
