"""Activation letters: one page per code, in the guardian's preferred language, as HTML to
print from the browser and as a tagged PDF (R14, R39).

A letter carries the plain code, which exists nowhere else: it is rendered once, when the
code is issued, and never again. A lost letter is replaced by issuing a new code.
"""

import dataclasses
import datetime

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from homeroom.access.activation import IssuedCode
from homeroom.accounts.models import Language
from homeroom.lib import clock
from homeroom.sis.models import Enrollment

STYLESHEET = "access/letter.css"
# WeasyPrint draws with the fonts installed on the server; DejaVu covers Spanish and more.
PDF_FONTS = """
body { font-family: "DejaVu Sans", sans-serif; }
.letter__code-value { font-family: "DejaVu Sans Mono", monospace; }
"""


@dataclasses.dataclass(frozen=True)
class Addresses:
    """Where the letter sends the guardian: absolute addresses, built from the request."""

    activate: str
    add_child: str
    report: str


@dataclasses.dataclass(frozen=True)
class Letter:
    issued: IssuedCode
    school_name: str

    @property
    def language(self) -> str:
        language = self.issued.record.link.guardian.preferred_language
        return language if language in Language.values else Language.ENGLISH


def letters_for(issued: list[IssuedCode], today: datetime.date | None = None) -> list[Letter]:
    """The letters for codes just issued, each with the child's current or next school."""
    today = today or clock.today()
    student_ids = [item.record.link.student_id for item in issued]
    schools: dict[int, str] = {}
    for student_id, school_name in (
        Enrollment.objects.not_ended_by(today)
        .filter(student_id__in=student_ids)
        .order_by("student_id", "entry_date")
        .values_list("student_id", "school__name")
    ):
        schools.setdefault(student_id, school_name)
    return [
        Letter(issued=item, school_name=schools.get(item.record.link.student_id, ""))
        for item in issued
    ]


def _letter_html(letter: Letter, number: int, addresses: Addresses) -> SafeString:
    link = letter.issued.record.link
    with translation.override(letter.language):
        # Rendered by the template engine, which escaped every value: safe to embed.
        return mark_safe(
            render_to_string(
                "access/letters/_letter.html",
                {
                    "number": number,
                    "district_name": settings.HOMEROOM_DISTRICT_NAME,
                    "guardian": link.guardian,
                    "student": link.student,
                    "school_name": letter.school_name,
                    "code": letter.issued.display,
                    "issued_on": clock.today(),
                    "last_day": letter.issued.last_day,
                    "addresses": addresses,
                    "language": letter.language,
                },
            )
        )


def letters_html(letters: list[Letter], addresses: Addresses, *, for_pdf: bool = False) -> str:
    """One document with every letter, each on its own printed page."""
    languages = {letter.language for letter in letters}
    return render_to_string(
        "access/letters/document.html",
        {
            "letters": [
                _letter_html(letter, number, addresses)
                for number, letter in enumerate(letters, start=1)
            ],
            "document_language": languages.pop() if len(languages) == 1 else Language.ENGLISH,
            "for_pdf": for_pdf,
            "count": len(letters),
        },
    )


def letters_pdf(letters: list[Letter], addresses: Addresses) -> bytes:
    """The letters as a tagged PDF (PDF/UA-1: headings, reading order, language)."""
    import weasyprint  # Loads Pango and fonts: only when a PDF is asked for.

    stylesheet = finders.find(STYLESHEET)
    html = weasyprint.HTML(string=letters_html(letters, addresses, for_pdf=True))
    return html.write_pdf(
        stylesheets=[weasyprint.CSS(filename=stylesheet), weasyprint.CSS(string=PDF_FONTS)],
        pdf_variant="pdf/ua-1",
    )
