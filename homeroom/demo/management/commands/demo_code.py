"""`manage.py demo_code USERNAME`: the current sign-in code of a demo staff persona, for a
tester without an authenticator app. Demo only: refuses in production."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeroom.accounts import mfa
from homeroom.accounts.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo account (demo only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if settings.HOMEROOM_ENV == "production":
            raise CommandError("demo_code is for the demo district only.")
        device = TOTPDevice.objects.filter(
            user__username=username, confirmed_at__isnull=False
        ).first()
        if device is None:
            raise CommandError(
                f"{username!r} has no authenticator; the staff personas are taylor, grant, "
                "okafor, pat and sam."
            )
        self.stdout.write(mfa.code_at_step(device.secret, mfa.current_step()))
