"""The notification pages in Chromium: Maria (Spanish) and David (English) choose what they
hear with the keyboard alone; axe finds no WCAG 2.1 A/AA violation on the choices, the
quiet hours and messages page, or the unsubscribe page, in either language (R35, R36)."""

import re

import pytest

from homeroom.notify import compose
from homeroom.notify.models import Preference
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
