"""The guidance API as a client uses it: list and search, read with HTML, change, undo."""

from __future__ import annotations

import pytest

from tandem.feedback.models import GuidanceArticle

pytestmark = pytest.mark.django_db


def test_list_search_read_change_and_reset(client, world):
    client.force_login(world.people["program admin"])
    q = f"?program={world.program.slug}"
    listed = client.get(f"/api/guidance/{q}&q=goals").json()
    assert listed["items"][0]["slug"] == "setting-goals"
    article = client.get(f"/api/guidance/first-meeting{q}").json()
    assert article["origin"] == "shipped" and "<h2>" in article["html"]

    same = {k: article[k] for k in ("title", "summary", "body", "stages", "reason_codes")}
    assert (
        client.put(f"/api/guidance/first-meeting{q}", same, "application/json").status_code == 200
    )
    assert not GuidanceArticle.objects.exists()  # untouched: nothing written

    changed = client.put(
        f"/api/guidance/first-meeting{q}", {**same, "title": "Ours"}, "application/json"
    ).json()
    assert (changed["title"], changed["origin"]) == ("Ours", "program")

    bad = client.put(
        f"/api/guidance/first-meeting{q}",
        {**same, "reason_codes": ["nonsense"], "title": ""},
        "application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"title", "reason_codes"}

    assert client.delete(f"/api/guidance/first-meeting{q}").status_code == 204
    assert client.delete(f"/api/guidance/first-meeting{q}").status_code == 409
    assert client.get(f"/api/guidance/first-meeting{q}").json()["title"] == article["title"]
