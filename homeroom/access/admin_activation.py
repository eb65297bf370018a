"""Activation codes and letters in the admin (R14): codes are issued from the guardian links
("Issue activation letters") and looked up and revoked here. Every write goes through
`access.activation`, which checks the role and writes the audit event; nothing is deleted.

Imported at the end of `access.admin`.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from homeroom.access import activation, letters
from homeroom.access.models import ActivationCode
from homeroom.access.requests import request_actor
from homeroom.audit.admin import NoDeleteMixin
from homeroom.lib import clock
from homeroom.lib.site import site_url
from homeroom.sis.admin import GuardianLinkAdmin
from homeroom.sis.models import GuardianLink

_actor = request_actor


CODE_FIELDS = (
    "link",
    "issued_by",
    "issued_at",
    "expires_at",
    "redeemed_at",
    "redeemed_by",
    "revoked_at",
    "revoked_by",
)


class CodeStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("usable", _("Not used yet")),
            ("used", _("Used")),
            ("revoked", _("Revoked")),
            ("expired", _("Expired unused")),
        ]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        now = clock.now()
        unused = queryset.filter(redeemed_at__isnull=True, revoked_at__isnull=True)
        return {
            "usable": unused.filter(expires_at__gt=now),
            "used": queryset.filter(redeemed_at__isnull=False),
            "revoked": queryset.filter(revoked_at__isnull=False),
            "expired": unused.filter(expires_at__lte=now),
        }.get(self.value() or "", queryset)


@admin.register(ActivationCode)
class ActivationCodeAdmin(NoDeleteMixin, admin.ModelAdmin):
    """The codes issued, for looking up and revoking. A code is issued from the guardian
    links ("Issue activation letters"); its plain text is on the letter only."""

    list_display = [
        "link",
        "issued_at",
        "expires_at",
        "redeemed_at",
        "revoked_at",
        "issued_by",
    ]
    list_filter = [CodeStateFilter, "issued_at"]
    list_select_related = ["link__guardian", "link__student", "issued_by"]
    search_fields = [
        "link__guardian__last_name",
        "link__guardian__first_name",
        "link__student__legal_last_name",
        "^link__student__local_id",
    ]
    search_help_text = _("A guardian's or student's last name, or a student's local id.")
    date_hierarchy = "issued_at"
    ordering = ["-issued_at"]
    fields = CODE_FIELDS
    readonly_fields = CODE_FIELDS
    actions = ["revoke_codes"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return activation.may_issue(request.user)  # type: ignore[arg-type]

    @admin.action(description=_("Revoke the selected codes"), permissions=["revoke"])
    def revoke_codes(self, request: HttpRequest, queryset: Any) -> None:
        revoked = used = 0
        for code in queryset.filter(revoked_at__isnull=True):
            if code.redeemed_at is not None:
                used += 1
                continue
            activation.code_revoke(
                actor=_actor(request),
                revoked_by=request.user,  # type: ignore[arg-type]
                code=code,
            )
            revoked += 1
        messages.success(
            request,
            ngettext("%(n)d code revoked.", "%(n)d codes revoked.", revoked) % {"n": revoked},
        )
        if used:
            messages.warning(
                request,
                ngettext(
                    "%(n)d code was already used and stays used.",
                    "%(n)d codes were already used and stay used.",
                    used,
                )
                % {"n": used},
            )


# Guardian links live in `sis`, which sits below `access` and may not import it: the action
# that issues codes is added here, to the roster's own admin for the links.
admin.site.unregister(GuardianLink)


@admin.register(GuardianLink)
class GuardianLinkWithLettersAdmin(GuardianLinkAdmin):
    actions = ["issue_activation_letters"]

    def has_issue_codes_permission(self, request: HttpRequest) -> bool:
        return activation.may_issue(request.user)  # type: ignore[arg-type]

    @admin.action(description=_("Issue activation letters"), permissions=["issue_codes"])
    def issue_activation_letters(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        """First a page that lists what will happen; then codes, and the letters as one
        PDF (a page per letter) or as HTML to print."""
        today = clock.today()
        links = list(queryset.select_related("guardian", "student").order_by("pk"))
        problems = {link.pk: activation.issue_problem(link, today) for link in links}
        ready = [link for link in links if not problems[link.pk]]
        chosen = request.POST.get("letters")
        if chosen in {"pdf", "html"} and ready:
            try:
                issued = activation.codes_issue(
                    actor=_actor(request),
                    issued_by=request.user,  # type: ignore[arg-type]
                    links=ready,
                )
            except (ValidationError, PermissionDenied) as refusal:
                # A link changed since the list was shown: nothing was issued.
                messages.error(request, "; ".join(getattr(refusal, "messages", [str(refusal)])))
                return None
            return _letters_response(request, letters.letters_for(issued, today), chosen)
        return TemplateResponse(
            request,
            "admin/access/issue_letters.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Issue activation letters"),
                "opts": self.model._meta,
                "rows": [(link, problems[link.pk]) for link in links],
                "ready_count": len(ready),
                "last_day": activation.code_last_day(today),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "selected": [link.pk for link in links],
            },
        )


def _letters_response(
    request: HttpRequest, ready: list[letters.Letter], chosen: str
) -> HttpResponse:
    addresses = letters.Addresses(
        activate=site_url() + reverse("public:activate"),
        add_child=site_url() + reverse("public:add-child"),
        report=site_url() + reverse("public:security-report"),
    )
    if chosen == "pdf":
        response = HttpResponse(
            letters.letters_pdf(ready, addresses), content_type="application/pdf"
        )
        stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="activation-letters-{stamp}.pdf"'
    else:
        response = HttpResponse(letters.letters_html(ready, addresses))
    # The codes exist only in this response: no cache may keep a copy.
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response
