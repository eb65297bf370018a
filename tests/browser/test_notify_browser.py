"""The notification pages in Chromium: Maria (Spanish) and David (English) choose what they
hear with the keyboard alone; axe finds no WCAG 2.1 A/AA violation on the choices, the
quiet hours and messages page, or the unsubscribe page, in either language; the registrar
enters a parent's notice subscription the same way (R20, R35, R36)."""

import re

import pytest

from homeroom.notify import compose
from homeroom.notify.models import NoticeSubscription, Preference
from tests import personas
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accept(page) -> None:
    if "/accounts/agreement/" in page.url:
        page.locator("#id_accept").focus()
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/portal/$"))


@pytest.mark.parametrize(("username", "language"), [("maria", "es"), ("david", "en")])
def test_a_guardian_chooses_by_keyboard_and_the_pages_are_axe_clean(
    live_server, live_demo, page, axe_clean, username, language
):
    base = live_server.url
    sign_in(page, base, username)
    _accept(page)
    sofia = personas.child("sofia")
    page.goto(f"{base}/portal/notifications/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1
    axe_clean(page)
    page.goto(f"{base}/portal/students/{sofia.pk}/notifications/")
    axe_clean(page)
    # Keyboard only: to the "new scores" choices, the arrow to the next one, save with Enter.
    page.locator("#timing-scores-daily").focus()
    page.keyboard.press("ArrowDown")
    assert page.locator("#timing-scores-weekly").is_checked()
    with page.expect_navigation():
        page.locator("#timing-scores-weekly").press("Enter")
    axe_clean(page)
    saved = Preference.objects.get(guardian__user__username=username, student=sofia, kind="scores")
    assert saved.timing == "weekly"
    # The one-click page, signed out.
    page.context.clear_cookies()
    token = compose.unsubscribe_token(
        guardian_id=personas.user(username).guardian.pk, kind="attendance", students=[sofia.pk]
    )
    page.goto(f"{base}/unsubscribe/{token}/")
    axe_clean(page)
    page.locator("main button").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    axe_clean(page)
    assert (
        Preference.objects.get(
            guardian__user__username=username, student=sofia, kind="attendance"
        ).timing
        == "never"
    )


def test_the_registrar_enters_a_subscription_by_keyboard_and_the_pages_are_axe_clean(
    live_server, live_demo, staff_page, axe_clean
):
    """R20 ("registrar entry"), R35, R36: Pat finds Sofia, opens her parents' page and enters
    David's request with the keyboard; axe finds no violation on the search, its results,
    the student's page and the page with the confirmation."""
    base = live_server.url
    page = staff_page("pat")
    page.goto(f"{base}/classroom/subscriptions/")
    assert page.locator("h1").count() == 1
    axe_clean(page)
    page.locator("#q").fill("Sofia Lopez")
    with page.expect_navigation():
        page.locator("#q").press("Enter")
    axe_clean(page)
    page.get_by_role("link", name=re.compile(r"Lopez, Sofia")).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Sofia Lopez" in page.locator("h1").inner_text()
    axe_clean(page)
    page.get_by_role("button", name=re.compile(r"Enter the parent.s request.*David Lopez")).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "now receives every school notice" in page.locator("main").inner_text()
    axe_clean(page)
    row = NoticeSubscription.objects.get(guardian__user__username="david", ended_at__isnull=True)
    assert row.source == "registrar" and row.started_by == personas.user("pat")
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 320px"


def test_a_report_card_release_is_previewed_by_keyboard_and_the_page_is_axe_clean(
    live_server, live_demo, staff_page, axe_clean
):
    """R20, R35: the notices page with its kinds and terms, and a report card release's
    preview (Homeroom's words, the count of parents who may see grades), axe-clean."""
    page = staff_page("okafor")
    page.goto(f"{live_server.url}/classroom/notices/")
    assert page.locator("h1").count() == 1
    axe_clean(page)
    page.locator("#category").select_option("report_card")
    page.locator("#term").select_option(index=1)
    page.locator("#school").select_option(index=1)
    page.get_by_role("button", name="Preview and count the recipients").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    preview = page.locator("[role=status]").inner_text()
    assert "Report cards for" in preview and "It reaches" in preview
    axe_clean(page)
