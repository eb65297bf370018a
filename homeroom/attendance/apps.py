from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "homeroom.attendance"
    label = "attendance"
    verbose_name = "Attendance"
