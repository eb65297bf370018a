from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "homeroom.interop"
    label = "interop"
    verbose_name = "OneRoster interchange"
