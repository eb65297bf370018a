"""The family's side of data leaving the district: the annual notice of rights (R15),
directory opt-outs (R11) and consents to disclose (R10). Each opt-out and each consent is a
write open to guardians (R70), by whoever holds the student's rights."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from homeroom.access import door
from homeroom.accounts.models import User
from homeroom.accounts.views_security import reauth_needed
from homeroom.lib.dates import school_year_ending
from homeroom.portal.gate import ANNUAL_NOTICE_READ, portal_page, reads_the_annual_notice
from homeroom.privacy import selectors, services
from homeroom.privacy.models import DirectoryCategory, DirectoryOptOut, DisclosureConsent


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("portal:home")


@require_http_methods(["GET", "POST"])
@reads_the_annual_notice
@portal_page
def annual_notice(request: HttpRequest) -> HttpResponse:
    """This school year's notice of rights, shown before anything else at the first sign-in
    of the year; reading it is recorded once per person and year."""
    resolved = door.portal_request(request)
    today = resolved.today
    notice = selectors.current_annual_notice(today)
    if request.method == "POST":
        if notice is not None:
            services.annual_notice_acknowledge(
                actor=resolved.actor, user=_user(request), notice=notice
            )
        request.session[ANNUAL_NOTICE_READ] = school_year_ending(today)
        return redirect(_next(request))
    title, text = selectors.notice_text(notice, translation.get_language())
    return render(
        request,
        "portal/annual_notice.html",
        {
            "portal": resolved,
            "children": resolved.students,
            "notice": notice,
            "title": title,
            "text": text,
            "next": _next(request),
            "already_read": notice is not None
            and not selectors.annual_notice_due(_user(request), today),
        },
    )


@require_http_methods(["GET", "POST"])
@portal_page
def directory(request: HttpRequest, student_id: int) -> HttpResponse:
    access = door.open_rights(request, student_id, door.DIRECTORY)
    resolved = door.portal_request(request)
    student = access.student
    designation = selectors.designation_for(resolved.today)
    designated = list(designation.categories) if designation else []
    held = selectors.opt_outs_of([student.pk]).get(student.pk, set())
    window_open = selectors.opt_out_window_open(resolved.today)
    errors: list[str] = []
    if request.method == "POST":
        chosen = set(request.POST.getlist("category")) & set(designated)
        # Opt-outs of categories not designated this year stay as they are.
        wanted = chosen | (held - set(designated))
        try:
            services.opt_outs_set(
                actor=resolved.actor, by=_user(request), student=student, categories=wanted
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("Your choices for %(name)s are saved.") % {"name": student.first_name},
            )
            return redirect("portal:directory", student.pk)
    return render(
        request,
        "portal/directory.html",
        {
            "portal": resolved,
            "children": resolved.students,
            "child": access,
            "module": door.DIRECTORY,
            "designation": designation,
            "categories": [(c, DirectoryCategory(c).label, c in held) for c in designated],
            "window_open": window_open,
            "errors": errors,
            "paper": DirectoryOptOut.Source.PAPER,
        },
    )


@require_http_methods(["GET"])
@portal_page
def consents(request: HttpRequest, student_id: int) -> HttpResponse:
    access = door.open_rights(request, student_id, door.CONSENTS)
    resolved = door.portal_request(request)
    return render(
        request,
        "portal/consents.html",
        {
            "portal": resolved,
            "children": resolved.students,
            "child": access,
            "module": door.CONSENTS,
            "consents": selectors.consents_of(access.student.pk),
            "today": resolved.today,
        },
    )


ANSWERS = {"sign", "decline", "withdraw"}


@require_POST
@portal_page
def consent_answer(request: HttpRequest, student_id: int, consent_id: int) -> HttpResponse:
    """Sign, decline or withdraw: the signature is the signed-in person, confirmed again if
    their sign-in is not recent (R10, R48)."""
    access = door.open_rights(request, student_id, door.CONSENTS)
    resolved = door.portal_request(request)
    page = reverse("portal:consents", args=[access.student.pk])
    consent = DisclosureConsent.objects.filter(pk=consent_id, student=access.student).first()
    answer = request.POST.get("answer", "")
    if consent is None or answer not in ANSWERS:
        raise Http404
    needed = reauth_needed(request, next_url=page)
    if needed is not None:
        return needed
    try:
        if answer == "withdraw":
            services.consent_withdraw(actor=resolved.actor, user=_user(request), consent=consent)
            messages.success(request, _("The consent is withdrawn."))
        else:
            services.consent_answer(
                actor=resolved.actor, user=_user(request), consent=consent, signed=answer == "sign"
            )
            messages.success(
                request,
                _("You signed the consent.") if answer == "sign" else _("You declined."),
            )
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    return redirect(page)
