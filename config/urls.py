from django.contrib import admin
from django.urls import include, path

from homeroom.portal import views as portal_views

urlpatterns = [
    path("", portal_views.route_home, name="home"),
    path("", include("homeroom.portal.urls_public")),
    path("accounts/", include("homeroom.accounts.urls")),
    path("portal/", include("homeroom.portal.urls")),
    path("classroom/", include("homeroom.classroom.urls")),
    path("admin/", admin.site.urls),
]
