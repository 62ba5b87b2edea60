"""Health as each side may know it (issue #12; the live privacy review's case): the mentee's
private pulse answers fall (5, 4, 1, 1), the mentor's stay at 4. The admins read the full
health (at risk, a falling and low pulse); the mentor reads exactly what the mentor of a twin
pair whose mentee answered high reads, on the API, the page's panels and in nudges; the mentee
reads their own view, their own answers included."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tandem.feedback.health import REASON_CODES
from tandem.feedback.models import MentorshipHealth
from tandem.feedback.selectors.guidance import guidance_for_mentorship
from tandem.feedback.services import health as health_services
from tandem.feedback.services.health import health_refresh
from tandem.notify.kinds import Kind
from tandem.notify.models import Notification
from tandem.programs.models import Role
from tests.feedback.health_product.builders import held, pulse, started
from tests.mentorships.factories import member

pytestmark = pytest.mark.django_db

ANSWER_CODES = {reason.code for reason in REASON_CODES if reason.from_answers}

LOW, HIGH = (5, 4, 1, 1), (5, 4, 4, 5)


def pair_answering(program, now, mentee_scores):
    """Meets weekly as agreed; four pulses, the mentor's all 4, the mentee's ``mentee_scores``."""
    m = started(now, weeks=12, program=program)
    for days in (3, 10, 17, 24):
        held(m, now - timedelta(days=days))
    for n, (days, score) in enumerate(zip((30, 23, 9, 2), mentee_scores, strict=True), start=1):
        pulse(m, m.mentor, now - timedelta(days=days), 4, 4, n)
        pulse(m, m.mentee, now - timedelta(days=days), score, score, n)
    return m


@pytest.fixture
def twins():
    now = timezone.now()
    program = started(now).program
    low, high = pair_answering(program, now, LOW), pair_answering(program, now, HIGH)
    health_refresh(mentorships=[low, high], now=now)
    return {"now": now, "low": low, "high": high, "admin": member(program, Role.ADMIN)}


def api(client, user, m):
    client.force_login(user)
    body = client.get(f"/api/mentorships/{m.pk}/health").json()
    assert body.pop("mentorship_id") == m.pk
    return body


def section(page, start):
    """The section from ``start`` on; "" when the page has none."""
    part = page[page.index(start) :] if start in page else ""
    return part[: part.index("</section>")] if part else ""


def panels(client, user, m):
    """The page's health and guidance panels, the mentorship's id written as N and the
    partner's name (the panel names them) as PARTNER."""
    client.force_login(user)
    page = client.get(reverse("mentorship_detail", args=[m.pk])).content.decode()
    page = page.replace(f"/mentorships/{m.pk}/", "/mentorships/N/")
    page = page.replace(escape(m.other(user).display_name), "PARTNER")
    return section(page, 'id="health"'), section(page, 'id="guidance-panel-h"')


def nudges(user):
    return list(
        Notification.objects.filter(recipient=user, kind=Kind.HEALTH_NUDGE).values_list(
            "body", flat=True
        )
    )


def test_the_admins_read_the_full_health(client, twins):
    stored = MentorshipHealth.objects.get(pk=twins["low"].pk)
    assert stored.state == "at_risk"
    assert stored.views["mentor"]["state"] == "thriving"
    body = api(client, twins["admin"], twins["low"])
    assert body["state"] == "at_risk"
    assert {"low_pulse", "falling_pulse"} <= {r["code"] for r in body["reasons"]}
    assert api(client, twins["admin"], twins["high"])["state"] != "at_risk"
    health, guidance = panels(client, twins["admin"], twins["low"])
    assert "At risk" in health and guidance == ""


def test_the_mentor_reads_the_same_whatever_the_mentee_answered(client, twins):
    low, high = twins["low"], twins["high"]
    assert api(client, low.mentor, low) == api(client, high.mentor, high)
    assert api(client, low.mentor, low)["state"] == "thriving"
    assert panels(client, low.mentor, low) == panels(client, high.mentor, high)
    assert nudges(low.mentor) == nudges(high.mentor) == []
    assert guidance_for_mentorship(low, reader_id=low.mentor_id) == guidance_for_mentorship(
        high, reader_id=high.mentor_id
    )
    # the admins' codes are the full ones: what the mentor's would be without the views
    full = [a.slug for a in guidance_for_mentorship(low)]
    assert full != [a.slug for a in guidance_for_mentorship(low, reader_id=low.mentor_id)]


def test_the_mentee_reads_their_own_low_answers(client, twins):
    low = twins["low"]
    body = api(client, low.mentee, low)
    assert body["state"] == "at_risk"
    codes = {r["code"] for r in body["reasons"]}
    assert {"low_pulse", "falling_pulse"} <= codes and "pulse_gap" not in codes
    assert all(r["weight"] is None for r in body["reasons"] if r["code"] in ANSWER_CODES)
    health, _guidance = panels(client, low.mentee, low)
    words = re.sub(r"<[^>]+>", " ", health)
    assert "At risk" in words and not re.search(r"-\d|\bpoints?\b|\bscore\b", words), words
    (body,) = nudges(low.mentee)
    assert "check-in answers" in body.lower()
    assert nudges(twins["high"].mentee) == []


def test_each_view_keeps_its_own_state_for_hysteresis_and_its_own_since(monkeypatch, twins):
    low, now = twins["low"], twins["now"]
    seen = []
    real = health_services.assess

    def spy(signals, *args, previous=None, **kwargs):
        seen.append(previous)
        return real(signals, *args, previous=previous, **kwargs)

    monkeypatch.setattr(health_services, "assess", spy)
    later = now + timedelta(hours=2)
    health_refresh(mentorships=[low], now=later)
    assert seen == ["at_risk", "thriving", "at_risk"]  # the full state, the mentor's, the mentee's
    views = MentorshipHealth.objects.get(pk=low.pk).views
    assert views["mentor"]["state_since"] == views["mentee"]["state_since"] == now.isoformat()
    assert views["mentee"]["flagged_since"] == now.isoformat()
    assert views["mentor"]["flagged_since"] is None
    assert len(nudges(low.mentee)) == 1  # the same spell: no second nudge


def test_a_row_not_refreshed_since_the_views_shows_the_pair_no_state_the_answers_made(
    client, twins
):
    """Such a row showed the pair the full state, its reasons from answers left out: the
    mentor read "at risk" with no concern of their own (third privacy review). The pair now
    read the full state only when no reason was left out, else on track, either twin."""
    low, high = twins["low"], twins["high"]
    MentorshipHealth.objects.filter(pk__in=[low.pk, high.pk]).update(views={})
    body = api(client, low.mentor, low)
    assert body["state"] == "on_track"
    assert not {r["code"] for r in body["reasons"]} & {"low_pulse", "falling_pulse"}
    twin = api(client, high.mentor, high)
    assert (twin["state"], twin["reasons"]) == (body["state"], body["reasons"])
    assert api(client, twins["admin"], low)["state"] == "at_risk"
    health_refresh(mentorships=[low], now=twins["now"] + timedelta(hours=1))
    assert api(client, low.mentor, low)["state"] == "thriving"
