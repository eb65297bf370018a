from django.urls import path

from homeroom.accounts import views, views_mfa, views_reset, views_security, views_signin

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views_signin.SignInView.as_view(), name="sign-in"),
    path("sign-in/code/", views_signin.sign_in_code, name="sign-in-code"),
    path("sign-out/", views_signin.sign_out, name="sign-out"),
    path("agreement/", views.agreement, name="agreement"),
    path("language/", views.language, name="language"),
    # The account's own security pages.
    path("", views_security.account, name="account"),
    path("sessions/", views_security.sessions_list, name="sessions"),
    path("sessions/end/", views_security.session_end, name="session-end"),
    path("history/", views_security.history, name="history"),
    path("confirm/", views_security.reauth, name="reauth"),
    path("password/", views_security.password_change, name="password-change"),
    path("email/", views_security.email_change, name="email-change"),
    path("email/confirm/<str:token>/", views_security.email_confirm, name="email-confirm"),
    path("two-step/set-up/", views_mfa.mfa_setup, name="mfa-setup"),
    path("two-step/recovery-codes/", views_mfa.recovery_codes, name="mfa-recovery-codes"),
    path("two-step/remove/", views_mfa.mfa_remove, name="mfa-remove"),
    # Forgotten password.
    path("password-reset/", views_reset.password_reset_request, name="password-reset"),
    path(
        "password-reset/sent/",
        views_reset.PasswordResetSentView.as_view(),
        name="password-reset-sent",
    ),
    path(
        "password-reset/done/",
        views_reset.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views_reset.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    # The timeout warning (accounts/session-timer.js).
    path("session/keep-alive/", views_security.session_keep_alive, name="session-keep-alive"),
    path("session/status/", views_security.session_status, name="session-status"),
]
