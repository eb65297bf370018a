"""A guardian in Chromium: signs in, accepts the agreement, moves between children and
modules by keyboard; axe finds no WCAG 2.1 A/AA violation on any portal page, in English or
in Spanish (R35, R36, R38). Maria prefers Spanish: her pages come in Spanish first."""

import re

import pytest

from tests import personas
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _portal_urls(base: str) -> list[str]:
    sofia, mateo = personas.child("sofia"), personas.child("mateo")
    from homeroom.gradebook.selectors import current_rosters
    from homeroom.lib import clock

    section = current_rosters([sofia.pk], clock.today())[0].section_id
    urls = ["/portal/", "/portal/legend/"]
    for student in (sofia, mateo):
        urls += [
            f"/portal/students/{student.pk}/{m}/" for m in ("attendance", "schedule", "grades")
        ]
    urls.append(f"/portal/students/{sofia.pk}/grades/{section}/")
    urls.append(f"/portal/students/{sofia.pk}/disclosures/")
    urls.append(f"/portal/students/{sofia.pk}/contacts/")
    return [base + u for u in urls]


def test_maria_signs_in_and_reads_every_page_in_spanish_and_english(
    live_server, live_demo, page, axe_clean
):
    base = live_server.url
    sign_in(page, base, "maria")
    # First the agreement, in Spanish, accepted with the keyboard.
    assert "/accounts/agreement/" in page.url
    assert page.locator("html").get_attribute("lang") == "es"
    axe_clean(page)
    page.locator("#id_accept").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/portal/$"))
    assert "Sofia Lopez" in page.content() and "Mateo Lopez" in page.content()

    for url in _portal_urls(base):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "es"
        assert page.locator("h1").count() == 1
        axe_clean(page)

    # The switch to English is a button in the header; then every page again.
    page.goto(base + "/portal/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    for url in _portal_urls(base):
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "en"
        axe_clean(page)
    assert len(axe_clean.pages_checked) == 1 + 2 * len(_portal_urls(base))


def test_a_guardian_moves_between_children_and_modules_by_keyboard_alone(
    live_server, live_demo, page
):
    personas.accept_agreement("david")
    base = live_server.url
    sign_in(page, base, "david")
    page.wait_for_url(re.compile(r".*/portal/$"))
    mateo = personas.child("mateo")

    def tab_to(name: str) -> None:
        for _ in range(80):
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.textContent")
            if focused and name in " ".join(focused.split()):
                return
        raise AssertionError(f"{name!r} cannot be reached with the Tab key")

    # The skip link comes first and moves focus to the main content.
    page.keyboard.press("Tab")
    assert "Skip to main content" in page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    tab_to("Attendance, Mateo")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/portal/students/{mateo.pk}/attendance/")
    assert "Attendance – Mateo Lopez" in page.title()
    tab_to("Grades, Sofia")
    page.keyboard.press("Enter")
    page.wait_for_url("**/grades/")
    assert "Grades – Sofia Lopez" in page.title()


def test_pages_fit_a_320_pixel_screen_without_sideways_scrolling(live_server, live_demo, page):
    """R36: reflow at 320 CSS px; only data tables scroll, inside their own box."""
    personas.accept_agreement("maria")
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, live_server.url, "maria")
    for url in _portal_urls(live_server.url):
        page.goto(url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at 320px"


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_page_for_an_account_with_no_enrolled_child_is_accessible(
    live_server, live_demo, page, axe_clean, language
):
    """R67: Grace (Daniel withdrew) meets a page that says what to do; axe-clean."""
    grace = personas.user("grace")
    grace.preferred_language = language
    grace.save(update_fields=["preferred_language"])
    personas.accept_agreement("grace")
    sign_in(page, live_server.url, "grace")
    page.wait_for_url(re.compile(r".*/portal/$"))
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1
    axe_clean(page)
