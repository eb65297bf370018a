from django.contrib import admin
from django.urls import include, path

from homeroom.accounts import views_signin
from homeroom.lib.health import health
from homeroom.portal import views as portal_views

urlpatterns = [
    path("", portal_views.route_home, name="home"),
    path("healthz", health, name="health"),
    path("accessibility/", portal_views.accessibility, name="accessibility"),
    path("", include("homeroom.portal.urls_public")),
    path("accounts/", include("homeroom.accounts.urls")),
    path("portal/", include("homeroom.portal.urls")),
    path("classroom/", include("homeroom.classroom.urls")),
    # One way in for everyone: the admin's own password-only form is replaced by the sign-in
    # pages, with throttling, the second factor and the audit log (R41, R44).
    path("admin/login/", views_signin.admin_sign_in),
    path("admin/", admin.site.urls),
]
