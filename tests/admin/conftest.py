import pytest

from tests import personas


@pytest.fixture
def admin_client(client, admin_user):
    """A superuser whose session has verified its authenticator: staff reach the admin only
    after MFA (R41), so the admin tests start past that step."""
    client.force_login(admin_user)
    return personas.mfa_verified(client, admin_user)
