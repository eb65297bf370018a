from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "homeroom.demo"
    label = "demo"
    verbose_name = "Demo"
