"""The mentor half of a feature space, converted once and kept: what a self-serve ranked list
joins to one mentee at a time (:meth:`FeatureSpace.joined`) instead of converting every mentor
for every page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tandem.matching.features import FeatureSpace, Side
from tandem.matching.profiles import REFERENCE_WEEK, Mentor
from tandem.matching.text import Embedder


@dataclass(frozen=True)
class MentorSide:
    """The mentor half of a :class:`FeatureSpace`, converted once and then joined to one
    mentee at a time (:meth:`FeatureSpace.joined`): what a self-serve ranked list keeps
    between requests. Pure data, so it can be pickled into a cache.

    Examples
    --------
    >>> import numpy as np
    >>> from tandem.matching.features import FeatureSpace, cadence_fit
    >>> from tandem.matching.profiles import Mentee, Mentor
    >>> side = MentorSide.build([Mentor(id="m", cadence="monthly")])
    >>> space = FeatureSpace.joined([Mentee(id="a", cadence="weekly")], side, capacity=[1])
    >>> round(float(cadence_fit(space, np.array([0]), np.array([0]))[0]), 3)
    0.333
    """

    mentors: tuple[Mentor, ...]
    side: Side
    vocab: dict[str, dict[str, int]]
    week: date

    @classmethod
    def build(
        cls,
        mentors: Sequence[Mentor],
        *,
        embedder: Embedder | None = None,
        week: date = REFERENCE_WEEK,
    ) -> MentorSide:
        """Convert ``mentors`` (text embedded, availability in ``week``'s UTC): O(m)."""
        space = FeatureSpace([], mentors, embedder=embedder, week=week)
        return cls(mentors=tuple(space.mentors), side=space.mentor, vocab=space.vocab, week=week)
