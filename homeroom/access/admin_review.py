"""Oversight of staff access (R12): reads with a stated reason ("break-glass"), listed for
the district administrators; and the periodic review of every staff account, confirmed or
revoked one by one."""

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from homeroom.access import staff_review
from homeroom.access.models import BreakGlassRead, StaffAccessReview
from homeroom.access.requests import request_actor
from homeroom.accounts.models import User
from homeroom.accounts.views_security import reauth_needed
from homeroom.audit.admin import NoDeleteMixin, StudentReadsMixin
from homeroom.lib import clock


class _ReadOnly(NoDeleteMixin, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BreakGlassRead)
class BreakGlassReadAdmin(StudentReadsMixin, _ReadOnly):
    """Who opened a record outside their own students, when, and why (the weekly report's
    link lands here)."""

    list_display = ["opened_at", "user", "student", "reason", "expires_at"]
    list_filter = [("opened_at", admin.DateFieldListFilter)]
    list_select_related = ["user", "student"]
    search_fields = ["user__username", "student__local_id", "student__legal_last_name"]
    ordering = ["-opened_at"]
    fields = ("opened_at", "expires_at", "user", "student", "reason", "request_id")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request)
        since = request.GET.get("opened_at__gte")
        return queryset.filter(opened_at__date__gte=since) if since else queryset

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        return lookup == "opened_at__gte" or super().lookup_allowed(lookup, value, request)


@admin.register(StaffAccessReview)
class StaffAccessReviewAdmin(_ReadOnly):
    """The decisions taken; the review itself is the "Review staff access" page."""

    list_display = ["reviewed_at", "user", "decision", "reviewed_by", "note"]
    list_filter = ["decision", ("reviewed_at", admin.DateFieldListFilter)]
    list_select_related = ["user", "reviewed_by"]
    search_fields = ["user__username", "user__last_name"]
    ordering = ["-reviewed_at"]
    fields = ("reviewed_at", "user", "decision", "note", "summary", "reviewed_by")
    readonly_fields = fields
    change_list_template = "admin/access/staffaccessreview/change_list.html"

    def get_urls(self) -> list[Any]:
        return [
            path(
                "review/",
                self.admin_site.admin_view(self.review_view),
                name="access_staffaccessreview_review",
            ),
            path(
                "review/<id:user_id>/",
                self.admin_site.admin_view(self.decide_view),
                name="access_staffaccessreview_decide",
            ),
            *super().get_urls(),
        ]

    def _may_review(self, request: HttpRequest) -> bool:
        return request.user.has_perm("access.add_staffaccessreview")

    def review_view(self, request: HttpRequest) -> HttpResponse:
        if not self._may_review(request):
            raise PermissionDenied
        days = settings.HOMEROOM_ACCESS_REVIEW_DAYS
        rows = staff_review.review_rows(clock.today(), days)
        return TemplateResponse(
            request,
            "admin/access/staffaccessreview/review.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Review staff access"),
                "opts": self.model._meta,
                "rows": rows,
                "days": days,
            },
        )

    def decide_view(self, request: HttpRequest, user_id: int) -> HttpResponse:
        if not self._may_review(request) or request.method != "POST":
            raise PermissionDenied
        # Revoking or confirming access is a decision over staff powers: confirm it is you.
        needed = reauth_needed(request, next_url=self._review_url())
        if needed is not None:
            return needed
        user = get_object_or_404(User, pk=user_id)
        note = request.POST.get("note", "")
        decision = request.POST.get("decision")
        reviewer: User = request.user  # type: ignore[assignment]
        try:
            if decision == StaffAccessReview.Decision.REVOKED:
                staff_review.access_revoke(
                    actor=request_actor(request), reviewed_by=reviewer, user=user, note=note
                )
                messages.success(request, _("Access revoked: %(user)s") % {"user": user})
            elif decision == StaffAccessReview.Decision.CONFIRMED:
                staff_review.access_confirm(
                    actor=request_actor(request), reviewed_by=reviewer, user=user, note=note
                )
                messages.success(request, _("Access confirmed: %(user)s") % {"user": user})
            else:
                messages.error(request, _("Choose to confirm or to revoke."))
        except (ValidationError, PermissionDenied) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, text)
        return redirect(self._review_url())

    @staticmethod
    def _review_url() -> str:
        from django.urls import reverse

        return reverse("admin:access_staffaccessreview_review")
