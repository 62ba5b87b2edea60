"""A proposal made from an out-of-date agreement form is refused, not saved over the newer one
(live review: mentee and mentor both opened the agreement page; the mentor proposed a version;
the mentee then saved their older form and made the next version without ever seeing the
mentor's). The form says which version it was filled from (``based_on``); the service refuses
a proposal based on an older one (409), and the page shows the newer version above the
mentee's own text, kept in a form that now counts as made from it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tandem.mentorships import services
from tandem.mentorships.services.agreement import AGREEMENT_CHANGED_MEANWHILE, NO_SUCH_BASE
from tests.mentorships.factories import call, mentorship, valid_content
from tests.mentorships.test_lock_order import race
from tests.untouched import form_data, untouched_data

pytestmark = pytest.mark.django_db

MENTORS_WORDS = "Ask me anything about public speaking"


def test_the_page_refuses_a_form_made_before_the_partners_proposal(client):
    m = mentorship()
    url = reverse("agreement_edit", args=[m.pk])
    client.force_login(m.mentee)
    data = untouched_data(client, url, url)  # the mentee opens the form (version 1)
    assert data["based_on"] == ["1"]
    services.agreement_propose(
        user=m.mentor,
        mentorship_id=m.pk,
        content=valid_content(m.program, mentor_expectations=MENTORS_WORDS),
        based_on=1,
    )
    data["focus_areas"] = ["design reviews"]
    response = client.post(url, data)
    assert response.status_code == 409
    page = response.content.decode()
    said = AGREEMENT_CHANGED_MEANWHILE.format(who=m.mentor.display_name, number=2)
    assert said.replace("'", "&#x27;") in page
    assert MENTORS_WORDS in page and 'value="design reviews"' in page
    assert m.agreement_versions.count() == 2
    # Saving the form shown again is a deliberate choice, made from version 2.
    again = client.post(url, form_data(url, page, url))
    assert again.status_code == 302
    latest = m.agreement_versions.order_by("-number").first()
    assert (latest.number, latest.proposed_by, latest.content["focus_areas"]) == (
        3,
        m.mentee,
        "design reviews",
    )


def test_the_service_refuses_an_older_base_but_not_the_same_words():
    m = mentorship()
    newer, _ = services.agreement_propose(
        user=m.mentor,
        mentorship_id=m.pk,
        content=valid_content(m.program, mentor_expectations=MENTORS_WORDS),
        based_on=1,
    )
    with pytest.raises(services.AgreementChangedMeanwhile) as error:
        services.agreement_propose(
            user=m.mentee,
            mentorship_id=m.pk,
            content=valid_content(m.program, focus_areas="design reviews"),
            based_on=1,
        )
    assert error.value.status == 409 and error.value.latest == newer
    assert error.value.fields == {
        "based_on": AGREEMENT_CHANGED_MEANWHILE.format(who=m.mentor.display_name, number=2)
    }
    # Another window of one's own says "You".
    with pytest.raises(services.AgreementChangedMeanwhile, match="^You proposed version 2"):
        services.agreement_propose(
            user=m.mentor, mentorship_id=m.pk, content=valid_content(m.program), based_on=1
        )
    # Sending what version 2 already says is no change, whatever it was based on.
    same, created = services.agreement_propose(
        user=m.mentee, mentorship_id=m.pk, content=newer.content, based_on=1
    )
    assert (same, created) == (newer, False)
    # Without ``based_on`` (an API client from before it existed) the proposal is made.
    version, created = services.agreement_propose(
        user=m.mentee, mentorship_id=m.pk, content=valid_content(m.program, focus_areas="x")
    )
    assert created and version.number == 3


@pytest.mark.django_db(transaction=True)
def test_three_windows_proposing_at_once_make_one_version(postgres_only):
    """The mentorship's row lock makes them take turns: the first makes version 2, the
    other two then find it and are refused (none replaces another unseen)."""
    m = mentorship()
    outcomes = race(
        *(
            lambda words=words: services.agreement_propose(
                user=m.mentee,
                mentorship_id=m.pk,
                content=valid_content(m.program, focus_areas=words),
                based_on=1,
            )
            for words in ("one", "two", "three")
        )
    )
    made = [o for o in outcomes if isinstance(o, tuple)]
    refused = [o for o in outcomes if isinstance(o, services.AgreementChangedMeanwhile)]
    assert (len(made), len(refused)) == (1, 2), outcomes
    assert m.agreement_versions.count() == 2
    assert {error.latest.pk for error in refused} == {made[0][0].pk}


def test_the_api_answers_409_for_an_older_base_and_keeps_clients_without_one(client):
    m = mentorship()
    url = f"/api/mentorships/{m.pk}/agreement/versions"
    mentors = valid_content(m.program, mentor_expectations=MENTORS_WORDS)
    made = call(client, "post", url, m.mentor, {**mentors, "based_on": 1})
    assert made.status_code == 201 and made.json()["number"] == 2
    mine = valid_content(m.program, focus_areas="design reviews")
    refused = call(client, "post", url, m.mentee, {**mine, "based_on": 1})
    said = AGREEMENT_CHANGED_MEANWHILE.format(who=m.mentor.display_name, number=2)
    assert refused.status_code == 409
    assert refused.json() == {"detail": said, "fields": {"based_on": said}}
    assert call(client, "post", url, m.mentee, {**mine, "based_on": -1}).status_code == 422
    assert m.agreement_versions.count() == 2
    rebased = call(client, "post", url, m.mentee, {**mine, "based_on": 2})
    assert rebased.status_code == 201 and rebased.json()["number"] == 3
    unbased = call(client, "post", url, m.mentee, {**mine, "focus_areas": "talks"})
    assert unbased.status_code == 201 and unbased.json()["number"] == 4


def test_a_base_past_the_latest_version_is_a_400_not_a_partners_proposal(client):
    """Nobody proposed version 7 meanwhile: saying so would send the person looking for it."""
    m = mentorship()
    url = f"/api/mentorships/{m.pk}/agreement/versions"
    mine = valid_content(m.program, focus_areas="design reviews")
    refused = call(client, "post", url, m.mentee, {**mine, "based_on": 7})
    said = NO_SUCH_BASE.format(based_on=7, latest=1)
    assert refused.status_code == 400
    assert refused.json() == {"detail": said, "fields": {"based_on": said}}
    assert m.agreement_versions.count() == 1


def test_the_schema_bounds_based_on_from_zero_only():
    from tandem.api import api

    body = api.get_openapi_schema()["components"]["schemas"]["AgreementContent"]
    based_on = next(
        s for s in body["properties"]["based_on"]["anyOf"] if s.get("type") == "integer"
    )
    assert (based_on["minimum"], based_on["maximum"]) == (0, 2**31 - 1)


def test_a_refused_hidden_field_is_said_above_the_form(client):
    """Pages review: a tampered ``based_on=abc`` came back with no word of what was wrong (the
    forms showed only their own errors, and a hidden field has no place on the page)."""
    m = mentorship()
    url = reverse("agreement_edit", args=[m.pk])
    client.force_login(m.mentee)
    data = untouched_data(client, url, url)
    data["based_on"] = ["abc"]
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "reload the page and try again" in page
    assert m.agreement_versions.count() == 1
