"""The program's health list pages state by state: stalled first, longest in its state first,
never by score (which would rank pairs by their private answers)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.feedback.models import MentorshipHealth
from tandem.feedback.selectors.health_reads import HealthFilters, health_list_for_program
from tests.mentorships.factories import mentorship
from tests.programs.factories import ProgramFactory

pytestmark = pytest.mark.django_db


def test_pages_cut_across_states_in_order():
    program = ProgramFactory()
    now = timezone.now()
    made = {}
    # (state, days in it, score): within a state the lower score comes last, so an order by
    # score would fail.
    for state, days, score in [
        ("thriving", 3, 95),
        ("on_track", 2, 70),
        ("stalled", 5, 20),
        ("at_risk", 4, 50),
        ("stalled", 9, 30),
        ("on_track", 6, 80),
    ]:
        m = mentorship(program=program)
        MentorshipHealth.objects.create(
            mentorship=m,
            program=program,
            state=state,
            score=score,
            state_since=now - timedelta(days=days),
            computed_at=now,
        )
        made[(state, score)] = m.pk
    ended = mentorship(program=program, state="completed")
    MentorshipHealth.objects.create(
        mentorship=ended,
        program=program,
        state="stalled",
        score=0,
        state_since=now,
        computed_at=now,
    )
    order = [
        ("stalled", 30),
        ("stalled", 20),
        ("at_risk", 50),
        ("on_track", 80),
        ("on_track", 70),
        ("thriving", 95),
    ]
    rows = health_list_for_program(program=program, reader_id=None)
    assert rows.count() == len(rows) == 6
    assert [(r.state, r.score) for r in rows[0:6]] == order
    assert [(r.state, r.score) for r in rows[1:4]] == order[1:4]
    assert [(r.state, r.score) for r in rows[4:10]] == order[4:]
    assert rows[2].mentorship_id == made[("at_risk", 50)]
    on_track = health_list_for_program(
        program=program, reader_id=None, filters=HealthFilters(state="on_track")
    )
    assert [r.score for r in on_track[0:50]] == [80, 70]


def test_the_search_folds_the_case_of_accented_names_on_both_databases():
    program = ProgramFactory()
    now = timezone.now()
    chloe = mentorship(program=program)
    chloe.mentee.last_name = "Martínez"
    chloe.mentee.save()
    for m in (chloe, mentorship(program=program)):
        MentorshipHealth.objects.create(
            mentorship=m,
            program=program,
            state="on_track",
            score=70,
            state_since=now,
            computed_at=now,
        )
    found = health_list_for_program(
        program=program, reader_id=None, filters=HealthFilters(search="MARTÍNEZ")
    )
    assert [r.mentorship_id for r in found[0:10]] == [chloe.pk]
