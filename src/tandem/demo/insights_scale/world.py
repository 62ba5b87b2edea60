"""What every part of the scale generator shares: the random source, the calendar (several
whole quarters up to ``now``) and the helpers that turn a fraction into a moment."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tandem.insights.scope import Quarter

QUARTERS = 6  # the history covers this many quarters, the present one last
DAY = timedelta(days=1)
WEEK = timedelta(weeks=1)
DOMAIN = "scale.test"


@dataclass
class World:
    seed: int
    now: datetime
    slug: str
    rng: random.Random = field(init=False)
    start: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        first = Quarter.containing(self.now)
        for _ in range(QUARTERS - 1):
            first = (
                Quarter(first.year - 1, 4)
                if first.number == 1
                else Quarter(first.year, first.number - 1)
            )
        self.start = first.start

    @property
    def span(self) -> timedelta:
        return self.now - self.start

    def joined_at(self) -> datetime:
        """When someone joined: more people late than early, as a program grows."""
        return self.start + self.span * (self.rng.random() ** 0.75) * 0.995

    def before_now(self, moment: datetime) -> datetime:
        return min(moment, self.now - timedelta(hours=1))

    def email(self, kind: str, number: int) -> str:
        return f"{kind}{number:06d}.{self.slug}@{DOMAIN}"

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability
