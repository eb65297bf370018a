"""Issue an enrolment letter from the server's command line (R41, R49): for the district's
first administrator, who has no second administrator to approve one yet. The code is printed
once; hand it over in person. Every other letter is asked and approved in the admin.

    manage.py enrolment_letter USERNAME --reason "first administrator, set up on site"
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from homeroom.access import account_powers
from homeroom.accounts.models import User
from homeroom.audit.services import Actor


class Command(BaseCommand):
    help = "Issue an enrolment letter's code for a staff account (printed once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="why, at least 15 characters")

    def handle(self, *args: Any, username: str, reason: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account has the username {username!r}.")
        try:
            approved = account_powers.enrolment_letter_issue(
                actor=Actor.system("command line"), user=user, reason=reason
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            f"Enrolment letter for {username}: {approved.display} "
            f"(works once, until {approved.letter.expires_at:%Y-%m-%d %H:%M %Z})"
        )
