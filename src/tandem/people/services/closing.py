"""Deleting one's own account (docs/people.md, *Deleting your account*).

The row stays, anonymised: mentorships, messages, goals and the other records a person shared
with someone else point at it, and they are that other person's history too, so they show the
account as "a former member". Everything that was only the person's goes: their profile (with
its skills, weekly availability and text vectors), their background answers, API tokens,
notifications and their settings, and, through the apps above that register an eraser here
(``register_account_eraser``, called in their ``AppConfig.ready``), their calendar feed and
private notes; they leave every program, their open requests close and their open
mentorships end, the other side told. One transaction: all of it or, when something refuses
(the last admin of a program), nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from tandem.core.exceptions import ApplicationError, TooManyRequests
from tandem.core.locking import lockable
from tandem.notify.models import Notification, NotificationPreference
from tandem.people.models import DELETED_EMAIL_DOMAIN, ApiToken, Identity, Profile, User
from tandem.people.ratelimit import (
    login_is_throttled,
    login_record_failure,
    login_throttle_message,
)

PASSWORD_WRONG = "That is not your password. Nothing was deleted."
PASSWORD_REQUIRED = "Type your password to confirm. Nothing was deleted."


@dataclass(frozen=True)
class Former:
    """What the account was called before it was anonymised (``name`` as pages showed it:
    ``NAMELESS_MEMBER`` for an account without a name, which texts written before that
    release name by ``email``), for erasers that find rows by it."""

    email: str
    name: str


AccountEraser = Callable[..., None]  # called as eraser(user=...), or (user=..., former=...)
_ERASERS: list[tuple[AccountEraser, bool]] = []


def register_account_eraser(eraser: AccountEraser, *, wants_former: bool = False) -> None:
    """An app above ``people`` erases or closes what it holds of a deleted account; it may
    raise ``ApplicationError`` to refuse (the whole deletion is then undone). Erasers run
    once the account is anonymised (what they tell others names "a former member"); one that
    finds rows by the address or the name the account had (``wants_former``) is handed them."""
    if all(eraser is not known for known, _ in _ERASERS):
        _ERASERS.append((eraser, wants_former))


@dataclass(frozen=True)
class DeleteBlocker:
    """Something to do before the account can be deleted, with the page where it is done."""

    text: str
    url: str


DeleteCheck = Callable[..., list[DeleteBlocker]]  # called as check(user=...)
_CHECKS: list[DeleteCheck] = []


def register_account_delete_check(check: DeleteCheck) -> None:
    """An app above ``people`` says what would refuse the deletion (its eraser refuses it
    too), so the page says so before the password is typed."""
    if check not in _CHECKS:
        _CHECKS.append(check)


def account_delete_blockers(*, user: User) -> list[DeleteBlocker]:
    """What must be done before ``user`` can delete their account; nothing when they can."""
    return [blocker for check in _CHECKS for blocker in check(user=user)]


def _anonymise(user: User) -> None:
    user.email = user.username = f"deleted-{user.pk}{DELETED_EMAIL_DOMAIN}"
    user.first_name = user.last_name = ""
    user.set_unusable_password()  # also ends every session: their hash no longer matches
    user.is_active = user.is_staff = user.is_superuser = False
    user.email_verified_at = user.last_login = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def _erase_own_data(user: User) -> None:
    # The profile's skills, availability windows and vectors go with it (cascade); an empty
    # one takes its place, so pages that show the pair still find one.
    Profile.objects.filter(user=user).delete()
    Profile.objects.create(user=user)
    Identity.objects.filter(user=user).delete()
    ApiToken.objects.filter(user=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()


def _check_password(user: User, password: str, ip: str) -> None:
    """The password typed again, under the log-in's throttle: a wrong one counts as a failed
    log-in for the account and the address (``ratelimit``), so a session left open is no way to
    guess it. Counted outside the deleting transaction, whose rollback would undo the count
    (the default cache is a database table)."""
    if login_is_throttled(email=user.email, ip=ip):
        message = login_throttle_message()
        error = TooManyRequests(message, retry_after=settings.LOGIN_RATE_WINDOW_SECONDS)
        error.fields = {"password": message}
        raise error
    if not password:
        raise ApplicationError(PASSWORD_REQUIRED, fields={"password": PASSWORD_REQUIRED})
    if not user.check_password(password):
        login_record_failure(email=user.email, ip=ip)
        raise ApplicationError(PASSWORD_WRONG, fields={"password": PASSWORD_WRONG})


def account_delete(*, user: User, password: str, ip: str = "") -> User:
    """Delete the caller's own account after they typed its password (there is no way to
    delete someone else's: not for program admins, not through the API); ``ip`` is the
    caller's address, for the throttle. A second call that waited for the first finds the
    account deleted and changes nothing."""
    if not user.is_deleted:
        _check_password(user, password, ip)
    with transaction.atomic():
        user = lockable(User.objects.filter(pk=user.pk), for_update=True).get()
        if user.is_deleted:
            return user
        former = Former(email=user.email, name=user.display_name)
        _anonymise(user)
        for eraser, wants_former in _ERASERS:
            if wants_former:
                eraser(user=user, former=former)
            else:
                eraser(user=user)
        _erase_own_data(user)
    return user
