"""The program's check-in page opens with what an admin needs (totals, nobody's answer, no
comments unless shared) and folds how the blocks and their noise work under "How these
figures are counted" (ux review: a 130-word paragraph of blocks and noise opened the page)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_counting_rules_fold_under_their_own_summary(client, world):
    client.force_login(world.admin)
    html = client.get(reverse("program_checkins", args=[world.program.pk])).content.decode()
    intro = re.search(r"<h1>.*?</h1>\s*<p[^>]*>(.*?)</p>", html, re.S)
    assert intro is not None
    assert "no one's answer can be worked out" in intro.group(1)
    assert "Comments are never shown here" in intro.group(1)
    assert "noise" not in intro.group(1) and len(intro.group(1).split()) < 40
    folded = re.search(
        r"<details[^>]*><summary>How these figures are counted</summary>(.*?)</details>", html, re.S
    )
    assert folded is not None
    assert "carries random noise of its own, the same on every reading" in folded.group(1)
    assert "blocks of at least 5 answers" in folded.group(1)
