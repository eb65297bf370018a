"""From the letter's code to the first portal page, in Chromium (R14, R35, R38, R71, R73).

The registrar issues a letter in the admin for a guardian link that was never activated
and reads the code off it; the guardian opens the activation page, mistypes the code once,
creates the account with it, accepts the agreement and lands on the portal showing the
child. axe finds no WCAG 2.1 A/AA violation on any page of the way, the printed letter
included, in English and in Spanish, nor on the security report pages."""

import re

import pytest

from homeroom.accounts.models import User
from homeroom.sis.models import GuardianLink
from tests.activation_support import (
    NEW_PASSWORD,
    agreement_published,
    new_family,
    waiting_link,
)
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _create_account(page, axe_clean, *, email: str, code: str, language: str) -> None:
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1
    axe_clean(page)
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    # "Show the password" appears with JavaScript and unmasks both fields.
    toggle = page.locator("#show-password")
    assert toggle.is_visible()
    toggle.check()
    assert page.locator("#id_password1").get_attribute("type") == "text"
    toggle.uncheck()
    assert page.locator("#id_password1").get_attribute("type") == "password"

    # A slip first: one character wrong. The page says so, keeps what was typed, and is
    # still free of violations with its errors showing.
    wrong = ("Z" if code[0] != "Z" else "Y") + code[1:]
    page.locator("#id_code_1").fill(wrong.lower())
    page.locator("#id_code_1").press("Enter")
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#id_code_1-error").is_visible()
    assert page.locator("#id_email").input_value() == email
    assert page.locator("#id_password1").input_value() == ""
    axe_clean(page)

    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.locator("#id_code_1").fill(code.lower().replace("-", " "))
    page.locator("button[type=submit].button--primary").click()
    page.wait_for_url(re.compile(r".*/accounts/agreement/.*"))


def _accept_agreement_and_see(page, axe_clean, child_name: str, language: str) -> None:
    assert page.locator("html").get_attribute("lang") == language
    axe_clean(page)
    page.locator("#id_accept").check()
    page.locator("#id_accept").press("Enter")
    # Then this school year's notice of rights, once (R15).
    page.wait_for_url(re.compile(r".*/portal/annual-notice/.*"))
    assert page.locator("html").get_attribute("lang") == language
    axe_clean(page)
    page.locator("main form button").press("Enter")
    page.wait_for_url(re.compile(r".*/portal/$"))
    assert page.locator("html").get_attribute("lang") == language
    assert child_name in page.content()
    axe_clean(page)


def _issue_through_the_admin(
    page, axe_clean, base: str, link: GuardianLink, language: str = "en"
) -> str:
    """The registrar picks the link in the admin, issues its letter as a page to print,
    and reads the code off the letter."""
    sign_in(page, base, "pat")
    page.goto(f"{base}/admin/sis/guardianlink/?q={link.guardian.last_name}")
    page.locator(f"input[name=_selected_action][value='{link.pk}']").check()
    page.locator("select[name=action]").select_option("issue_activation_letters")
    page.locator("button[name=index], input[name=index]").first.click()
    page.wait_for_load_state()
    assert "Will be issued" in page.content()
    page.locator("button[name=letters][value=html]").click()
    page.wait_for_load_state()
    letter = page.locator("article.letter")
    assert letter.count() == 1 and letter.get_attribute("lang") == language
    axe_clean(page)
    code = page.locator(".letter__code-value").inner_text().strip()
    page.context.clear_cookies()
    return code


def test_from_the_letters_code_to_the_first_portal_page_in_english(
    live_server, live_demo, page, axe_clean
):
    agreement_published()
    link = waiting_link()
    base = live_server.url
    code = _issue_through_the_admin(page, axe_clean, base, link)

    page.goto(f"{base}/activate/")
    _create_account(page, axe_clean, email="jennifer.brooks@example.org", code=code, language="en")
    _accept_agreement_and_see(page, axe_clean, "Emma Brooks", "en")
    link.refresh_from_db()
    assert link.portal_status == GuardianLink.PortalStatus.ACTIVE
    assert link.guardian.user == User.objects.get(username="jennifer.brooks@example.org")

    # The signed-in guardian's "Add a child" page, and the security report pages.
    page.goto(f"{base}/activate/add-child/")
    assert page.locator("h1").count() == 1
    axe_clean(page)
    _report_a_problem(page, axe_clean, base)
    assert len(axe_clean.pages_checked) == 9


def test_from_the_letters_code_to_the_first_portal_page_in_spanish(
    live_server, live_demo, page, axe_clean
):
    agreement_published()
    _guardian, (link,) = new_family(1, language="es", last_name="Colon")
    base = live_server.url
    code = _issue_through_the_admin(page, axe_clean, base, link, language="es")

    page.goto(f"{base}/activate/")
    # The guardian switches the page to Spanish with the button in the header.
    page.get_by_role("button", name="Español").click()
    page.wait_for_load_state()
    _create_account(page, axe_clean, email="ana.colon@example.org", code=code, language="es")
    user = User.objects.get(username="ana.colon@example.org")
    assert user.preferred_language == "es"
    _accept_agreement_and_see(page, axe_clean, link.student.display_name, "es")
    assert len(axe_clean.pages_checked) == 6


def _report_a_problem(page, axe_clean, base: str) -> None:
    page.goto(f"{base}/")
    page.locator("footer a", has_text="Report a security problem").click()
    page.wait_for_url(re.compile(r".*/security/report/$"))
    axe_clean(page)
    page.locator("#id_description").fill("I could see a page that was not mine.")
    page.locator("button[type=submit].button--primary").click()
    page.wait_for_url(re.compile(r".*/security/report/received/$"))
    assert re.search(r"SR-\d{4}-\d{6}", page.content())
    axe_clean(page)


def test_the_security_report_pages_signed_out_are_accessible(live_server, page, axe_clean):
    base = live_server.url
    page.goto(f"{base}/security/report/")
    # Sent empty: the error summary and the field's error, still without violations.
    page.locator("button[type=submit].button--primary").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    axe_clean(page)
    _report_a_problem(page, axe_clean, base)
