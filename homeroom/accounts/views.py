from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from homeroom.accounts import services
from homeroom.accounts.forms import AgreementForm, LanguageForm
from homeroom.accounts.selectors import agreement_pending
from homeroom.audit.services import request_actor


def safe_next(request: HttpRequest, candidate: str | None, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def agreement(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return auth_views.redirect_to_login(request.get_full_path())
    pending = agreement_pending(request.user)
    next_url = safe_next(request, request.GET.get("next") or request.POST.get("next"), "/")
    if pending is None:
        return HttpResponseRedirect(next_url)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.agreement_accept(
            actor=request_actor(request),
            user=request.user,
            agreement=pending,
        )
        return HttpResponseRedirect(next_url)
    spanish = translation.get_language() == "es"
    return render(
        request,
        "accounts/agreement.html",
        {
            "agreement": pending,
            "title": pending.title_es if spanish else pending.title,
            "body": pending.body_es if spanish else pending.body,
            "form": form,
            "next": next_url,
        },
    )


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    next_url = safe_next(request, request.POST.get("next"), reverse("home"))
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        chosen = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_language_set(
                actor=request_actor(request),
                user=request.user,
                language=chosen,
            )
        response.set_cookie(
            "django_language", chosen, samesite="Lax", secure=request.is_secure(), httponly=True
        )
    return response
