from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class LibConfig(AppConfig):
    default = True
    name = "homeroom.lib"
    label = "lib"
    verbose_name = "Shared helpers"

    def ready(self) -> None:
        from homeroom.lib import converters

        converters.register()


class HomeroomAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the project's own site (lib.admin_site)."""

    default = False
    default_site = "homeroom.lib.admin_site.HomeroomAdminSite"
