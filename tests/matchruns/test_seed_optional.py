"""The seed is optional and tucked under "Advanced" (live review F18: "Seed *" was a required
field, developer jargon an admin had to fill in to start or re-run a match)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tandem.matchruns.forms import RerunForm, RunStartForm
from tandem.matchruns.models import MatchRun

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", [None, ""])
def test_a_run_starts_without_a_seed_and_uses_zero(client, program, program_admin, cohort, seed):
    client.force_login(program_admin)
    data = {"objective": "optimal"} if seed is None else {"objective": "optimal", "seed": seed}
    response = client.post(reverse("match_run_start", args=[program.slug]), data)
    assert response.status_code == 302
    assert MatchRun.objects.get(program=program).seed == 0


def test_both_forms_take_no_seed_and_keep_a_given_one():
    for form_class in (RunStartForm, RerunForm):
        assert form_class({"objective": "fair"}).is_valid()
        form = form_class({"objective": "fair", "seed": "7"})
        assert form.is_valid() and form.cleaned_data["seed"] == 7
        assert not form_class({"objective": "fair", "seed": "-1"}).is_valid()


def test_the_seed_sits_under_advanced_and_is_not_required(client, program, program_admin):
    client.force_login(program_admin)
    page = client.get(reverse("match_run_list", args=[program.slug])).content.decode()
    advanced = re.search(r'<details class="advanced">(.*?)</details>', page, re.S)
    assert advanced and 'name="seed"' in advanced.group(1)
    assert 'name="seed"' not in page.replace(advanced.group(0), "")
    assert "required" not in re.search(r"<input[^>]*name=\"seed\"[^>]*>", page).group(0)
    # UX review: "Seed" is a programmer's word; the page says what it is for.
    assert ">Seed<" not in page and "Repeat number" in advanced.group(1)


def test_a_wrong_seed_opens_advanced(client, program, program_admin):
    client.force_login(program_admin)
    url = reverse("match_run_start", args=[program.slug])
    page = client.post(url, {"objective": "optimal", "seed": "x"}).content.decode()
    assert '<details class="advanced" open>' in page
    assert not MatchRun.objects.filter(program=program).exists()
