"""The demo can leave its history program out (the crawl does: its rows double the crawl's time)."""

import pytest

from tandem.demo.history import HISTORY_SLUG
from tandem.demo.seed import seed_demo
from tandem.programs.models import Program

pytestmark = pytest.mark.django_db


def test_the_history_program_is_left_out_on_request():
    seed_demo(people=40, seed=3, history=False)
    assert not Program.objects.filter(slug=HISTORY_SLUG).exists()
