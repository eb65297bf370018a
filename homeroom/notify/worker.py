"""The worker: django-tasks-db's own worker loop, which also ticks the periodic schedule.

`manage.py worker` runs one. Run several, on one machine or many: tasks are claimed from the
database (PostgreSQL's SKIP LOCKED, SQLite's single writer), messages by their own claims
(notify.delivery), schedule slots by a unique row (notify.schedule).
"""

import random
import time

from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.models import DBTaskResult

from homeroom.notify import delivery, schedule

# Between tasks, the schedule is looked at no more often than this (seconds).
TICK_SECONDS = 20


class Worker(DatabaseWorker):
    def __init__(
        self, *, worker_id: str, interval: float = 1.0, once: bool = False, scheduled: bool = True
    ) -> None:
        super().__init__(
            queue_names=["*"],
            interval=interval,
            # The parent's loop runs what is ready, then returns to ours.
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        self.once = once
        self.scheduled = scheduled
        self.last_tick = 0.0

    def tick(self) -> None:
        if self.scheduled:
            schedule.tick()
        self.last_tick = time.monotonic()

    def run(self) -> None:
        # A worker starting is often one restarted after a crash: put back at once what dead
        # workers held past their lease, rather than at the next sweep.
        delivery.sweep()
        if not self.once and self.interval:
            # Workers started together do not all poll at the same instant.
            time.sleep(random.random())  # noqa: S311
        while self.running:
            self.tick()
            super().run()
            if self.once:
                return
            if self.running:
                time.sleep(self.interval)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # A long queue must not starve the schedule (the sweep that rescues dead workers'
        # messages is on it).
        if time.monotonic() - self.last_tick > TICK_SECONDS:
            self.tick()
        super().run_task(db_task_result)
