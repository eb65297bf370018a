"""Creating a guardian's account with the codes on the district's letters, and adding a
child to an existing account (R14, R38, R44, R67, R71).

The views parse the form and call `access.activation`, which decides, writes and logs.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from homeroom.access import activation, door
from homeroom.accounts import services as account_services
from homeroom.accounts import sessions
from homeroom.accounts.passwords import long_enough_alone
from homeroom.audit.services import request_actor
from homeroom.portal.gate import portal_page
from homeroom.portal.public_forms import CODE_FIELDS, AddChildForm, CodesForm, CreateAccountForm

TOO_MANY_REQUESTS = 429


def _refusal_shown(form: CodesForm, refusal: activation.ActivationRefused) -> int:
    """Put each problem next to its field (and so in the summary); the status to answer."""
    for problem in refusal.problems:
        if problem.index is not None:
            field = CODE_FIELDS[problem.index]
        elif problem.about_email:
            field = "email"
        else:
            field = None
        form.add_error(field, problem.message)
    return TOO_MANY_REQUESTS if refusal.blocked_until else 200


def _password_backend() -> str:
    """The backend that checks passwords, to sign in with (the first may be a lock-out
    guard that signs in no one)."""
    for path in settings.AUTHENTICATION_BACKENDS:
        if issubclass(import_string(path), ModelBackend):
            return path
    return settings.AUTHENTICATION_BACKENDS[0]


@never_cache
@sensitive_post_parameters("password1", "password2", *CODE_FIELDS)
@require_http_methods(["GET", "POST"])
def create_account(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("public:add-child")
    form = CreateAccountForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = activation.account_activate(
                actor=request_actor(request),
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                codes=form.codes(),
                language=translation.get_language(),
            )
        except activation.ActivationRefused as refusal:
            status = _refusal_shown(form, refusal)
        except ValidationError as error:
            # The service checks the password again; the form has said why already.
            form.add_error("password1", error)
        else:
            login(request, user, backend=_password_backend())
            # Stamped like any sign-in: the session limits start now (R46), and the password
            # just set counts as a fresh authentication (R48).
            sessions.session_start(request, mfa_verified=False)
            sessions.authenticated_now(
                request, password_alone_ok=long_enough_alone(form.cleaned_data["password1"])
            )
            account_services.sign_in_record(actor=request_actor(request), succeeded=True)
            # The portal asks for the acceptable-use agreement before anything else (R71).
            return redirect("portal:home")
    return render(request, "portal/activation/create.html", {"form": form}, status=status)


@never_cache
@sensitive_post_parameters(*CODE_FIELDS)
@require_http_methods(["GET", "POST"])
@portal_page
def add_child(request: HttpRequest) -> HttpResponse:
    resolved = door.portal_request(request)
    form = AddChildForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            links = activation.codes_redeem(
                actor=resolved.actor,
                user=request.user,  # type: ignore[arg-type]
                codes=form.codes(),
            )
        except activation.ActivationRefused as refusal:
            status = _refusal_shown(form, refusal)
        else:
            names = ", ".join(link.student.first_name for link in links)
            messages.success(
                request,
                ngettext(
                    "%(names)s is now linked to your account.",
                    "%(names)s are now linked to your account.",
                    len(links),
                )
                % {"names": names},
            )
            return redirect("portal:home")
    return render(
        request,
        "portal/activation/add_child.html",
        {"form": form, "portal": resolved, "children": resolved.students},
        status=status,
    )
