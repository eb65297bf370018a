"""Running queued tasks in a test: django-tasks-db's worker loop (notify.worker), for real,
in the test's own process, so it sees the test's uncommitted data."""

from unittest import mock

from homeroom.notify.worker import Worker


def run_worker(*, scheduled: bool = False) -> None:
    """Every task ready now runs, once.

    The loop recycles database connections between tasks, as Django does between requests;
    inside a test's transaction that would close it, so here (as Django's own test client
    does for requests) the recycling is left out. Everything else runs as in production; the
    separate process is tested in tests/notify/test_worker_process.py."""
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        Worker(worker_id="test-worker", once=True, scheduled=scheduled).run()
