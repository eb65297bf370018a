from django.urls import path

from homeroom.classroom import notice_views, subscription_views, views

app_name = "classroom"

urlpatterns = [
    path("", views.home, name="home"),
    path("sections/<id:section_id>/attendance/", views.attendance, name="attendance"),
    path("sections/<id:section_id>/gradebook/", views.gradebook, name="gradebook"),
    path("sections/<id:section_id>/gradebook/setup/", views.setup, name="setup"),
    path(
        "sections/<id:section_id>/gradebook/assignments/new/",
        views.assignment_new,
        name="assignment-new",
    ),
    path(
        "sections/<id:section_id>/gradebook/assignments/<id:assignment_id>/",
        views.assignment,
        name="assignment",
    ),
    path(
        "sections/<id:section_id>/gradebook/assignments/<id:assignment_id>/edit/",
        views.assignment_edit,
        name="assignment-edit",
    ),
    path(
        "sections/<id:section_id>/gradebook/assignments/<id:assignment_id>/mark-missing/",
        views.mark_missing,
        name="mark-missing",
    ),
    path("sections/<id:section_id>/history/", views.history, name="history"),
    path("office/", views.office, name="office"),
    path("notices/", notice_views.notices_page, name="notices"),
    path("notices/<id:notice_id>/", notice_views.notice, name="notice"),
    path("subscriptions/", subscription_views.subscriptions, name="subscriptions"),
    path(
        "subscriptions/students/<id:student_id>/",
        subscription_views.student_subscriptions,
        name="student-subscriptions",
    ),
    path("office/students/<id:student_id>/", views.office_student, name="office-student"),
    path("students/<id:student_id>/", views.student, name="student"),
    path("caseload/", views.caseload, name="caseload"),
]
