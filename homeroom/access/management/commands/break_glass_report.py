"""Mail the district administrators the week's reads of students' records with a stated
reason (break-glass, R12). Run it weekly, e.g.
0 7 * * 1  manage.py break_glass_report --site https://portal.district.org
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeroom.access.break_glass import report_send
from homeroom.lib import clock
from homeroom.lib.site import SiteAddressError, site_url


class Command(BaseCommand):
    help = "Mail the district administrators who read records with a stated reason lately."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7, help="how far back, in days (default 7)")
        parser.add_argument(
            "--site",
            help="the portal's address, for the link in the mail (default HOMEROOM_SITE_URL)",
        )

    def handle(self, *args: Any, days: int, site: str | None, **options: Any) -> None:
        if days < 1:
            raise CommandError(f"--days {days}: give a number of days, 1 or more.")
        try:
            address = site_url(site)
        except SiteAddressError as error:
            raise CommandError(f"--site: {error}") from error
        count = report_send(now=clock.now(), days=days, site=address)
        self.stdout.write(f"{count} reads with a stated reason in the last {days} days.")
