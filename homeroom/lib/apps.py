from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "homeroom.lib"
    label = "lib"
    verbose_name = "Shared helpers"
