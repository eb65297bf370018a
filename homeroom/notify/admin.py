"""The delivery record and the notice subscriptions in the admin, read-only, for the staff who
oversee school notices (the registrar and the district administrator: access.roles). Written
by the workers and by the portal's and the office's pages, never here.

Each list is one query for its rows, however many (`list_select_related`), and every row that
names a student writes a staff read for that student (StudentReadsMixin, R50): a message's
subject and text name the children it tells about."""

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from homeroom.audit.admin import NoDeleteMixin, StudentReadsMixin
from homeroom.notify.models import Kind, Message, NoticeSubscription


class _ReadOnly(StudentReadsMixin, NoDeleteMixin, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(_ReadOnly):
    """Each mail to one person: to whom, about what, when, and how its delivery went."""

    list_display = ["queued_at", "recipient", "address", "about", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "digest", ("queued_at", admin.DateFieldListFilter)]
    list_select_related = ["recipient", "notice"]
    search_fields = ["address", "recipient__username", "recipient__last_name", "subject"]
    ordering = ["-queued_at", "-pk"]
    date_hierarchy = "queued_at"
    show_full_result_count = False
    fields = (
        "recipient",
        "guardian",
        "address",
        "language",
        "kind",
        "digest",
        "notice",
        "students",
        "subject",
        "body",
        "link",
        "queued_at",
        "not_before",
        "status",
        "attempts",
        "sent_at",
        "last_error",
        "key",
    )
    readonly_fields = fields

    def audit_read_student_ids(self, obj: models.Model, page: str) -> Iterable[int]:
        assert isinstance(obj, Message)
        return list(obj.students)

    @admin.display(description=_("about"))
    def about(self, obj: Message) -> str:
        if obj.notice is not None:
            return f"{obj.notice.get_category_display()}: {obj.notice.subject}"
        if obj.digest:
            return str(_("Daily summary") if obj.digest == "daily" else _("Weekly summary"))
        return str(Kind(obj.kind).label) if obj.kind in Kind.values else obj.kind


@admin.register(NoticeSubscription)
class NoticeSubscriptionAdmin(_ReadOnly):
    """Non-residential parents' requests for the school's notices (R20): who, for which child
    and school, through the portal or the registrar, and when and why each ended."""

    list_display = [
        "guardian",
        "student",
        "school",
        "source",
        "started_at",
        "started_by",
        "ended_at",
        "end_reason",
    ]
    list_filter = ["source", "end_reason", ("ended_at", admin.EmptyFieldListFilter), "school"]
    list_select_related = ["guardian", "student", "school", "started_by"]
    search_fields = [
        "guardian__last_name",
        "student__legal_last_name",
        "student__preferred_last_name",
        "student__local_id",
    ]
    ordering = ["-started_at", "-pk"]
    fields = (
        "guardian",
        "student",
        "school",
        "source",
        "started_at",
        "started_by",
        "ended_at",
        "end_reason",
        "ended_by",
    )
    readonly_fields = fields
