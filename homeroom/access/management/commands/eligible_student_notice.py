"""Tell the registrars which students turn 18 soon (R4). Run it daily, e.g.
0 6 * * *  manage.py eligible_student_notice --site https://portal.district.org
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeroom.access.eligibility import notice_send
from homeroom.lib import clock
from homeroom.lib.site import SiteAddressError, site_url


class Command(BaseCommand):
    help = "Mail the registrars how many enrolled students turn 18 soon, with the list's link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.HOMEROOM_ELIGIBLE_NOTICE_DAYS,
            help="how far ahead to look, in days, at least 1 (default "
            "HOMEROOM_ELIGIBLE_NOTICE_DAYS)",
        )
        parser.add_argument(
            "--site",
            help="the portal's address, for the link in the mail (default HOMEROOM_SITE_URL), "
            "e.g. https://portal.district.org",
        )

    def handle(self, *args: Any, days: int, site: str | None, **options: Any) -> None:
        if days < 1:
            raise CommandError(f"--days {days}: give a number of days, 1 or more.")
        try:
            address = site_url(site)
        except SiteAddressError as error:
            raise CommandError(f"--site: {error}") from error
        count = notice_send(clock.today(), days, address)
        self.stdout.write(f"{count} enrolled students turn 18 within {days} days.")
