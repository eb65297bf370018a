"""`manage.py export_oneroster PATH`: write the district as a OneRoster 1.2 CSV package."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeroom.audit.services import Actor
from homeroom.interop.exporter import ExportRefused, run_export
from homeroom.lib import oneroster


class Command(BaseCommand):
    help = (
        "Write the district as a OneRoster 1.2 CSV package (bulk): a .zip file when PATH ends "
        "in .zip, else a new folder. Birth dates and guardians' email and phone are left out "
        "unless asked for (R64). Every export is audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="where to write: a .zip file, or an empty folder")
        parser.add_argument(
            "--with-demographics",
            action="store_true",
            help="include demographics.csv (students' birth dates)",
        )
        parser.add_argument(
            "--with-guardian-contacts",
            action="store_true",
            help="include guardians' email addresses and phone numbers in users.csv",
        )
        parser.add_argument(
            "--only",
            help="a comma-separated list of the files to write (the vendor's contract scope), "
            "from: " + ", ".join(oneroster.SPECS),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        quiet = options["verbosity"] == 0

        def progress(message: str) -> None:
            if not quiet:
                self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {message}")

        only = [name.strip() for name in options["only"].split(",")] if options["only"] else None
        try:
            report = run_export(
                options["path"],
                actor=Actor.system("manage.py export_oneroster"),
                demographics=options["with_demographics"],
                guardian_contacts=options["with_guardian_contacts"],
                only=only,
                progress=progress,
            )
        except ExportRefused as refusal:
            raise CommandError(str(refusal)) from None
        total = sum(report.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {total:,} rows in {len(report.counts)} files to {report.destination} "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
