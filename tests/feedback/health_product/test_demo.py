"""The demo shows health variety: a stalled pair and an at-risk one, next to the healthy one."""

import pytest

from tandem.demo.program import DEMO_PROGRAM_SLUG
from tandem.demo.seed import seed_demo
from tandem.feedback.models import MentorshipHealth

pytestmark = pytest.mark.django_db


def test_the_demo_program_has_a_stalled_and_an_at_risk_pair():
    seed_demo(people=40, seed=3)
    states = set(
        MentorshipHealth.objects.filter(program__slug=DEMO_PROGRAM_SLUG).values_list(
            "state", flat=True
        )
    )
    assert {"stalled", "at_risk"} <= states
    assert len(states) == 3
