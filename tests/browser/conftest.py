"""Browser tests: Debian's Chromium driven by Playwright against the live test server, with
axe-core checking WCAG 2.1 A and AA on every page a test visits."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from tests import personas
from tests.personas import PASSWORD

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = pytest.mark.browser


class AxeCheck:
    def __init__(self) -> None:
        self.axe = Axe()
        self.pages_checked: list[str] = []

    def __call__(self, page) -> None:
        """Assert zero WCAG 2.1 A/AA violations on the page as it stands."""
        results = self.axe.run(
            page,
            options={
                "runOnly": {"type": "tag", "values": WCAG_TAGS},
                "resultTypes": ["violations"],
            },
        )
        violations = results.response["violations"]
        described = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:3])
            for v in violations
        ]
        assert not violations, f"axe on {page.url}:\n" + "\n".join(described)
        self.pages_checked.append(page.url)


@pytest.fixture
def axe_clean() -> AxeCheck:
    return AxeCheck()


def sign_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the sign-in page with the keyboard, as a person would; then the code
    from the authenticator, when the account has one (staff always do, R41)."""
    account = personas.user(username)
    if personas.must_use_mfa(account):
        personas.authenticator(account)
    page.goto(f"{base_url}/accounts/sign-in/")
    page.get_by_label("Username").fill(username) if page.get_by_label("Username").count() else (
        page.locator("#id_username").fill(username)
    )
    page.locator("#id_password").fill(password)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()
    if "/accounts/sign-in/code/" in page.url:
        page.locator("#id_code").fill(personas.totp_code(account))
        page.locator("#id_code").press("Enter")
        page.wait_for_load_state()


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "locale": "en-US"}


@pytest.fixture
def staff_page(browser, live_server):
    """A page signed in as a member of staff; its browser context closes with the test, so
    nothing it runs outlives the test."""
    contexts = []

    def open_as(username: str, **options):
        client = personas.sign_in(Client(), username)
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(locale="en-US", **options)
        contexts.append(context)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        return context.new_page()

    yield open_as
    for context in contexts:
        context.close()
