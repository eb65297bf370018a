from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "homeroom.portal"
    label = "portal"
    verbose_name = "Portal"
