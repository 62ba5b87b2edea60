"""Regression (pages review, live on PostgreSQL): the API stored program settings the edit
page refuses (a default length of 1,000 weeks, a mentor capacity of 60, requests expiring
after 400 days) and matching weights off the page's 0.5 step (1.25), so the page could not
be saved untouched: the browser refused the weight and the form the numbers. The service
holds the bounds the form uses, and the weight inputs take any number the service takes."""

import re
from decimal import Decimal

import pytest

from tandem.core.exceptions import ApplicationError
from tandem.programs.services import program_update
from tandem.programs.services.programs import OUT_OF_BOUNDS, SETTING_BOUNDS
from tests.programs.test_api import Api
from tests.untouched import nothing_changes, submit_untouched

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", sorted(SETTING_BOUNDS))
def test_a_setting_out_of_the_pages_bounds_is_refused_naming_it(program, admin, key):
    low, high = SETTING_BOUNDS[key]
    before = getattr(program, key)
    for value in (low - 1, high + 1):
        with pytest.raises(ApplicationError) as raised:
            program_update(user=admin, program_id=program.pk, **{key: value})
        assert raised.value.fields == {key: OUT_OF_BOUNDS.format(low=low, high=high)}
    program.refresh_from_db()
    assert getattr(program, key) == before
    program_update(user=admin, program_id=program.pk, **{key: high})
    program.refresh_from_db()
    assert getattr(program, key) == high


def test_the_api_answers_400_naming_the_setting(client, program, admin):
    response = Api(client, admin).patch(program.slug, {"default_duration_weeks": 1000})
    assert response.status_code == 400, response.content
    low, high = SETTING_BOUNDS["default_duration_weeks"]
    assert response.json()["fields"] == {
        "default_duration_weeks": OUT_OF_BOUNDS.format(low=low, high=high)
    }


def _step_refuses(tag: str) -> bool:
    """Whether a browser refuses this ``<input type=number>``'s value for its ``step``."""
    value = re.search(r'value="([^"]*)"', tag)
    step = re.search(r'step="([^"]*)"', tag)
    if value is None or step is None or step.group(1) == "any":
        return False
    low = re.search(r'min="([^"]*)"', tag)
    base = Decimal(low.group(1)) if low else Decimal(0)
    return (Decimal(value.group(1)) - base) % Decimal(step.group(1)) != 0


def test_a_weight_set_through_the_api_is_sent_back_untouched(client, program, admin):
    response = Api(client, admin).patch(program.slug, {"weights": {"skills": 1.25}})
    assert response.status_code == 200, response.content
    client.force_login(admin)
    url = f"/programs/{program.slug}/edit/"
    page = client.get(url).content.decode()
    numbers = re.findall(r'<input[^>]*type="number"[^>]*>', page)
    assert any('name="weight_skills"' in tag and 'value="1.25"' in tag for tag in numbers)
    assert [tag for tag in numbers if _step_refuses(tag)] == []
    program.refresh_from_db()
    with nothing_changes(program):
        response = submit_untouched(client, url, url)
    assert response.status_code == 200
