"""An invitation link's most uses: the page's form refuses past the service's 1,000,000, in
the service's words, where it took anything up to the column's 2,147,483,647 (limits
review)."""

from __future__ import annotations

from tandem.programs.forms import InvitationForm
from tandem.programs.services.enrolments import BAD_MAX_USES, MAX_INVITATION_USES


def test_one_use_past_the_services_limit_is_refused_in_its_words():
    assert InvitationForm({"role": "mentee", "max_uses": MAX_INVITATION_USES}).is_valid()
    page = InvitationForm({"role": "mentee", "max_uses": MAX_INVITATION_USES + 1})
    assert page.errors["max_uses"] == [BAD_MAX_USES]
    assert f'max="{MAX_INVITATION_USES}"' in str(page["max_uses"])
