"""The mentor deciding a request reads the fit and its concerns above Accept, and every match
reason about themselves and the mentee (live review: Accept came first with the fit 1000 px
below on a phone, and the reasons spoke of "the mentor" to the mentor)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.matchruns.selectors import pair_reasons
from tests.mentorships.test_request_detail import ask, pair  # noqa: F401 (fixtures)
from tests.people.factories import SkillFactory, hold

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


def test_the_mentee_writing_a_request_reads_the_reasons_about_themselves(client, pair):  # noqa: F811
    """crev F15: the page where the mentee writes the request read 'the mentee' to them."""
    sql = SkillFactory(name="SQL")
    hold(pair["mentee"].profile, wanted=[sql])
    hold(pair["mentor"].profile, offered=[sql])
    client.force_login(pair["mentee"])
    url = reverse("request_new") + f"?program={pair['program'].pk}&to={pair['mentor'].pk}"
    html = client.get(url).content.decode()
    why = html[html.index("Why you match") :]
    why = why[: why.index("</section>")]
    assert "out of 100" in why and "SQL" in why
    assert not ROLE.search(why), why
