import unicodedata

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


class User(AbstractUser):
    """One person's sign-in. Who the person is (guardian, student, staff) lives in `sis`.

    `is_staff` opens the Django admin; only district-level staff get it.
    """

    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(preferred_language__in=Language.values),
                name="user_language_known",
            ),
        ]

    # Passwords are NFKC-normalized before hashing and before checking (NIST SP 800-63B
    # 3.1.1.2, R42), whichever form, page or command sets or checks them.
    def set_password(self, raw_password: str | None) -> None:
        super().set_password(_nfkc(raw_password))

    def check_password(self, raw_password: str | None) -> bool:
        return super().check_password(_nfkc(raw_password))

    async def acheck_password(self, raw_password: str | None) -> bool:
        return await super().acheck_password(_nfkc(raw_password))


def _nfkc(raw: str | None) -> str | None:
    return None if raw is None else unicodedata.normalize("NFKC", raw)


class AgreementVersion(models.Model):
    """The district's acceptable-use agreement (policy 1110.2 "Use of the Parent Portal").

    Versions are never edited once published: the district publishes a new one, and every
    user accepts it again before the next portal page (R71).
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title (English)"), max_length=200)
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    body = models.TextField(_("text (English)"))
    body_es = models.TextField(_("text (Spanish)"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("acceptable-use agreement")
        verbose_name_plural = _("acceptable-use agreements")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class AgreementAcceptance(models.Model):
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="acceptances")
    agreement = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="acceptances"
    )
    accepted_at = models.DateTimeField(_("accepted"))
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")
        constraints = [
            models.UniqueConstraint(fields=["user", "agreement"], name="acceptance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} accepted v{self.agreement.version}"


class TOTPDevice(models.Model):
    """A time-based one-time-password authenticator (RFC 6238) enrolled by a user (R41)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    # The shared secret must be readable to check codes, so it cannot be hashed.
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(_("enrolled"), null=True, blank=True)
    # The last time step accepted: a code is never accepted twice (ASVS 6.5.1).
    last_used_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return f"TOTP for {self.user}"


class RecoveryCode(models.Model):
    """A single-use code for when the authenticator is lost; only its hash is kept (R49)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"recovery code of {self.user}"


class EnrolmentLetter(models.Model):
    """A one-time code on a letter handed over in person or sent by post, without which a
    staff account cannot set up an authenticator (R41, R49): after a lost phone, or for a
    new account. An administrator asks, with a reason; a second administrator approves and
    only then is the code drawn, shown once for the letter; only a keyed digest is kept. So
    a password alone, reset by whoever controls the account's e-mail, never enrols a new
    second factor. From the command line (`manage.py enrolment_letter`), someone with the
    server in hand issues one for the first administrator."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="enrolment_letters")
    reason = models.TextField(_("why"))
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked"))
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    digest = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(_("code works until"), null=True, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment letter")
        verbose_name_plural = _("enrolment letters (two-step set-up)")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="enrolmentletter_has_reason"
            ),
            # The second person: an administrator never approves their own request.
            models.CheckConstraint(
                condition=models.Q(requested_by__isnull=True)
                | models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("requested_by")),
                name="enrolmentletter_second_person",
            ),
        ]

    def __str__(self) -> str:
        return f"enrolment letter for {self.user} ({self.requested_at:%Y-%m-%d})"

    @property
    def pending(self) -> bool:
        return self.approved_at is None and self.cancelled_at is None


class UserSession(models.Model):
    """A server-side session, tied to its user so it can be listed and ended (R46, R47)."""

    session_key = models.CharField(max_length=40, primary_key=True)
    session_data = models.TextField()
    expire_date = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )
    signed_in_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"session of {self.user}" if self.user_id else "anonymous session"
