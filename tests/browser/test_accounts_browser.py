"""Sign-in pages in Chromium: the session-timeout warning reached and used with the keyboard
(WCAG 2.2.1, R37), and axe finding no WCAG 2.1 A/AA violation on any page of the sign-in,
two-step verification, password, session and history flows, in English and Spanish (R35,
R38)."""

import datetime
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from homeroom.access import account_powers
from homeroom.accounts.models import User
from homeroom.audit.services import Actor
from tests import builders, personas
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "violet kettles hum at noon"


def account(username: str, language: str = "en", **fields) -> User:
    return builders.user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.org",
        first_name=username.title(),
        last_name="Tester",
        preferred_language=language,
        **fields,
    )


def focused_text(page) -> str:
    return " ".join((page.evaluate("document.activeElement.textContent") or "").split())


def server_idle_left(page, base: str) -> int:
    return page.context.request.get(f"{base}/accounts/session/status/").json()["idle_left"]


# Both clocks start here and are moved forward together: the browser's (Playwright's clock,
# which drives Date and the page's timers) and the server's (time_machine, which the live
# server's thread reads too). The district's own limits apply, not shortened ones.
START = datetime.datetime(2026, 11, 18, 15, 0, tzinfo=datetime.UTC)


class TwoClocks:
    def __init__(self, page, traveller) -> None:
        self.page = page
        self.traveller = traveller

    def forward(self, seconds: float) -> None:
        """The server first, so the page's timers that fire then ask a server already there."""
        self.traveller.shift(datetime.timedelta(seconds=seconds))
        self.page.clock.fast_forward(int(seconds * 1000))


@pytest.fixture
def clocks(page) -> Iterator[TwoClocks]:
    with time_machine.travel(START, tick=True) as traveller:
        page.clock.install(time=START)
        yield TwoClocks(page, traveller)


def test_the_timeout_warning_is_reached_and_used_with_the_keyboard(
    live_server, page, settings, axe_clean, clocks
):
    """R37: a warning before the inactivity limit, announced (alertdialog) with the focus on
    "Stay signed in"; Enter or Escape keep the session; left alone, the session ends and the
    sign-in page says why."""
    idle = settings.HOMEROOM_SESSION_IDLE_MINUTES * 60
    until_warning = idle - settings.HOMEROOM_SESSION_WARNING_SECONDS + 1
    base = live_server.url
    account("wanda")
    sign_in(page, base, "wanda", PASSWORD)
    page.goto(f"{base}/accounts/")
    dialog = page.get_by_role("alertdialog")
    assert not dialog.is_visible()

    clocks.forward(until_warning)
    dialog.wait_for(state="visible", timeout=5_000)
    assert "Are you still there?" in dialog.inner_text()
    assert focused_text(page) == "Stay signed in"
    axe_clean(page)
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden", timeout=5_000)
    assert server_idle_left(page, base) >= idle - 5

    clocks.forward(until_warning)
    dialog.wait_for(state="visible", timeout=5_000)
    assert focused_text(page) == "Stay signed in"
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden", timeout=5_000)
    assert server_idle_left(page, base) >= idle - 5

    # Tab stays within the dialog and reaches "Sign out now" too.
    clocks.forward(until_warning)
    dialog.wait_for(state="visible", timeout=5_000)
    page.keyboard.press("Tab")
    assert focused_text(page) == "Sign out now"
    clocks.forward(settings.HOMEROOM_SESSION_WARNING_SECONDS)
    page.wait_for_url(re.compile(r".*/accounts/sign-in/\?next=.*"), timeout=10_000)
    assert "You were signed out after" in page.content()
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_session_end_is_announced_before_the_fixed_limit(live_server, page, settings, clocks):
    """R37: the absolute limit cannot be extended; a notice says when it comes. The person
    stays active (a page every 15 minutes) until the notice, 5 minutes before the end. The
    district's shortest fixed limit (an hour) keeps the walk short."""
    settings.HOMEROOM_SESSION_ABSOLUTE_HOURS = 1
    absolute = 3600
    base = live_server.url
    account("abel")
    sign_in(page, base, "abel", PASSWORD)
    page.goto(f"{base}/accounts/")
    active_until = absolute - 300
    while active_until > 15 * 60:
        clocks.forward(15 * 60)
        page.goto(f"{base}/accounts/")
        active_until -= 15 * 60
    dialog = page.get_by_role("alertdialog")
    assert not dialog.is_visible()
    clocks.forward(active_until + 1)

    dialog.wait_for(state="visible", timeout=5_000)
    assert "Your session is about to end" in dialog.inner_text()
    assert focused_text(page) == "OK"
    page.keyboard.press("Enter")
    dialog.wait_for(state="hidden", timeout=5_000)
    clocks.forward(300)
    page.wait_for_url(re.compile(r".*/accounts/sign-in/.*"), timeout=10_000)
    assert "sessions last at most" in page.content()


def _sign_in_pages(page, base: str, axe_clean) -> None:
    page.goto(f"{base}/accounts/sign-in/")
    axe_clean(page)
    page.locator("#id_username").fill("nobody")
    page.locator("#id_password").fill("not the password")
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    axe_clean(page)
    # The show-password button, by keyboard.
    page.locator("#id_password").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "id_password"
    page.keyboard.press("Enter")
    assert page.locator("#id_password").get_attribute("type") == "text"
    axe_clean(page)
    page.goto(f"{base}/accounts/password-reset/")
    axe_clean(page)
    page.locator("#id_email").fill("nobody@example.org")
    page.locator("#id_email").press("Enter")
    page.wait_for_url(re.compile(r".*/password-reset/sent/$"))
    axe_clean(page)


def _lockout_page(page, base: str, axe_clean) -> None:
    for _ in range(5):
        page.goto(f"{base}/accounts/sign-in/")
        page.locator("#id_username").fill("lockme")
        page.locator("#id_password").fill("wrong wrong wrong")
        page.locator("#id_password").press("Enter")
        page.wait_for_load_state()
    assert page.locator(".error-summary").count() >= 1
    axe_clean(page)


def _reset_pages(page, base: str, user: User, axe_clean) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    page.goto(f"{base}/accounts/password-reset/{uid}/{token}/")
    page.wait_for_url(re.compile(r".*/set-password/$"))
    axe_clean(page)
    page.locator("#id_new_password1").fill("password1")
    page.locator("#id_new_password2").fill("password1")
    page.locator("#id_new_password2").press("Enter")
    page.wait_for_load_state()
    assert page.locator("#id_new_password1_error").count() == 1
    axe_clean(page)
    page.locator("#id_new_password1").fill(PASSWORD + " again")
    page.locator("#id_new_password2").fill(PASSWORD + " again")
    page.locator("#id_new_password2").press("Enter")
    page.wait_for_url(re.compile(r".*/password-reset/done/$"))
    axe_clean(page)
    page.goto(f"{base}/accounts/password-reset/{uid}/{token}/")
    axe_clean(page)  # the link works once: "This link does not work"


def _enrolment_pages(page, base: str, username: str, axe_clean) -> None:
    """A staff member without an authenticator: sent to set one up, with the code of the
    enrolment letter handed over in person (R49), then the codes."""
    letter = account_powers.enrolment_letter_issue(
        actor=Actor.system("test"),
        user=User.objects.get(username=username),
        reason="New member of staff, met in person",
    )
    page.goto(f"{base}/accounts/sign-in/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()
    page.goto(f"{base}/classroom/")
    page.wait_for_url(re.compile(r".*/two-step/set-up/.*"))
    axe_clean(page)
    page.locator("#id_letter").fill(letter.display)
    page.locator("#id_code").fill("000000")
    page.locator("#id_code").press("Enter")
    page.wait_for_load_state()
    axe_clean(page)
    page.locator("#id_letter").fill(letter.display)
    page.locator("#id_code").fill(personas.totp_code(User.objects.get(username=username)))
    page.locator("#id_code").press("Enter")
    page.wait_for_load_state()
    assert page.locator("ol.recovery-codes li").count() == 10
    axe_clean(page)
    page.locator("form[action$='/sign-out/'] button").first.click()
    page.wait_for_load_state()


def _signed_in_pages(page, base: str, username: str, axe_clean) -> None:
    user = User.objects.get(username=username)
    page.goto(f"{base}/accounts/sign-in/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r".*/sign-in/code/$"))
    axe_clean(page)
    page.locator("#id_code").fill("123")
    page.locator("#id_code").press("Enter")
    page.wait_for_load_state()
    axe_clean(page)
    page.locator("#id_code").fill(personas.totp_code(user))
    page.locator("#id_code").press("Enter")
    page.wait_for_load_state()
    for path in [
        "/accounts/",
        "/accounts/sessions/",
        "/accounts/history/",
        "/accounts/password/",
        "/accounts/email/",
        "/accounts/two-step/recovery-codes/",
        "/accounts/two-step/remove/",
        "/accounts/confirm/?next=/accounts/",
    ]:
        page.goto(base + path)
        assert page.locator("h1").count() == 1, path
        axe_clean(page)
    page.goto(f"{base}/accounts/password/")
    page.locator("#id_new_password1").fill("short")
    page.locator("#id_new_password2").fill("different")
    page.locator("#id_new_password2").press("Enter")
    page.wait_for_load_state()
    axe_clean(page)
    page.goto(f"{base}/accounts/two-step/recovery-codes/")
    page.get_by_role("button", name=re.compile("10")).click()
    page.wait_for_load_state()
    assert page.locator("ol.recovery-codes li").count() == 10
    axe_clean(page)


@pytest.mark.parametrize("language", ["en", "es"])
def test_axe_finds_nothing_on_any_page_of_the_sign_in_flows(live_server, page, axe_clean, language):
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    family = account("fiona", language)
    personas.authenticator(family)
    teacher = account("teo", language)
    builders.staff(user=teacher)

    _sign_in_pages(page, base, axe_clean)
    assert page.locator("html").get_attribute("lang") == language
    _lockout_page(page, base, axe_clean)
    _reset_pages(page, base, family, axe_clean)
    family.set_password(PASSWORD)
    family.save()
    _enrolment_pages(page, base, "teo", axe_clean)
    _signed_in_pages(page, base, "fiona", axe_clean)
    assert page.locator("html").get_attribute("lang") == language
    assert len(axe_clean.pages_checked) >= 25
