"""Pages open without signing in: activating an account, reporting a security problem."""

from django.urls import path  # noqa: F401

app_name = "public"

urlpatterns: list = []
