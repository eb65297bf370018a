"""Pages open without signing in: activating an account, reporting a security problem."""

from django.urls import path

from homeroom.portal import activation_views, notify_views, report_views

app_name = "public"

urlpatterns = [
    path("activate/", activation_views.create_account, name="activate"),
    path("activate/add-child/", activation_views.add_child, name="add-child"),
    path("security/report/", report_views.report, name="security-report"),
    path(
        "security/report/received/",
        report_views.report_received,
        name="security-report-received",
    ),
    path("unsubscribe/<str:token>/", notify_views.unsubscribe, name="unsubscribe"),
    path(".well-known/security.txt", report_views.security_txt, name="security-txt"),
]
