from django.urls import path

from homeroom.portal import notify_views, privacy_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("legend/", views.legend, name="legend"),
    path("students/<id:student_id>/attendance/", views.attendance, name="attendance"),
    path("students/<id:student_id>/schedule/", views.schedule, name="schedule"),
    path("students/<id:student_id>/grades/", views.grades, name="grades"),
    path("students/<id:student_id>/grades/<id:section_id>/", views.course, name="course"),
    path("students/<id:student_id>/disclosures/", views.disclosures, name="disclosures"),
    path("students/<id:student_id>/contacts/", views.contacts, name="contacts"),
    path("students/<id:student_id>/directory/", privacy_views.directory, name="directory"),
    path("students/<id:student_id>/consents/", privacy_views.consents, name="consents"),
    path(
        "students/<id:student_id>/consents/<id:consent_id>/",
        privacy_views.consent_answer,
        name="consent-answer",
    ),
    path("annual-notice/", privacy_views.annual_notice, name="annual-notice"),
    path("notifications/", notify_views.notifications, name="notifications"),
    path(
        "students/<id:student_id>/notifications/",
        notify_views.child_notifications,
        name="child-notifications",
    ),
]
