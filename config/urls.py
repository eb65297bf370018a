from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from homeroom.accounts import views_signin
from homeroom.lib.health import health
from homeroom.portal import views as portal_views

urlpatterns = [
    path("", portal_views.route_home, name="home"),
    path("healthz", health, name="health"),
    path("accessibility/", portal_views.accessibility, name="accessibility"),
    path("privacy/", include("homeroom.privacy.urls")),
    path("", include("homeroom.portal.urls_public")),
    path("accounts/", include("homeroom.accounts.urls")),
    path("portal/", include("homeroom.portal.urls")),
    path("classroom/", include("homeroom.classroom.urls")),
    # One way in for everyone: the admin's own password-only form is replaced by the sign-in
    # pages, with throttling, the second factor and the audit log (R41, R44).
    path("admin/login/", views_signin.admin_sign_in),
    # The admin's own password form would skip re-authentication and the audit log: the
    # project's page has both (R48).
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="accounts:password-change", permanent=False),
    ),
    path(
        "admin/password_change/done/",
        RedirectView.as_view(pattern_name="accounts:account", permanent=False),
    ),
    path("admin/", admin.site.urls),
]
