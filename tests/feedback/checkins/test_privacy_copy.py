"""What the check-in form and the mentorship page's health card say about who reads check-in
answers is one text, and says what the code does (live review: the card said the admins see
"answers included, without the answers themselves; never what you write", the form "totals of
many people's answers, never yours alone, unless you tick the last box")."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, strip_tags

from tandem.feedback.models import MentorshipHealth
from tests.feedback.checkins.conftest import checkin


def _privacy(page: str) -> str:
    found = re.search(r'<ul class="who-reads-list">.*?</ul>', page, re.S)
    assert found, "no who-reads list"
    return re.sub(r"\s+", " ", strip_tags(found.group(0))).strip()


def _at_risk(world) -> None:
    """The pair's health card shows (it holds the who-reads list)."""
    MentorshipHealth.objects.create(
        mentorship=world.pair,
        program=world.program,
        state="at_risk",
        score=40,
        state_since=timezone.now(),
        computed_at=timezone.now(),
    )


def test_the_form_and_the_health_card_say_the_same_true_thing(client, world):
    _at_risk(world)
    mine = checkin(world.pair, world.mentee)
    client.force_login(world.mentee)
    form_page = client.get(reverse("checkin_answer", args=[mine.pk])).content.decode()
    card_page = client.get(reverse("mentorship_detail", args=[world.pair.pk])).content.decode()
    said = _privacy(form_page)
    assert said == _privacy(card_page)
    # The box it names is the form's last box, word for word.
    admins_box = f"Let the admins of {world.program.name} read this check-in"
    assert admins_box in said and admins_box in form_page
    assert f"{world.mentor.display_name} sees only the answers you tick" in said
    assert "never see your answers or whose they are" in said
    assert "which your answers can change" in said
    for old in ("without the answers themselves", "never yours alone", "never what you write"):
        assert old not in form_page and old not in card_page
    assert f"never {world.mentor.display_name}'s" in card_page


def test_the_health_card_folds_who_reads_under_one_line(client, world):
    """UX review: the 130 words stood open in the narrow side card, five times the status."""
    _at_risk(world)
    client.force_login(world.mentee)
    page = client.get(reverse("mentorship_detail", args=[world.pair.pk])).content.decode()
    folded = re.search(r'<details class="health-who-reads">(.*?)</details>', page, re.S)
    assert folded, "the who-reads list is not folded"
    assert "<summary>Who reads your check-in answers</summary>" in folded.group(1)
    assert 'class="who-reads-list"' in folded.group(1)


def test_the_admin_reads_that_the_status_uses_answers_they_never_see(client, world):
    _at_risk(world)
    client.force_login(world.admin)
    page = client.get(reverse("mentorship_detail", args=[world.pair.pk])).content.decode()
    assert "though you never see the answers or whose they are" in page
    assert 'class="who-reads-list"' not in page


def test_the_saved_message_names_who_can_read_what_was_saved(client, world):
    client.force_login(world.mentee)
    partner = world.mentor.display_name
    for sequence, (extra, said) in enumerate(
        (
            ({}, "Only you can read your answers."),
            ({"share_progress": "on"}, f"{partner} can read the answers you shared."),
            ({"admins": "on"}, "The program's admins can read this check-in."),
            (
                {"share_progress": "on", "admins": "on"},
                f"{partner} can read the answers you shared and the program's admins can read "
                "this check-in.",
            ),
        ),
        start=1,
    ):
        mine = checkin(world.pair, world.mentee, sequence=sequence)
        data = {"answer_progress": "4", "answer_meeting_useful": "3", **extra}
        page = client.post(reverse("checkin_answer", args=[mine.pk]), data, follow=True)
        assert escape(said) in page.content.decode(), said
