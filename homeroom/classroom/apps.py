from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    name = "homeroom.classroom"
    label = "classroom"
    verbose_name = "Classroom"
