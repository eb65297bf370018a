"""Compile the translation catalogues (.po → .mo) in Python, so no machine needs gettext to
run Homeroom; with --check, fail when a catalogue is incomplete or its .mo is stale."""

import re
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogues() -> list[Path]:
    found: list[Path] = []
    for root in settings.LOCALE_PATHS:
        found.extend(sorted(Path(root).glob("*/LC_MESSAGES/*.po")))
    return found


def problems_in(po_path: Path) -> list[str]:
    catalogue = polib.pofile(str(po_path))
    problems = [
        f"{po_path}:{entry.linenum}: not translated: {entry.msgid!r}"
        for entry in catalogue.untranslated_entries()
    ]
    problems += [
        f"{po_path}:{entry.linenum}: marked fuzzy (check and clear the flag): {entry.msgid!r}"
        for entry in catalogue.fuzzy_entries()
        if not entry.obsolete
    ]
    # A plural entry with fewer forms than the header's nplurals falls back to the source
    # language for the missing ones (Spanish: every count but 1 and the millions).
    found = re.search(r"nplurals\s*=\s*(\d+)", catalogue.metadata.get("Plural-Forms", ""))
    forms = int(found.group(1)) if found else 0
    problems += [
        f"{po_path}:{entry.linenum}: {forms} plural forms wanted: {entry.msgid!r}"
        for entry in catalogue
        if entry.msgid_plural
        and not entry.obsolete
        and sum(1 for text in entry.msgstr_plural.values() if text) < forms
    ]
    return problems


class Command(BaseCommand):
    help = "Compile .po catalogues to .mo; --check fails on missing translations or stale .mo."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        problems: list[str] = []
        for po_path in catalogues():
            mo_path = po_path.with_suffix(".mo")
            compiled = polib.pofile(str(po_path))
            if check:
                problems += problems_in(po_path)
                fresh = _mo_bytes(compiled)
                if not mo_path.exists() or mo_path.read_bytes() != fresh:
                    problems.append(f"{mo_path}: stale; run `make messages`")
            else:
                mo_path.write_bytes(_mo_bytes(compiled))
                self.stdout.write(f"compiled {mo_path}")
        if problems:
            raise CommandError("\n".join(problems))


def _mo_bytes(catalogue: polib.POFile) -> bytes:
    return bytes(catalogue.to_binary())
