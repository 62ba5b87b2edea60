"""The two expectations fields mean one thing everywhere (live review: the demo's signed
agreement read "From the mentor: Come with one concrete artefact…", the mentee's promise, because
the seed and the examples used the opposite meaning to the form and the page; the form crossed
the examples over to make up for it). ``mentor_expectations`` is what the mentee can expect from
the mentor, ``mentee_expectations`` what the mentor can expect from the mentee."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.demo.seed import DEMO_AGREEMENT
from tandem.mentorships import services
from tandem.mentorships.api.agreement import AgreementContent
from tandem.mentorships.forms import AgreementForm
from tandem.mentorships.services.agreement_content import EXAMPLES, EXPECTATION_LABELS
from tests.mentorships.factories import mentorship, valid_content

pytestmark = pytest.mark.django_db

MENTOR_OFFERS = "Replies within two days"
MENTEE_OFFERS = "Arrives with one question"


def _shown(page: str) -> dict[str, str]:
    """Each term of the agreement list with its text."""
    return {
        term: re.sub(r"\s+", " ", text).strip()
        for term, text in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", page, re.S)
    }


def test_the_page_labels_each_side_as_the_form_does(client):
    m = mentorship()
    version, _ = services.agreement_propose(
        user=m.mentor,
        mentorship_id=m.pk,
        content=valid_content(
            m.program, mentor_expectations=MENTOR_OFFERS, mentee_expectations=MENTEE_OFFERS
        ),
    )
    client.force_login(m.mentee)
    page = client.get(reverse("agreement_version", args=[m.pk, version.number])).content.decode()
    form = AgreementForm()
    shown = _shown(page)
    assert shown[form["mentor_expectations"].label] == MENTOR_OFFERS
    assert shown[form["mentee_expectations"].label] == MENTEE_OFFERS
    assert form["mentor_expectations"].label == "What the mentee can expect from the mentor"


def test_the_examples_and_the_api_say_the_same_meaning():
    form = AgreementForm()
    for field in ("mentor_expectations", "mentee_expectations"):
        assert form.fields[field].help_text == EXAMPLES[field]
    # The mentor's example is a mentor's promise, the mentee's a mentee's.
    assert "answer messages" in EXAMPLES["mentor_expectations"]
    assert "Come prepared" in EXAMPLES["mentee_expectations"]
    schema = AgreementContent.model_json_schema()["properties"]
    for field, label in EXPECTATION_LABELS.items():
        assert schema[field]["description"].startswith(label)


def test_the_demo_agreement_has_each_promise_on_its_own_side():
    assert DEMO_AGREEMENT["mentor_expectations"].startswith("Candid feedback")
    assert DEMO_AGREEMENT["mentee_expectations"].startswith("Come with one concrete artefact")
