"""Open to everyone, without signing in."""

from django.urls import path

from homeroom.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.transparency, name="transparency"),
    path("notice/", views.annual_notice, name="annual-notice"),
]
