from django.apps import AppConfig


class SisConfig(AppConfig):
    name = "homeroom.sis"
    label = "sis"
    verbose_name = "Roster"
