from homeroom.accounts.models import AgreementAcceptance, AgreementVersion, User


def agreement_current() -> AgreementVersion | None:
    """The latest published version of the acceptable-use agreement."""
    return AgreementVersion.objects.filter(published_at__isnull=False).order_by("-version").first()


def agreement_pending(user: User) -> AgreementVersion | None:
    """The current agreement, if this user has not accepted it yet (R71)."""
    current = agreement_current()
    if current is None:
        return None
    accepted = AgreementAcceptance.objects.filter(user=user, agreement=current).exists()
    return None if accepted else current
