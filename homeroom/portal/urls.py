from django.urls import path

from homeroom.portal import notify_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("legend/", views.legend, name="legend"),
    path("students/<int:student_id>/attendance/", views.attendance, name="attendance"),
    path("students/<int:student_id>/schedule/", views.schedule, name="schedule"),
    path("students/<int:student_id>/grades/", views.grades, name="grades"),
    path("students/<int:student_id>/grades/<int:section_id>/", views.course, name="course"),
    path("students/<int:student_id>/disclosures/", views.disclosures, name="disclosures"),
    path("students/<int:student_id>/contacts/", views.contacts, name="contacts"),
    path("notifications/", notify_views.notifications, name="notifications"),
    path(
        "students/<int:student_id>/notifications/",
        notify_views.child_notifications,
        name="child-notifications",
    ),
]
