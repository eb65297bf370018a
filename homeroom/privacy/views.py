"""The district's public pages about student data (no sign-in): the transparency page
(CGS 10-234bb(c), R55) and the annual notice of rights (FERPA 99.7, R15)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from homeroom.lib import clock
from homeroom.privacy import selectors
from homeroom.privacy.models import DirectoryCategory


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    """Every contract in force, rendered from the records: its date, purpose, the data it
    lets leave and for which schools; the directory categories and the opt-out window."""
    today = clock.today()
    designation = selectors.designation_for(today)
    return render(
        request,
        "privacy/transparency.html",
        {
            "contracts": [
                selectors.contract_summary(contract)
                for contract in selectors.contracts_in_force(today)
            ],
            "designation": designation,
            "directory_categories": (
                [DirectoryCategory(c).label for c in designation.categories] if designation else []
            ),
            "notice": selectors.latest_annual_notice(),
            "incidents": selectors.incidents_published(),
        },
    )


@require_GET
def annual_notice(request: HttpRequest) -> HttpResponse:
    """The latest annual notice of rights, in the reader's language."""
    notice = selectors.latest_annual_notice()
    return render(
        request,
        "privacy/annual_notice.html",
        {"notice": notice, "text": selectors.notice_text(notice, translation.get_language())},
    )
