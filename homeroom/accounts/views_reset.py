"""Forgotten password: a link by email that works once, for PASSWORD_RESET_TIMEOUT (an
hour), and signs no one in, so the second factor is still asked at the next sign-in (R49,
ASVS 6.4.3). The request is answered the same way whether or not the address is known, and
the mail leaves in the background so the answer takes the same time either way (R44)."""

import logging
import threading
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import loader
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from homeroom.accounts import services
from homeroom.accounts.forms import NewPasswordForm, ResetRequestForm
from homeroom.audit.models import Action
from homeroom.audit.services import Event, event_record, request_actor

logger = logging.getLogger(__name__)


def _send_quietly(message: EmailMultiAlternatives, user_id: int) -> None:
    try:
        message.send()
    except Exception:
        logger.exception("The password-reset mail to user %s could not be sent.", user_id)


class BackgroundResetForm(ResetRequestForm):
    request: HttpRequest

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        user = context["user"]
        event_record(
            actor=request_actor(self.request),
            event=Event(action=Action.ACCOUNT, object=user, detail={"what": "reset_link_sent"}),
        )
        threading.Thread(target=_send_quietly, args=(message, user.pk), daemon=True).start()


class PasswordResetRequestView(auth_views.PasswordResetView):
    form_class = BackgroundResetForm
    template_name = "accounts/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    email_template_name = "accounts/email/password_reset.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def get_extra_email_context(self) -> dict[str, Any]:
        return {
            "district_name": settings.HOMEROOM_DISTRICT_NAME,
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        }

    def form_valid(self, form: BackgroundResetForm) -> HttpResponse:  # type: ignore[override]
        form.request = self.request
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)


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
