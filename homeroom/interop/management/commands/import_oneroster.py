"""`manage.py import_oneroster PATH`: import a OneRoster 1.2 CSV package (homeroom.interop)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeroom.audit.services import Actor
from homeroom.interop.importer import Report, run_import


class Command(BaseCommand):
    help = (
        "Import a OneRoster 1.2 CSV package (a .zip file or a folder) in bulk or delta mode. "
        "Every file is checked first; any problem is reported as file:line and nothing is "
        "written. The import is one transaction and is audited. docs/interop.md says what "
        "is imported and how."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the package: a .zip file or a folder of CSV files")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the package and show what would be added, changed and removed; "
            "write nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        quiet = options["verbosity"] == 0

        def progress(message: str) -> None:
            if not quiet:
                self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {message}")

        report = run_import(
            options["path"],
            actor=Actor.system("manage.py import_oneroster"),
            dry_run=options["dry_run"],
            progress=progress,
        )
        self.show(report)
        if not report.ok:
            raise CommandError(
                f"{report.problem_count:,} problem(s) found; nothing was imported. Fix them "
                "and run the command again."
            )

    def show(self, report: Report) -> None:
        write = self.stdout.write
        if report.ok:
            write("")
            write(
                f"{'file':<20} {'added':>10} {'changed':>10} {'removed':>10} "
                f"{'unchanged':>10} {'left out':>10}"
            )
            for name, counts in report.counts.items():
                if not counts.total and not counts.unchanged and not counts.ignored:
                    continue
                label = "agentSourcedIds" if name == "guardianLinks" else f"{name}.csv"
                write(
                    f"{label:<20} {counts.added:>10,} {counts.changed:>10,} "
                    f"{counts.removed:>10,} {counts.unchanged:>10,} {counts.ignored:>10,}"
                )
            for note in report.notes:
                write(f"note: {note}")
            if report.dry_run:
                write(self.style.SUCCESS("Dry run: the package is valid; nothing was written."))
            else:
                write(self.style.SUCCESS(f"Imported in {report.seconds:.1f} s."))
            return
        for problem in report.problems:
            self.stderr.write(str(problem))
        hidden = report.problem_count - len(report.problems)
        if hidden > 0:
            self.stderr.write(f"… and {hidden:,} more problem(s).")
