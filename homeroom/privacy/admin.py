"""The privacy app's admin, by subject."""

from homeroom.privacy import admin_contracts, admin_family  # noqa: F401
