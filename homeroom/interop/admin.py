"""OneRoster import in the admin: upload a package, see what it would change (the dry run),
then confirm. For superusers, the registrar and district administrators.

Both the check and the import stream their progress into the page as they go, so a long
import shows where it stands without any script; the report follows on the same page.
The uploaded package is kept only until it is imported or refused.
"""

import html
from collections.abc import Callable, Iterator
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homeroom.access import roles
from homeroom.access.requests import request_actor
from homeroom.interop.importer import Report, import_steps
from homeroom.interop.models import ImportRun
from homeroom.lib import clock, oneroster

IMPORTING_GROUPS = (roles.REGISTRAR, roles.DISTRICT_ADMINISTRATOR)
PROGRESS_MARK = "<!-- progress -->"
MAX_SHOWN_PROBLEMS = 500


def may_import(user: Any) -> bool:
    """Who may import a district's roster: the people who keep it."""
    if not (user.is_active and user.is_staff):
        return False
    return bool(user.is_superuser or user.groups.filter(name__in=IMPORTING_GROUPS).exists())


_actor = request_actor


class UploadForm(forms.Form):
    package = forms.FileField(
        label=gettext_lazy("OneRoster 1.2 CSV package (.zip)"),
        help_text=gettext_lazy(
            "A zip of manifest.csv and the CSV files, as the student information system "
            "exports it. Nothing is imported before you confirm."
        ),
    )


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["filename", "uploaded_at", "uploaded_by", "status", "imported_at"]
    list_filter = ["status"]
    list_select_related = ["uploaded_by"]
    fields = ("filename", "size", "uploaded_by", "uploaded_at", "status", "imported_at")
    readonly_fields = fields

    # --- Who may see and do what

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_import(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_import(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_import(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # --- Pages

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        own = [
            path("<id:pk>/check/", wrap(self.check_view), name="interop_importrun_check"),
            path("<id:pk>/import/", wrap(self.import_view), name="interop_importrun_import"),
        ]
        return own + super().get_urls()

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """Upload a package; it is checked on the next page, and imported only on confirmation."""
        if not may_import(request.user):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["package"]
            run = ImportRun.objects.create(
                filename=upload.name[:255],
                size=upload.size,
                package=upload.read(),
                uploaded_by=request.user,  # type: ignore[misc]
                uploaded_at=clock.now(),
                status=ImportRun.Status.CHECKED,
            )
            return HttpResponseRedirect(reverse("admin:interop_importrun_check", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import a OneRoster package"),
            "form": form,
            "files": ", ".join(f"{name}.csv" for name in oneroster.SPECS),
        }
        return TemplateResponse(request, "admin/interop/importrun/upload.html", context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        run = get_object_or_404(ImportRun, pk=object_id)
        if not may_import(request.user):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(run),
            "run": run,
            "report": _report_context(run.report),
        }
        return TemplateResponse(request, "admin/interop/importrun/detail.html", context)

    def check_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        """The dry run, streamed: progress first, then what would change, and the button."""
        run = self.waiting_run(request, pk)
        if run is None:
            return HttpResponseRedirect(reverse("admin:interop_importrun_change", args=[pk]))

        def finish(report: Report) -> None:
            run.report = report.as_dict()
            run.status = ImportRun.Status.CHECKED if report.ok else ImportRun.Status.REFUSED
            if not report.ok:
                run.package = b""
            run.save(update_fields=["report", "status", "package"])

        title = _("Checking %(file)s") % {"file": run.filename}
        return self.stream(request, run, title, dry_run=True, finish=finish)

    def import_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        """The import itself, after the dry run was confirmed; the package is then dropped."""
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:interop_importrun_check", args=[pk]))
        run = self.waiting_run(request, pk)
        if run is None:
            return HttpResponseRedirect(reverse("admin:interop_importrun_change", args=[pk]))

        def finish(report: Report) -> None:
            run.report = report.as_dict()
            run.status = ImportRun.Status.IMPORTED if report.imported else ImportRun.Status.FAILED
            run.imported_at = clock.now() if report.imported else None
            run.package = b""
            run.save(update_fields=["report", "status", "imported_at", "package"])

        title = _("Importing %(file)s") % {"file": run.filename}
        return self.stream(request, run, title, dry_run=False, finish=finish)

    def waiting_run(self, request: HttpRequest, pk: int) -> ImportRun | None:
        if not may_import(request.user):
            raise PermissionDenied
        run = get_object_or_404(ImportRun, pk=pk)
        if run.status != ImportRun.Status.CHECKED or not run.package:
            return None
        return run

    def stream(
        self,
        request: HttpRequest,
        run: ImportRun,
        title: str,
        *,
        dry_run: bool,
        finish: Callable[[Report], None],
    ) -> StreamingHttpResponse:
        """The page, sent as the work goes: its top, a line per step, then the report."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "run": run,
            "progress_mark": PROGRESS_MARK,
        }
        page = render_to_string("admin/interop/importrun/progress.html", context, request=request)
        head, tail = page.split(PROGRESS_MARK, 1)
        package = bytes(run.package)
        actor = _actor(request)

        def chunks() -> Iterator[str]:
            yield head
            yield '<ol class="interop-progress">'
            lines: list[str] = []
            steps = import_steps(package, actor=actor, dry_run=dry_run, progress=lines.append)
            while True:
                try:
                    next(steps)
                    done = None
                except StopIteration as stop:
                    done = stop.value
                for line in lines:
                    yield f"<li>{html.escape(line)}</li>\n"
                lines.clear()
                if done is not None:
                    break
            yield "</ol>"
            finish(done)
            yield render_to_string(
                "admin/interop/importrun/_report.html",
                {"run": run, "report": _report_context(done.as_dict()), "opts": self.opts},
                request=request,
            )
            yield tail

        response = StreamingHttpResponse(chunks(), content_type="text/html; charset=utf-8")
        add_never_cache_headers(response)
        patch_cache_control(response, no_store=True, private=True)
        return response


def _report_context(report: dict[str, Any]) -> dict[str, Any]:
    counts = report.get("counts", {})
    rows = [
        {
            "label": "agentSourcedIds" if name == "guardianLinks" else f"{name}.csv",
            **values,
        }
        for name, values in counts.items()
        if any(values.values())
    ]
    problems = report.get("problems", [])
    return {
        **report,
        "rows": rows,
        "shown_problems": problems[:MAX_SHOWN_PROBLEMS],
        "hidden_problems": max(0, report.get("problem_count", 0) - MAX_SHOWN_PROBLEMS),
        "ok": report.get("problem_count", 0) == 0 and bool(report),
    }
