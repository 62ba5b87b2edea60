"""The matching weights on the program form are explained in words and folded away as
advanced (live review F23: eight bare numbers named after the engine's criteria)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from tandem.programs.forms import WEIGHT_LABELS

pytestmark = pytest.mark.django_db


def weights_block(page: str) -> re.Match:
    found = re.search(r'<details class="card advanced-weights"( open)?>(.*?)</details>', page, re.S)
    assert found, "no folded weights"
    return found


def test_weights_are_folded_away_with_plain_labels(client, program, admin):
    client.force_login(admin)
    page = client.get(reverse("program_edit", args=[program.slug])).content.decode()
    block = weights_block(page)
    assert block.group(1) is None  # closed
    assert 'name="weight_text"' in block.group(2)
    assert "0 ignores a point, 10 makes it count the most" in block.group(2)
    assert "↔" not in page and "Seniority direction" not in page
    for label in WEIGHT_LABELS.values():
        assert escape(label) in block.group(2)


def test_a_wrong_weight_opens_them(client, program, admin):
    client.force_login(admin)
    url = reverse("program_edit", args=[program.slug])
    form = client.get(url).context["form"]
    data = {
        name: ("" if value is None else value)
        for name, value in ((n, form[n].value()) for n in form.fields)
        if not isinstance(value, bool) or value
    }
    data["weight_text"] = "11"
    page = client.post(url, data).content.decode()
    assert weights_block(page).group(1) == " open"
