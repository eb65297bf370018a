"""A contractor's support accounts (FERPA 99.31(a)(1)(i)(B); R13): named after the person who
uses it, bound to a contract in force, reaching only the students of the contract's schools
(StaffRole "vendor_support", with school interest only), and time-boxed: it cannot sign in
after its date, or once its contract has ended. It sets its password from a mailed link and,
like all staff, enrols a second factor with an enrolment letter."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from homeroom.access import policy
from homeroom.accounts import sessions
from homeroom.accounts.models import User
from homeroom.accounts.tasks import reset_link_send
from homeroom.audit.models import Action
from homeroom.audit.services import Actor, Event, event_record
from homeroom.lib import clock
from homeroom.privacy.models import VendorAccount, VendorContract
from homeroom.sis.models import School, Staff, StaffRole

# Who opens and closes contractors' accounts: the district administrators and technology
# staff, who run accounts.
KEEPERS = frozenset({StaffRole.Role.DISTRICT_ADMINISTRATOR, StaffRole.Role.TECHNOLOGY})


def _require_keeper(user: User) -> None:
    if user.is_superuser or policy.viewer_for(user, clock.today()).holds_role(KEEPERS):
        return
    raise PermissionDenied(_("Only district administrators and technology staff do this."))


def longest() -> datetime.timedelta:
    return datetime.timedelta(days=settings.HOMEROOM_VENDOR_ACCOUNT_DAYS)


@transaction.atomic
def vendor_account_create(
    *,
    actor: Actor,
    by: User,
    contract: VendorContract,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    expires_on: datetime.date,
    request_id: str = "",
) -> VendorAccount:
    _require_keeper(by)
    today = clock.today()
    problems: dict[str, str] = {}
    if not contract.is_in_force(today):
        problems["contract"] = _(
            "This contract is not in force (not signed yet, ended, or missing a clause)."
        )
    for field, value in (("first_name", first_name), ("last_name", last_name), ("email", email)):
        if not value.strip():
            problems[field] = _(
                "A contractor's account is named: give the person's name and e-mail."
            )
    if User.objects.filter(username__iexact=username.strip()).exists() or not username.strip():
        problems["username"] = _("Choose another username: this one is taken or empty.")
    if expires_on < today:
        problems["expires_on"] = _("The end date has passed.")
    elif expires_on > today + longest():
        problems["expires_on"] = _("An account works for at most %(days)d days; renew it then.") % {
            "days": longest().days
        }
    elif contract.ends_on is not None and expires_on > contract.ends_on:
        problems["expires_on"] = _("The account cannot outlast its contract (%(day)s).") % {
            "day": contract.ends_on.isoformat()
        }
    schools = list(
        School.objects.all() if contract.scope_district else contract.scope_schools.all()
    )
    if not schools:
        problems["contract"] = _("The contract covers no school.")
    if problems:
        raise ValidationError(problems)
    user = User.objects.create(
        username=username.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    staff = Staff.objects.create(
        first_name=first_name.strip(), last_name=last_name.strip(), email=email.strip(), user=user
    )
    StaffRole.objects.bulk_create(
        StaffRole(
            staff=staff,
            role=StaffRole.Role.VENDOR_SUPPORT,
            school=school,
            start_date=today,
            end_date=expires_on,
        )
        for school in schools
    )
    account = VendorAccount.objects.create(
        user=user, contract=contract, expires_on=expires_on, created_by=by, created_at=clock.now()
    )
    event_record(
        actor=actor,
        event=Event(
            action=Action.PRIVACY,
            object=account,
            detail={
                "what": "vendor_account_created",
                "contract": contract.reference,
                "expires_on": expires_on.isoformat(),
                "schools": sorted(s.pk for s in schools),
            },
        ),
    )
    # The person sets their own password from a mailed link (R49: staff never set one).
    transaction.on_commit(
        lambda: reset_link_send.enqueue(user_id=user.pk, actor_user_id=by.pk, request_id=request_id)
    )
    return account


@transaction.atomic
def vendor_account_end(*, actor: Actor, by: User, account: VendorAccount, reason: str) -> None:
    """End it today: no more sign-in, its sessions ended, its roles closed."""
    _require_keeper(by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the account ends.")})
    yesterday = clock.today() - datetime.timedelta(days=1)
    account = VendorAccount.objects.select_for_update().get(pk=account.pk)
    account.expires_on = min(account.expires_on, yesterday)
    account.save(update_fields=["expires_on"])
    held = StaffRole.objects.filter(staff__user=account.user, role=StaffRole.Role.VENDOR_SUPPORT)
    held.filter(start_date__lte=yesterday).update(end_date=yesterday)
    # A role that began today is closed as a one-day role of yesterday (a role cannot end
    # before it begins): either way it holds nothing from today on.
    held.filter(start_date__gt=yesterday).update(start_date=yesterday, end_date=yesterday)
    ended = sessions.sessions_end(account.user)
    event_record(
        actor=actor,
        event=Event(
            action=Action.PRIVACY,
            object=account,
            detail={"what": "vendor_account_ended", "reason": reason.strip(), "sessions": ended},
        ),
    )


def account_closed(user: User, day: datetime.date) -> bool:
    """A contractor's account past its date, or whose contract is no longer in force."""
    account = VendorAccount.objects.filter(user=user).select_related("contract").first()
    return account is not None and (
        account.expires_on < day or not account.contract.is_in_force(day)
    )


def sign_in_refused(user: User) -> bool:
    """The sign-in's one question (settings.HOMEROOM_SIGN_IN_REFUSED): an account denied
    access (R68), or a contractor's account closed (R13)."""
    return policy.sign_in_refused(user) or account_closed(user, clock.today())
