"""Rebuild data/password-blocklist.txt.gz from its openly licensed sources (R42).

    npm pack @zxcvbn-ts/language-common@4.1.3 && tar xzf zxcvbn-ts-language-common-4.1.3.tgz
    python manage.py password_blocklist_build --zxcvbn package/src/passwords.json

Django's own list (django/contrib/auth/common-passwords.txt.gz) is read from the installed
Django. Entries are NFKC-normalized and casefolded, as passwords are when checked; the
output is sorted and gzipped without a timestamp, so the same sources give the same bytes.
data/README.md names the sources and their licences.
"""

import gzip
import json
import unicodedata
from pathlib import Path
from typing import Any

import django
from django.core.management.base import BaseCommand, CommandError

from homeroom.accounts.passwords import BLOCKLIST_PATH

DJANGO_LIST = Path(django.__file__).parent / "contrib" / "auth" / "common-passwords.txt.gz"


class Command(BaseCommand):
    help = "Rebuild the shipped list of common and breached passwords."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--zxcvbn",
            required=True,
            help="passwords.json from the npm package @zxcvbn-ts/language-common",
        )
        parser.add_argument("--django", default=str(DJANGO_LIST))
        parser.add_argument("--output", default=str(BLOCKLIST_PATH))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with gzip.open(options["django"], "rt", encoding="utf-8") as lines:
                django_words = lines.read().split()
            zxcvbn_words = json.loads(Path(options["zxcvbn"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read a source list: {error}") from error
        if not isinstance(zxcvbn_words, list):
            raise CommandError("--zxcvbn must be a JSON list of passwords (passwords.json).")
        words = {
            unicodedata.normalize("NFKC", str(word)).casefold().strip()
            for word in [*django_words, *zxcvbn_words]
        } - {""}
        data = ("\n".join(sorted(words)) + "\n").encode()
        with gzip.GzipFile(options["output"], "wb", mtime=0) as out:
            out.write(data)
        self.stdout.write(f"{len(words)} passwords written to {options['output']}.")
