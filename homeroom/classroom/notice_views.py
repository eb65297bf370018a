"""School notices, for principals (their school) and district staff (any school, or the whole
district): write one with a preview and the number of families it reaches, send it, and see
its delivery; renew the notice subscriptions of parents whose child changed school (R20).
Report card releases (a term's) and letters (signed) are notices of their own kind, sent
from the same form by the same path."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from homeroom.access import staff
from homeroom.classroom.gate import staff_page
from homeroom.notify import compose, notices, selectors, services
from homeroom.notify.models import Notice, NoticeSubscription
from homeroom.sis.models import AcademicSession, GradeLevel, School, Section


def _scope(request: HttpRequest) -> tuple[bool, set[int]]:
    resolved = staff.staff_request(request)
    return services.notice_scope(request.user, resolved.today)  # type: ignore[arg-type]


def _number(post, name: str) -> int | None:
    raw = post.get(name, "")
    return int(raw) if raw.isdigit() else None


def _audience(post) -> notices.Audience:
    return notices.Audience(
        audience=post.get("audience", ""),
        school_id=_number(post, "school"),
        grade_level=post.get("grade_level", ""),
        section_id=_number(post, "section"),
    )


def _preview(
    draft: dict[str, Any], term: AcademicSession | None, today: datetime.date
) -> dict[str, Any]:
    """What the families will read (a report card release: in the writer's language, with
    placeholders for each child), and how many people it reaches."""
    subject, text = services.notice_words(term=term, **draft)
    if term is not None:
        subject = compose.report_card_subject(term.title)
        sample = [(_("[the child's name]"), _("[the link to the child's grades]"))]
        text = "\n\n".join(p for p in (compose.report_card_text(term.title, sample), text) if p)
    module = Notice.CATEGORY_MODULE.get(Notice.Category(draft["category"]))
    return {
        "subject": subject,
        "text": text,
        "count": len(notices.recipients(draft["audience"], today, module)),
    }


@require_http_methods(["GET", "POST"])
@staff_page
def notices_page(request: HttpRequest) -> HttpResponse:
    resolved = staff.staff_request(request)
    district, schools = _scope(request)
    if not district and not schools:
        raise PermissionDenied
    preview = None
    errors: list[str] = []
    post = request.POST
    if request.method == "POST":
        action = post.get("action")
        if action == "renew":
            return _renew(request, district, schools)
        draft: dict[str, Any] = {
            "author": request.user,
            "audience": _audience(post),
            "category": post.get("category", Notice.Category.NOTICE),
            "subject": post.get("subject", ""),
            "body": post.get("body", ""),
        }
        term_id = _number(post, "term")
        try:
            term = services.notice_check(**draft, term_id=term_id)
            if action == "send":
                notice = services.notice_send(actor=resolved.actor, **draft, term_id=term_id)
                messages.success(request, _("The notice is accepted and being sent."))
                return redirect("classroom:notice", notice_id=notice.pk)
            preview = _preview(draft, term, resolved.today)
        except ValidationError as error:
            errors = error.messages
    school_rows = School.objects.all() if district else School.objects.filter(pk__in=schools)
    return render(
        request,
        "classroom/notices.html",
        {
            "staff": staff.scope_of(resolved.viewer),
            "nav": "notices",
            "district": district,
            "schools": school_rows.order_by("name"),
            "grades": GradeLevel.choices,
            "sections": Section.objects.filter(
                school__in=school_rows, start_date__lte=resolved.today, end_date__gte=resolved.today
            )
            .select_related("course", "school")
            .order_by("school__name", "course__title", "code"),
            "audiences": Notice.Audience.choices,
            "categories": Notice.Category.choices,
            "terms": selectors.report_card_terms(resolved.today),
            "form": post,
            "preview": preview,
            "errors": errors,
            "sent": selectors.notices_sent(district, schools),
            "to_renew": selectors.subscriptions_to_renew(district, schools, resolved.today),
        },
    )


def _renew(request: HttpRequest, district: bool, schools: set[int]) -> HttpResponse:
    raw = request.POST.get("subscription", "")
    row = NoticeSubscription.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    today = staff.staff_request(request).today
    if row is None or row not in selectors.subscriptions_to_renew(district, schools, today):
        staff.refuse(
            request, object_type="notify.noticesubscription", object_id=int(raw or 0), write=True
        )
    try:
        services.subscription_renew(
            actor=staff.staff_request(request).actor,
            renewed_by=request.user,  # type: ignore[arg-type]
            subscription=row,
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("The subscription is renewed at the student's new school."))
    return redirect("classroom:notices")


@require_GET
@staff_page
def notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    district, schools = _scope(request)
    found = selectors.notice_for_staff(notice_id, district, schools)
    if found is None:
        staff.refuse(request, object_type="notify.notice", object_id=notice_id, write=False)
    return render(
        request,
        "classroom/notice.html",
        {
            "staff": staff.scope_of(staff.staff_request(request).viewer),
            "nav": "notices",
            "notice": found,
            "delivery": selectors.notice_delivery(found),
        },
    )
