"""A pair's score as people read it: a fit from 0 to 100 with a label and what it means.

The fit is the score in hundredths (the weighted mean of the criteria, each from 0 to 1), so
it is the same number the ranked list has always shown as a percentage. The bands are set on
the scores of synthetic cohorts (:mod:`tandem.matching.synthetic`, seeds 0 to 2, 200 mentees by
60 mentors) and of the demo cohort (``tandem.demo``, 600 people, seeds 7 and 8), every allowed
pair, identity left out as on Tandem's pages:

- below 35, "Weak fit": the bottom 83 to 87 % of all allowed pairs (the median pair scores
  18 synthetic, 29 demo); a pair drawn at random is weak.
- from 35, "Partial fit": the top 13 to 17 % of all pairs, where nearly every mentee's best
  mentor is (90 % of them synthetic, 99 % demo).
- from 50, "Good fit": above the 47.5 a pair scores when neither person filled in anything
  (so it is never the default); the top 0.4 to 7 % of all pairs, the best mentor of 44 to
  86 % of mentees.
- from 65, "Strong fit": the top 2 % of synthetic pairs, the best mentor of 44 % of the
  synthetic mentees and of under 1 % in the demo, whose texts overlap less.

The label depends on the fit alone and never goes down as the fit goes up.
"""

from __future__ import annotations

from typing import NamedTuple

# (lowest fit, label, what it means), best first.
FIT_BANDS = (
    (65, "Strong fit", "Most of what matters to this pair lines up; few pairs score this high."),
    (50, "Good fit", "More lines up than not; read the concerns, if any, before deciding."),
    (35, "Partial fit", "Some things line up and others do not: weigh the concerns listed."),
    (0, "Weak fit", "Little lines up; like most pairs chosen at random."),
)
FIT_SCALE = (
    "The fit runs from 0 to 100: the weighted share of the program's matching criteria "
    "(goals, skills, shared hours, meeting rhythm and format, seniority, working style) this "
    "pair meets. Details left empty count as halfway."
)


class Fit(NamedTuple):
    """A score as a whole number out of 100, its label and what the label means."""

    points: int
    label: str
    meaning: str


def fit_of(score: float) -> Fit:
    """The fit of a pair score in [0, 1] (values outside are clipped).

    >>> fit_of(0.72)
    Fit(points=72, label='Strong fit', meaning='Most of what matters to this pair lines up; few pairs score this high.')
    >>> fit_of(0.4).label, fit_of(0.1).label
    ('Partial fit', 'Weak fit')
    """  # noqa: E501
    points = round(100 * min(max(float(score), 0.0), 1.0))
    for lowest, label, meaning in FIT_BANDS:
        if points >= lowest:
            return Fit(points, label, meaning)
    raise AssertionError("the last band starts at 0")  # pragma: no cover
