"""Forgotten password: a link by email that works once, for PASSWORD_RESET_TIMEOUT (an
hour), and signs no one in, so the second factor is still asked at the next sign-in (R49,
ASVS 6.4.3). The request is answered the same way whether or not the address is known, and
the mail leaves in the background so the answer takes the same time either way (R44)."""

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from homeroom.accounts import reset, services
from homeroom.accounts.forms import NewPasswordForm, ResetRequestForm
from homeroom.audit.services import request_actor

TOO_MANY_REQUESTS = 429


@require_http_methods(["GET", "POST"])
def password_reset_request(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. Whatever the address, the same answer in the same time: the
    limits are counted and the work is queued (accounts.reset); a worker looks the address
    up and sends the mail."""
    form = ResetRequestForm(request.POST or None)
    actor = request_actor(request)
    if reset.client_blocked(actor.address) is not None:
        return _too_many(request, form)
    if request.method == "POST" and form.is_valid():
        reset.request_accept(
            email=form.cleaned_data["email"],
            actor=actor,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        return HttpResponseRedirect(reverse("accounts:password-reset-sent"))
    return render(request, "accounts/password_reset.html", {"form": form})


def _too_many(request: HttpRequest, form: ResetRequestForm) -> HttpResponse:
    form.errors.clear()
    form.add_error(
        None,
        _(
            "Too many password resets were asked from this connection. Please wait an hour, "
            "or ask your school office to send you a link."
        ),
    )
    return render(request, "accounts/password_reset.html", {"form": form}, status=TOO_MANY_REQUESTS)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        minutes = settings.PASSWORD_RESET_TIMEOUT // 60
        return {**super().get_context_data(**kwargs), "minutes": minutes}


@method_decorator(sensitive_post_parameters("new_password1", "new_password2"), name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")
    post_reset_login = False

    def form_valid(self, form: NewPasswordForm) -> HttpResponse:  # type: ignore[override]
        # Every session of the account ends; no one is signed in by the link.
        assert self.user is not None  # a valid link names its user
        services.password_set(
            actor=request_actor(self.request),
            user=self.user,
            password=form.cleaned_data["new_password1"],
            via="reset",
        )
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
