"""The manager a profile names, for the conflict rule "never matched with your own manager".

Two ways to name them: pick someone the person can already see in their programs (stored as
the account link, without an email), or type a name and an email for anyone else (kept as
typed, with no account lookup, so the answer never tells whether the address has an account
here; match runs find the manager among their participants by email).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tandem.core.text import clean_text, one_line
from tandem.people.models import Profile, User
from tandem.people.selectors import profiles_visible_to
from tandem.people.services.common import TOO_LONG

MANAGER_SELF = "You cannot be your own manager."
MANAGER_NOT_CHOSEN = (
    "Choose your manager from the list again, or type their name and email instead."
)
MANAGER_EMAIL_NEEDED = "Add your manager’s email too: matching tells people apart by email."
MANAGER_EMAIL_INVALID = "Enter your manager’s email address, like name@example.org."
MANAGER_NAME_MAX_LENGTH = 150
MANAGER_FIELDS = frozenset({"manager", "manager_name", "manager_email"})
MANAGER_EMAIL_MAX_LENGTH = 254


@dataclass
class ManagerChange:
    """What to write: profile columns, the account link (``manager`` key) and field errors."""

    profile_fields: dict[str, object] = field(default_factory=dict)
    relations: dict[str, User | None] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def manager_change(
    *, profile: Profile, actor: User | None, given: dict[str, object]
) -> ManagerChange:
    """Check the manager fields present in ``given`` (``manager``: an account id or ``None``;
    ``manager_name``; ``manager_email``). Values equal to what is stored are no change, so an
    untouched form keeps an import's link as it is."""
    change = ManagerChange()
    chosen = given.get("manager")
    if chosen not in (None, ""):
        _choose_account(change, profile, actor, chosen)
        return change
    email = clean_text(given.get("manager_email", profile.manager_contact)).lower()
    # A new address without a name (an API client, which may not know the name field) names
    # someone else: the old name does not go with it.
    kept_name = profile.manager_name if email == profile.manager_contact.lower() else ""
    name = one_line(given.get("manager_name", kept_name))
    if email == profile.manager_contact.lower() and name == profile.manager_name:
        return change
    _check_typed(change, profile, name, email)
    if not change.errors:
        change.profile_fields.update(manager_name=name, manager_email=email)
        change.relations["manager"] = None
    return change


def _choose_account(
    change: ManagerChange, profile: Profile, actor: User | None, chosen: object
) -> None:
    try:
        manager_id = int(str(chosen))
    except ValueError:
        change.errors["manager"] = MANAGER_NOT_CHOSEN
        return
    if manager_id == profile.manager_id and not profile.manager_email:
        return  # the same person, still linked
    if manager_id == profile.user_id:
        change.errors["manager"] = MANAGER_SELF
        return
    # One answer for "no such account" and "not someone you can see": the list offered only
    # people the actor can see, so anything else is a forged or stale choice.
    viewer = actor if actor is not None else profile.user
    manager = User.objects.filter(pk=manager_id, is_active=True).first()
    if manager is None or manager_id not in profiles_visible_to(
        viewer=viewer, user_ids=[manager_id]
    ):
        change.errors["manager"] = MANAGER_NOT_CHOSEN
        return
    change.profile_fields.update(manager_name="", manager_email="")
    change.relations["manager"] = manager


def _check_typed(change: ManagerChange, profile: Profile, name: str, email: str) -> None:
    if len(name) > MANAGER_NAME_MAX_LENGTH:
        change.errors["manager_name"] = TOO_LONG.format(limit=MANAGER_NAME_MAX_LENGTH)
    if not email:
        if name:
            change.errors["manager_email"] = MANAGER_EMAIL_NEEDED
        return
    try:
        validate_email(email)
    except ValidationError:
        change.errors["manager_email"] = MANAGER_EMAIL_INVALID
        return
    if len(email) > MANAGER_EMAIL_MAX_LENGTH:
        change.errors["manager_email"] = TOO_LONG.format(limit=MANAGER_EMAIL_MAX_LENGTH)
    elif email == profile.user.email.lower():
        change.errors["manager_email"] = MANAGER_SELF
