"""The library a program reads (shipped files < site-wide rows < the program's rows), the
shipped files themselves, search ranking, and ``guidance_for`` for pages, nudges and alerts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tandem.feedback.guidance import STAGES, parse_article, shipped_articles
from tandem.feedback.health.reasons import REASONS
from tandem.feedback.models import GuidanceArticle, HealthState, MentorshipHealth
from tandem.feedback.selectors.guidance import (
    guidance_for,
    guidance_for_mentorship,
    guidance_library,
    guidance_search,
    mentorship_stage,
)
from tandem.mentorships.models import MentorshipState
from tests.mentorships import factories as mentoring
from tests.programs.factories import ProgramFactory


def test_every_shipped_article_parses_with_known_stages_and_reason_codes():
    articles = shipped_articles()
    assert "first-meeting" in articles
    for article in articles.values():
        assert article.title and article.summary and article.body.strip()
        assert set(article.stages) <= set(STAGES), article.slug
        assert set(article.reason_codes) <= set(REASONS), article.slug


def test_a_file_without_front_matter_is_refused():
    with pytest.raises(ValueError, match="front matter"):
        parse_article("x", "# Just a body\n")
    with pytest.raises(ValueError, match="unknown front matter field 'author'"):
        parse_article("x", "---\ntitle: T\nauthor: me\n---\nBody\n")


def row(program=None, **fields):
    defaults = {"title": "Added", "summary": "", "body": "Body", "stages": [], "reason_codes": []}
    return GuidanceArticle.objects.create(program=program, **{**defaults, **fields})


@pytest.mark.django_db
def test_site_rows_replace_shipped_and_program_rows_replace_both():
    program, other = ProgramFactory(), ProgramFactory()
    row(slug="first-meeting", title="Site first meeting")
    row(program, slug="first-meeting", title="Program first meeting")
    row(program, slug="setting-goals", title="Goals", hidden=True)
    row(other, slug="local-tips", title="Other program's tips")

    def titles(**kwargs):
        return {a.slug: (a.title, a.origin) for a in guidance_library(**kwargs)}

    assert titles(program=None)["first-meeting"] == ("Site first meeting", "site")
    mine = titles(program=program)
    assert mine["first-meeting"] == ("Program first meeting", "program")
    assert "setting-goals" not in mine
    assert "local-tips" not in mine
    assert "setting-goals" in titles(program=program, include_hidden=True)
    assert titles(program=other)["local-tips"] == ("Other program's tips", "program")
    assert titles(program=other)["first-meeting"] == ("Site first meeting", "site")


@pytest.mark.django_db
def test_search_finds_every_word_and_ranks_title_hits_first():
    library = guidance_library(program=None)
    found = guidance_search(library, "Goals")
    assert found[0].slug == "setting-goals"
    assert len(found) > 1  # other articles mention goals in their body
    assert guidance_search(library, "goals zebra-unicorn") == []
    assert guidance_search(library, "  ") == library


@pytest.mark.django_db
def test_guidance_for_puts_reason_matches_first_then_stage_and_respects_limit():
    program = ProgramFactory()
    row(program, slug="a-stage", title="A stage one", stages=["ending"])
    row(program, slug="b-second", title="B second reason", reason_codes=["x_second"])
    row(program, slug="c-first", title="C first reason", reason_codes=["x_first"])
    found = guidance_for(program, stage="ending", reason_codes=["x_first", "x_second"])
    assert [a.slug for a in found] == ["c-first", "b-second", "ending-well"]
    found = guidance_for(program, stage="ending", reason_codes=["x_first"], limit=10)
    assert [a.slug for a in found] == ["c-first", "ending-well", "a-stage"]  # library order
    assert guidance_for(program, stage="nowhere", reason_codes=["nothing"]) == []
    assert [a.slug for a in guidance_for(program, stage="active", limit=2)] == [
        "first-meeting",
        "setting-goals",
    ]


@pytest.mark.django_db
def test_guidance_for_is_one_query(django_assert_num_queries):
    program = ProgramFactory()
    with django_assert_num_queries(1):
        guidance_for(program, stage="active", reason_codes=["no_contact"])


@pytest.mark.django_db
def test_stage_of_a_mentorship():
    today = date(2026, 6, 1)
    pair = mentoring.mentorship()
    pair.starts_on, pair.ends_on = today - timedelta(days=100), today + timedelta(days=100)
    assert mentorship_stage(pair, today=today) == "midpoint"
    pair.midpoint_confirmed_at = timezone.now()
    assert mentorship_stage(pair, today=today) == "active"
    assert mentorship_stage(pair, today=today + timedelta(days=80)) == "ending"
    pair.state = MentorshipState.PROPOSED
    assert mentorship_stage(pair, today=today) == "proposed"
    pair.state = MentorshipState.COMPLETED
    assert mentorship_stage(pair, today=today) == "ended"


@pytest.mark.django_db
def test_guidance_for_mentorship_reads_its_health_reasons():
    pair = mentoring.mentorship()
    MentorshipHealth.objects.create(
        mentorship=pair,
        program=pair.program,
        state=HealthState.AT_RISK,
        score=40,
        reasons=[{"code": "stuck_goals", "text": "Goals have barely moved.", "weight": 10}],
        state_since=timezone.now(),
        computed_at=timezone.now(),
    )
    assert guidance_for_mentorship(pair)[0].slug == "setting-goals"
