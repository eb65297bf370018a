from django.apps import AppConfig


class GradebookConfig(AppConfig):
    name = "homeroom.gradebook"
    label = "gradebook"
    verbose_name = "Grade book"
