"""Data leaving the district, in Chromium: the public privacy page and the annual notice, no
sign-in, at a phone's width; Maria (Spanish) and David (English) opt a category out and read
a request for consent with the keyboard alone; axe finds no WCAG 2.1 A/AA violation on any of
these pages in either language (R11, R10, R15, R55; R35, R36)."""

import re

import pytest

from homeroom.privacy.models import DirectoryOptOut
from tests import personas
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_public_privacy_pages_need_no_sign_in_and_are_axe_clean(
    live_server, live_demo, page, axe_clean, language
):
    page.set_viewport_size({"width": 320, "height": 720})
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/privacy/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1
    assert "Northwind Reading Co." in page.content()
    axe_clean(page)
    # No page of the district scrolls sideways on a small phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.goto(f"{live_server.url}/privacy/notice/")
    axe_clean(page)
    # Linked from the sign-in page's footer.
    page.goto(f"{live_server.url}/accounts/sign-in/")
    page.locator("footer a[href='/privacy/']").click()
    page.wait_for_url(re.compile(r".*/privacy/$"))


@pytest.mark.parametrize(("username", "language"), [("maria", "es"), ("david", "en")])
def test_a_parent_opts_out_and_reads_consents_by_keyboard(
    live_server, live_demo, page, axe_clean, username, language
):
    base = live_server.url
    sign_in(page, base, username)
    if "/accounts/agreement/" in page.url:
        page.locator("#id_accept").focus()
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/portal/$"))
    sofia = personas.child("sofia")
    page.goto(f"{base}/portal/students/{sofia.pk}/directory/")
    assert page.locator("html").get_attribute("lang") == language
    axe_clean(page)
    page.locator("#category-grade_level").focus()
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    axe_clean(page)
    assert DirectoryOptOut.objects.filter(
        student=sofia, category="grade_level", withdrawn_at__isnull=True
    ).exists()
    page.goto(f"{base}/portal/students/{sofia.pk}/consents/")
    assert "Connecticut State Summer Scholars Program" in page.content()
    axe_clean(page)
    page.goto(f"{base}/portal/annual-notice/")
    axe_clean(page)
