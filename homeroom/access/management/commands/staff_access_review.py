"""Tell the district administrators the periodic review of staff access is ready (R12): how
many staff accounts, how many not reviewed within HOMEROOM_ACCESS_REVIEW_DAYS, and the
link. Run it at the start of each review period, e.g. quarterly:
0 7 1 1,4,7,10 *  manage.py staff_access_review --site https://portal.district.org
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeroom.access.staff_review import reminder_send
from homeroom.lib.site import SiteAddressError, site_url


class Command(BaseCommand):
    help = "Mail the district administrators that the staff access review is ready."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site",
            help="the portal's address, for the link in the mail (default HOMEROOM_SITE_URL)",
        )

    def handle(self, *args: Any, site: str | None, **options: Any) -> None:
        try:
            address = site_url(site)
        except SiteAddressError as error:
            raise CommandError(f"--site: {error}") from error
        count = reminder_send(site=address)
        self.stdout.write(f"{count} staff accounts to review.")
