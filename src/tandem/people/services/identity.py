"""The opt-in identity record: only its owner writes it, with consent to what it stores. It feeds
the program's suppressed equity figures only; no match run or recommendation reads it
(docs/matching.md, "Identity and privacy")."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone as dj_timezone

from tandem.core.exceptions import ApplicationError
from tandem.matching.records import cells
from tandem.matching.records.cells import CellError
from tandem.people.models import Identity, User

IDENTITY_CONSENT_REQUIRED = (
    "Storing this information needs your consent, given afresh for anything new."
)
# The API's detail (the page shows each field's message by its field instead).
IDENTITY_NOT_SAVED = "Nothing was saved. "


def identity_set(
    *, user: User, attributes: Iterable[str], consent: bool
) -> tuple[Identity | None, bool]:
    """Save the person's self-described background; returns what is stored (None: nothing)
    and whether this call wrote it. Storing anything new requires their consent, and dates it;
    a save that changes nothing (the page or the API sent back untouched, or sent empty when
    nothing is stored) writes nothing, keeps the consent already given and its date, and needs
    no consent. A save with no attributes deletes the record, as withdrawing does, without
    consent: no record is kept of nothing."""
    errors: dict[str, str] = {}
    cleaned: list[str] = []
    try:
        cleaned = cells.check_identity(attributes or [])
    except CellError as error:
        errors["attributes"] = error.message
    with transaction.atomic():
        current = Identity.objects.select_for_update().filter(user=user).first()
        if not errors and not cleaned:
            if current is not None:
                current.delete()
            return None, current is not None
        if not errors and current is not None and current.attributes == cleaned:
            return current, False
        if not consent:
            errors["consent"] = IDENTITY_CONSENT_REQUIRED
        if errors:
            raise ApplicationError(
                IDENTITY_NOT_SAVED + " ".join(f"{name}: {text}" for name, text in errors.items()),
                fields=errors,
            )
        identity, _ = Identity.objects.update_or_create(
            user=user,
            defaults={
                "attributes": cleaned,
                "consented_at": dj_timezone.now(),
            },
        )
    return identity, True


@transaction.atomic
def identity_withdraw(*, user: User) -> bool:
    """Delete the record entirely (withdrawing consent). Returns whether one existed.

    Match runs hold no copy to clean up: they never read this row (tests/matchruns/
    test_identity.py holds them to that)."""
    deleted, _ = Identity.objects.filter(user=user).delete()
    return deleted > 0
