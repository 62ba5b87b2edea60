"""95 % intervals for a group's figure minus everyone else's, from published moments only.

A figure is a cell ``(n, sum, sum of squares)``; rates use ``sum`` (people with the outcome), and
a mean's interval (``equity.noise``) the scope's spread over everyone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile


@dataclass(frozen=True)
class Moments:
    """``n`` people, the sum of their values and the sum of the squares."""

    n: float
    total: float
    squares: float

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        """The sample variance (``n - 1`` in the denominator); ``None`` below two people."""
        if self.n < 2:
            return None
        return max(self.squares - self.total * self.total / self.n, 0.0) / (self.n - 1)


@dataclass(frozen=True)
class Difference:
    estimate: float
    low: float
    high: float

    @property
    def clear(self) -> bool:
        """Whether the interval leaves zero out (a clear difference)."""
        return self.low > 0 or self.high < 0


def wilson(successes: float, n: float) -> tuple[float, float]:
    """Wilson's score interval for a proportion.

    >>> [round(x, 4) for x in wilson(8, 10)]
    [0.4902, 0.9433]
    """
    if n <= 0:
        raise ValueError("an interval needs at least one person")
    p = successes / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(centre - half, 0.0), min(centre + half, 1.0)


def newcombe(s1: float, n1: float, s2: float, n2: float) -> Difference:
    """Newcombe's hybrid score interval (his method 10) for ``s1/n1 - s2/n2``.

    >>> d = newcombe(8, 10, 3, 10)
    >>> round(d.estimate, 4), round(d.low, 4), round(d.high, 4)
    (0.5, 0.0665, 0.7398)
    """
    p1, p2 = s1 / n1, s2 / n2
    l1, u1 = wilson(s1, n1)
    l2, u2 = wilson(s2, n2)
    estimate = p1 - p2
    low = estimate - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = estimate + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return Difference(estimate, low, high)
