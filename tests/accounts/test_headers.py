"""Security headers on every kind of page (R52, R59), and Django's deployment check clean
under production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests import personas

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def assert_strict(response, *, signed_in: bool) -> None:
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    if signed_in:
        assert "no-store" in response["Cache-Control"]


def test_public_pages_send_a_strict_policy(client):
    for url in [
        reverse("accounts:sign-in"),
        reverse("accounts:password-reset"),
        reverse("accounts:password-reset-sent"),
    ]:
        assert_strict(client.get(url), signed_in=False)


def test_every_kind_of_signed_in_page_is_strict_and_never_stored(demo, client):
    """R52: CSP without inline script or style, no framing, Cache-Control: no-store."""
    personas.sign_in(client, "maria")
    sofia = personas.child("sofia")
    urls = [
        reverse("portal:home"),
        reverse("portal:grades", args=[sofia.pk]),
        reverse("accounts:account"),
        reverse("accounts:sessions"),
        reverse("accounts:history"),
        reverse("accounts:password-change"),
        reverse("accounts:mfa-setup"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response, signed_in=True)
        page = response.content.decode()
        assert "<script>" not in page and " style=" not in page and "<style" not in page, url
    keep_alive = client.post(reverse("accounts:session-keep-alive"))
    assert_strict(keep_alive, signed_in=True)


def test_staff_pages_and_the_admin_are_strict_too(demo, client):
    personas.sign_in(client, "pat")
    for url in ["/admin/", reverse("accounts:account")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response, signed_in=True)


def test_manage_check_deploy_is_clean_in_production():
    """R52: HSTS, Secure cookies, SSL redirect and the rest, as `check --deploy` sees them."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HOMEROOM_", "DJANGO_"))},
        "HOMEROOM_ENV": "production",
        "SECRET_KEY": "x" * 20 + "-a-long-random-production-key-for-the-check-0123456789",
        "ALLOWED_HOSTS": "portal.example.org",
        "HOMEROOM_SMTP_HOST": "smtp.example.org",
        "HOMEROOM_SITE_URL": "https://portal.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
