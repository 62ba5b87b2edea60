"""What the declared pauses themselves say about a pair: a pause under way is named (for the
admins as much as the pair), and a long or repeated break is a concern of its own.

A pause's days count neither as missed meetings nor as silence, so without this rule one side
declaring pause after pause would leave a silent pair "on track" with no reason at all. The
texts carry dates and counts only: a pause has no free text.
"""

from __future__ import annotations

from datetime import timedelta

from tandem.feedback.health.assessment import Contribution, Facts, HealthReason
from tandem.feedback.health.signals import to_utc

PAUSE_YEAR_DAYS = 365
# A pair is two people, each with their own holidays, taken at different times: two or three
# breaks of a few weeks a side (some eight weeks paused a year for the pair) are ordinary and
# are exactly what we want declared. At six weeks or three pauses, 17 % of healthy dev pairs
# got this concern at some point; see docs/health.md (fourth pass).
LONG_PAUSE_DAYS = 63  # nine weeks paused in a year is more than both sides' holidays
REPEATED_PAUSES = 5  # a fifth pause within a year is a pattern, not a plan
LONG_PAUSE_POINTS = -12  # a concern; it flags only with a second kind of evidence


def pause_rule(facts: Facts) -> tuple[Contribution, list[HealthReason]]:
    """``paused``: the current pause (a reason of no weight), and the paused days of the last
    year, a concern from :data:`LONG_PAUSE_DAYS` days or :data:`REPEATED_PAUSES` pauses on."""
    year_ago = facts.now - timedelta(days=PAUSE_YEAR_DAYS)
    days = 0.0
    for start, end in facts.paused:
        overlap = min(end, facts.now) - max(start, year_ago)
        days += max(overlap / timedelta(days=1), 0.0)
    declared = [p for p in facts.signals.paused if to_utc(p.end) > year_ago]
    reasons: list[HealthReason] = []
    points = 0
    if days >= LONG_PAUSE_DAYS or len(declared) >= REPEATED_PAUSES:
        points = LONG_PAUSE_POINTS
        count = "1 pause" if len(declared) == 1 else f"{len(declared)} pauses"
        text = (
            f"Paused for {round(days)} days in the last year ({count}): a long break; "
            "check the mentorship still works for you both."
        )
        reasons.append(HealthReason("long_pause", text, points, "paused"))
    current = next((end for start, end in facts.paused if start <= facts.now < end), None)
    if current is not None:
        # The pages' day format ("8 Dec 2026", ``readable_dates.day``), written here without
        # Django: these rules are a pure module, run by bench/health_sim.py as they are. The
        # day back in the zone the pause was declared in: as a UTC date, east of Greenwich,
        # it was the day before the pauses page's.
        declared_end = (p.end for p in facts.signals.paused if to_utc(p.end) == current)
        until = next(declared_end, current).date()
        text = f"Paused until {until.day} {until:%b %Y} (declared by one side)."
        reasons.append(HealthReason("paused", text, 0, "paused"))
    return Contribution("paused", round(days, 1), points), reasons


__all__ = ["pause_rule"]
