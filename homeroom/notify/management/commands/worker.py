"""Run a task worker, with the periodic schedule: `manage.py worker`.

Run it under the process manager beside the web server, one or more per machine
(docs/operations.md, "Workers"); `make demo` starts one and stops it with the server.
"""

import logging
import os
import socket
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from homeroom.notify.worker import Worker


class Command(BaseCommand):
    help = "Run tasks from the queue (django.tasks, database backend) and the periodic schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds to wait when no task is ready (default 1)",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="run what is ready now, then exit (for checks and tests)",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_false",
            dest="scheduled",
            help="run queued tasks only, not the periodic schedule",
        )

    def handle(
        self, *args: Any, interval: float, once: bool, scheduled: bool, **options: Any
    ) -> None:
        if options["verbosity"] > 1:
            logging.getLogger("django_tasks_db").setLevel(logging.DEBUG)
        worker = Worker(
            worker_id=f"{socket.gethostname()}:{os.getpid()}"[:64],
            interval=interval,
            once=once,
            scheduled=scheduled,
        )
        if not once:
            worker.configure_signals()
            self.stdout.write(f"worker {worker.worker_id}: waiting for tasks")
        worker.run()
