"""Sign-up and the profile page refuse an email past the service's limit themselves (limits
review): sign-up's Django EmailField took 320 characters where the account's email, its
username too, holds 150, and the profile's manager email took any length where the service
keeps 254. The browser's ``maxlength`` now stops it before it is sent."""

from __future__ import annotations

import pytest

from tandem.people.forms import ProfileForm, SignUpForm
from tandem.people.services.accounts import ACCOUNT_EMAIL_MAX_LENGTH
from tandem.people.services.manager import MANAGER_EMAIL_MAX_LENGTH


def _email(length: int) -> str:
    """A valid address of ``length`` characters (its domain's labels stay under 64)."""
    domain = ".".join(["d" * 60] * (length // 61))
    return "m" * (length - len(domain) - len("@.org")) + f"@{domain}.org"


@pytest.mark.parametrize(
    ("form", "field", "limit"),
    [
        (SignUpForm, "email", ACCOUNT_EMAIL_MAX_LENGTH),
        (ProfileForm, "manager_email", MANAGER_EMAIL_MAX_LENGTH),
    ],
)
def test_an_email_one_past_the_services_limit_is_refused_by_the_form(form, field, limit):
    assert form({field: _email(limit)}).errors.get(field) is None
    page = form({field: _email(limit + 1)})
    assert field in page.errors
    assert f'maxlength="{limit}"' in str(page[field])
