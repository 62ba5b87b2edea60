"""The version in effect is one row, not a walk over every version (review: the versions list
paged its answer, the API's and the pages', but read every version to find the one both had
signed). A pair with many versions costs a page of rows, and the answers stay what they were."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tandem.mentorships.models import AgreementVersion
from tests.mentorships.factories import mentorship, valid_content

pytestmark = pytest.mark.django_db
MANY = 60
IN_EFFECT = 10  # on the API's third page, newest first: 60..36, 35..11, 10..1
SIZE = 25


@pytest.fixture
def pair():
    m = mentorship()  # version 1, signed by both
    now = timezone.now()
    for number in range(2, MANY + 1):
        both = number == IN_EFFECT
        AgreementVersion.objects.create(
            mentorship=m,
            number=number,
            content=valid_content(m.program),
            signed_by_mentor_at=now if both or number == MANY else None,
            signed_by_mentee_at=now if both else None,
        )
    return m


@pytest.fixture
def loaded(monkeypatch):
    """How many AgreementVersion rows became objects."""
    count = {"rows": 0}
    original = AgreementVersion.from_db.__func__

    def counting(cls, db, field_names, values):
        count["rows"] += 1
        return original(cls, db, field_names, values)

    monkeypatch.setattr(AgreementVersion, "from_db", classmethod(counting))
    return count


def test_each_api_page_reads_one_page_of_versions_and_marks_the_one_in_effect(client, pair, loaded):
    client.force_login(pair.mentee)
    url = f"/api/mentorships/{pair.pk}/agreement/versions"
    seen = []
    for number in (1, 2, 3, 4):
        loaded["rows"] = 0
        with CaptureQueriesContext(connection) as queries:
            body = client.get(f"{url}?page={number}").json()
        assert loaded["rows"] <= SIZE, number
        assert len(queries) <= 8, [q["sql"] for q in queries]
        assert body["count"] == MANY
        seen += [(v["number"], v["in_effect"]) for v in body["items"]]
    assert seen == [(n, n == IN_EFFECT) for n in range(MANY, 0, -1)]


def test_the_query_count_of_a_page_does_not_grow_with_the_versions(client, pair):
    few = mentorship()
    url = "/api/mentorships/{}/agreement/versions"
    counts = []
    for m in (few, pair):
        client.force_login(m.mentee)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url.format(m.pk)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_mentorship_page_lists_the_newest_versions_and_links_to_the_rest(client, pair, loaded):
    client.force_login(pair.mentor)
    html = client.get(reverse("mentorship_detail", args=[pair.pk])).content.decode()
    assert loaded["rows"] <= SIZE + 2
    listed = re.findall(r"Version (\d+)</a>", html)
    assert listed == [str(n) for n in range(MANY, MANY - SIZE, -1)]
    assert f"Version {IN_EFFECT} is in effect." in html
    assert f"{reverse('agreement_version', args=[pair.pk, MANY])}?page=2" in html


def test_the_version_page_pages_the_versions_and_says_which_is_in_effect(client, pair, loaded):
    client.force_login(pair.mentor)
    url = reverse("agreement_version", args=[pair.pk, IN_EFFECT])
    html = client.get(f"{url}?page=3").content.decode()
    assert loaded["rows"] <= SIZE + 2
    assert "In effect</span>" in html
    assert "<strong>Version 10</strong>" in html
    assert re.search(r"Version 10</strong> <span class=\"muted\">[^<]*· in effect", html)
    assert "Page 3 of 3" in html
    newest = client.get(reverse("agreement_version", args=[pair.pk, MANY])).content.decode()
    assert "Waiting for signatures" in newest
    assert "Page 1 of 3" in newest
    older = client.get(reverse("agreement_version", args=[pair.pk, 1])).content.decode()
    assert "Superseded" in older
