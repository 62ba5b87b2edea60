"""The mentor deciding a request reads the fit and its concerns above Accept, and every match
reason about themselves and the mentee (live review: Accept came first with the fit 1000 px
below on a phone, and the reasons spoke of "the mentor" to the mentor)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.matchruns.selectors import pair_reasons
from tests.mentorships.test_request_detail import ask, pair  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

ROLE = re.compile(r"\bthe (mentee|mentor)\b", re.I)


def test_the_fit_comes_before_accept_and_the_reasons_speak_to_the_mentor(client, ask):  # noqa: F811
    client.force_login(ask["mentor"])
    html = client.get(reverse("request_detail", args=[ask["request"].pk])).content.decode()
    reasons = pair_reasons(
        program=ask["program"], mentor_id=ask["mentor"].pk, mentee_id=ask["mentee"].pk
    )
    fit = next(row for row in reasons if row.get("kind") == "fit")
    summary = html.index('id="fit-summary"')
    assert summary < html.index(">Accept</button>")
    assert f"{fit['points']} out of 100" in html[summary : html.index(">Accept</button>")]
    why = html[html.index('id="reasons-heading"') :]
    why = why[: why.index("</section>")]
    assert not ROLE.search(why), why
